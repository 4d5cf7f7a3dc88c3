import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { PrebuiltSelect } from '../database/prebuilt-select';
import { Transactions } from '../database/transactions';
import { Role, UserEntity, UserStatus } from './entities/user.entity';

export type NewUser = Omit<UserEntity, 'createdAt' | 'updatedAt'> & { passwordHash: string };

/** Reads and writes users; callers pass canonical usernames (see username.ts). */
@Injectable()
export class UsersRepository {
  /** Every login looks its user up by name: built once, with and without the password hash. */
  private readonly byUsername: PrebuiltSelect;
  private readonly byUsernameWithHash: PrebuiltSelect;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly transactions: Transactions,
  ) {
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

  /**
   * Sets the password; with `expectedHash`, only if the password is still the one that hash
   * belongs to (a compare-and-set). False when nothing was changed.
   */
  async setPassword(
    id: string,
    change: { passwordHash: string; status: UserStatus; temporaryPasswordExpiresAt: Date | null },
    manager: EntityManager,
    expectedHash?: string,
  ): Promise<boolean> {
    const where = expectedHash === undefined ? { id } : { id, passwordHash: expectedHash };
    const result = await this.repo(manager).update(where, { ...change, updatedAt: new Date() });
    return result.affected === 1;
  }

  /** Replaces the hash of an unchanged password; nothing if the password changed meanwhile. */
  async replaceHash(id: string, expectedHash: string, passwordHash: string): Promise<void> {
    await this.users.update({ id, passwordHash: expectedHash }, { passwordHash });
  }

  /** Locks the user's row until the transaction ends (see Transactions), and reads what a session depends on. */
  lockForUpdate(id: string, manager: EntityManager): Promise<UserEntity | null> {
    const query = this.repo(manager)
      .createQueryBuilder('user')
      .select(['user.id', 'user.status'])
      .addSelect('user.passwordHash')
      .where('user.id = :id', { id });
    return this.transactions.forUpdate(query).getOne();
  }

  /** Locks the user's row for the caller's transaction and reads it whole (no hash). */
  lockWhole(id: string, manager: EntityManager): Promise<UserEntity | null> {
    const query = this.repo(manager).createQueryBuilder('user').where('user.id = :id', { id });
    return this.transactions.forUpdate(query).getOne();
  }

  /**
   * Locks every active admin's row, in id order, and returns their ids. Every change that could
   * leave no active admin takes these locks first, so two of them (disabling two admins at once)
   * queue instead of each seeing the other admin still active. `roles` holds one role, so the
   * IDX_users_roles_status index finds the rows and locks no others.
   */
  async lockActiveAdmins(manager: EntityManager): Promise<string[]> {
    const query = this.repo(manager)
      .createQueryBuilder('user')
      .select('user.id', 'id')
      .where('user.roles = :admin AND user.status <> :disabled', { admin: Role.Admin, disabled: UserStatus.Disabled })
      .orderBy('user.id');
    const rows = await this.transactions.forUpdate(query).getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  async setStatus(id: string, status: UserStatus, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, { status, updatedAt: new Date() });
  }
}
