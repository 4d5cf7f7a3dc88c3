import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { PrebuiltSelect } from '../database/prebuilt-select';
import { Transactions } from '../database/transactions';
import { Role, UserEntity, UserStatus } from './entities/user.entity';

export type NewUser = Omit<UserEntity, 'createdAt' | 'updatedAt' | 'mfaEnabled'> & { passwordHash: string };

export type AccountChange = Partial<Pick<UserEntity, 'email' | 'roles' | 'mfaEnabled'>>;

/** What the admin API's user list asks for; every field but `limit` is optional. */
export interface AccountFilter {
  /** A user matches when its username starts with this (canonical form)... */
  usernamePrefix?: string;
  /** ...or its email, in lower case, contains this. */
  emailContains?: string;
  status?: UserStatus;
  /** The last username of the previous page. */
  after?: string;
  limit: number;
}

/** Above every character a username can hold: `prefix + TOP` bounds the names that start with `prefix`. */
const TOP = '\u{10FFFF}';
const likeEscaped = (text: string) => text.replace(/[!%_]/g, (c) => `!${c}`);

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
    const entity = this.repo(manager).create({ ...user, mfaEnabled: false, createdAt: now, updatedAt: now });
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

  async update(id: string, change: AccountChange, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, { ...change, updatedAt: new Date() });
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).delete({ id });
  }

  /** Compare-and-set on the temporary password's expiry, which marks which one it is. */
  async replaceTemporaryHash(id: string, expiresAt: Date, passwordHash: string): Promise<boolean> {
    const result = await this.users.update({ id, temporaryPasswordExpiresAt: expiresAt }, { passwordHash });
    return result.affected === 1;
  }

  /**
   * In username order, from after the cursor: the unique username index (or, with `status`,
   * IDX_users_status_username) is walked in order and the walk stops at `limit` matches, so no
   * page costs an offset scan. An email substring cannot use an index; it is checked on the
   * rows that walk reads.
   */
  page(filter: AccountFilter): Promise<UserEntity[]> {
    const query = this.users.createQueryBuilder('user').orderBy('user.username', 'ASC').limit(filter.limit);
    if (filter.status) query.andWhere('user.status = :status', { status: filter.status });
    if (filter.after !== undefined) query.andWhere('user.username > :after', { after: filter.after });
    const { usernamePrefix: prefix, emailContains: part } = filter;
    if (prefix !== undefined || part !== undefined) {
      query.andWhere(
        new Brackets((match) => {
          if (prefix !== undefined) {
            match.orWhere('(user.username >= :from AND user.username < :to)', { from: prefix, to: prefix + TOP });
          }
          if (part !== undefined) {
            match.orWhere("LOWER(user.email) LIKE :pattern ESCAPE '!'", { pattern: `%${likeEscaped(part)}%` });
          }
        }),
      );
    }
    return query.getMany();
  }
}
