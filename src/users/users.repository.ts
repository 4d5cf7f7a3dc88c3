import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { UserEntity, UserStatus } from './entities/user.entity';

export type NewUser = Omit<UserEntity, 'createdAt' | 'updatedAt'> & { passwordHash: string };

/** Reads and writes users; callers pass canonical usernames (see username.ts). */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  private repo(manager?: EntityManager): Repository<UserEntity> {
    return manager ? manager.getRepository(UserEntity) : this.users;
  }

  findByUsername(username: string, options: { withHash?: boolean } = {}): Promise<UserEntity | null> {
    const query = this.users.createQueryBuilder('user').where('user.username = :username', { username });
    if (options.withHash) query.addSelect('user.passwordHash');
    return query.getOne();
  }

  findById(id: string, options: { withHash?: boolean } = {}): Promise<UserEntity | null> {
    const query = this.users.createQueryBuilder('user').where('user.id = :id', { id });
    if (options.withHash) query.addSelect('user.passwordHash');
    return query.getOne();
  }

  async hasAny(): Promise<boolean> {
    return (await this.users.createQueryBuilder('user').select('user.id').limit(1).getRawOne()) !== undefined;
  }

  async insert(user: NewUser, manager?: EntityManager): Promise<UserEntity> {
    const now = new Date();
    const entity = this.repo(manager).create({ ...user, createdAt: now, updatedAt: now });
    await this.repo(manager).insert(entity);
    return entity;
  }

  async setPassword(
    id: string,
    change: { passwordHash: string; status: UserStatus; temporaryPasswordExpiresAt: Date | null },
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update({ id }, { ...change, updatedAt: new Date() });
  }
}
