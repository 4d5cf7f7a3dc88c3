import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { PrebuiltSelect } from '../database/prebuilt-select';
import { UserEntity, UserStatus } from './entities/user.entity';

export type NewUser = Omit<UserEntity, 'createdAt' | 'updatedAt'> & { passwordHash: string };

/** Reads and writes users; callers pass canonical usernames (see username.ts). */
@Injectable()
export class UsersRepository {
  /** Every login looks its user up by name: built once, with and without the password hash. */
  private readonly byUsername: PrebuiltSelect;
  private readonly byUsernameWithHash: PrebuiltSelect;

  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {
    const byName = () => users.createQueryBuilder('user').where('user.username = :username');
    this.byUsername = new PrebuiltSelect(byName(), ['username']);
    this.byUsernameWithHash = new PrebuiltSelect(byName().addSelect('user.passwordHash'), ['username']);
  }

  private repo(manager?: EntityManager): Repository<UserEntity> {
    return manager ? manager.getRepository(UserEntity) : this.users;
  }

  async findByUsername(username: string, options: { withHash?: boolean } = {}): Promise<UserEntity | null> {
    const select = options.withHash ? this.byUsernameWithHash : this.byUsername;
    const row = await select.first({ username });
    return row ? select.entity<UserEntity>('user', row) : null;
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
