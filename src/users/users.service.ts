import { Inject, Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { isUniqueViolation } from '../database/database-errors';
import { Transactions } from '../database/transactions';
import { Role, UserEntity, UserStatus } from './entities/user.entity';
import { PasswordHasher } from './password-hasher.service';
import { PasswordPolicy } from './password-policy';
import { canonicalUsername, isValidUsername } from './username';
import { AccountChange, AccountFilter, UsersRepository } from './users.repository';
import { usersConfig, UsersConfig } from './users.config';

/** A password that matched, as `verifyPassword` found it; pass it back, never look inside. */
export type PasswordMatch = Readonly<{ userId: string }>;
/** A new password, checked and hashed by `preparePassword`. */
export type PreparedPassword = Readonly<object>;

/** The hashes behind the tokens above, where no log or serializer can reach them. */
const matchedHashes = new WeakMap<PasswordMatch, string>();
const preparedHashes = new WeakMap<PreparedPassword, string>();

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  /** A temporary password must be replaced at first login (NEW_PASSWORD_REQUIRED). */
  temporary: boolean;
  roles: Role[];
}

@Injectable()
export class UsersService {
  private readonly temporaryPasswordTtl: number;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly transactions: Transactions,
    @Inject(usersConfig.KEY) config: UsersConfig,
  ) {
    this.temporaryPasswordTtl = config.temporaryPasswordTtl;
  }

  /** PASSWORD_QUEUE_LIMIT: how many password checks may wait for a hashing thread. */
  get passwordQueueLimit(): number {
    return this.hasher.queueLimit;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  /**
   * A name no account can have (a space, say) finds none without asking the database, whose
   * collation might pad or fold it into an account's name (MySQL 5.7's utf8mb4_bin does).
   */
  async findByUsername(username: string, options: { withHash?: boolean } = {}): Promise<UserEntity | null> {
    const canonical = canonicalUsername(username);
    return isValidUsername(canonical) ? this.users.findByUsername(canonical, options) : null;
  }

  canonical(username: string): string {
    return canonicalUsername(username);
  }

  hasAnyUser(): Promise<boolean> {
    return this.users.hasAny();
  }

  /**
   * Hashes the password, then inserts the account; `andThen` runs in the insert's transaction
   * (an audit event, a mail to send), so either both are written or neither.
   */
  async createAccount(
    account: NewAccount,
    andThen?: (user: UserEntity, manager: EntityManager) => Promise<void>,
  ): Promise<UserEntity> {
    const username = canonicalUsername(account.username);
    if (!isValidUsername(username)) {
      throw new ApiException(
        ErrorCode.InvalidParameter,
        'username must be 1-128 letters, digits or . _ - @ + characters',
      );
    }
    if (!isEmail(account.email, { require_tld: false })) {
      throw new ApiException(ErrorCode.InvalidParameter, 'email must be a valid email address');
    }
    this.policy.assertAcceptable(account.password, username);

    const passwordHash = await this.hasher.hash(account.password);
    const user = { id: randomUUID(), username, email: account.email, passwordHash, roles: account.roles };
    try {
      return await this.transactions.run(async (manager) => {
        const created = await this.users.insert({ ...user, ...this.passwordState(account.temporary) }, manager);
        await andThen?.(created, manager);
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiException(ErrorCode.UsernameExists, `A user named "${username}" already exists`);
      }
      throw error;
    }
  }

  /** An operator's change to the account's email or role, inside the caller's transaction. */
  updateAccount(userId: string, change: AccountChange, manager: EntityManager): Promise<void> {
    return this.users.update(userId, change, manager);
  }

  /** Whether login asks for the second factor, inside the caller's transaction (the factor's own). */
  setMfaEnabled(userId: string, enabled: boolean, manager: EntityManager): Promise<void> {
    return this.users.update(userId, { mfaEnabled: enabled }, manager);
  }

  /** Deletes the account inside the caller's transaction; its sessions and codes go with it. */
  deleteAccount(userId: string, manager: EntityManager): Promise<void> {
    return this.users.delete(userId, manager);
  }

  /**
   * One page of accounts in username order (see UsersRepository.page). `query` matches a
   * username prefix (in canonical form, as names are kept) or an email substring in any case.
   */
  page(filter: { query?: string; status?: UserStatus; after?: string; limit: number }): Promise<UserEntity[]> {
    const { query, ...rest } = filter;
    const matching: Partial<AccountFilter> =
      query === undefined ? {} : { usernamePrefix: canonicalUsername(query), emailContains: query.toLowerCase() };
    return this.users.page({ ...rest, ...matching });
  }

  /**
   * Checks a user's current password. A match is returned as proof for a later compare-and-set
   * (`setPassword`, `lockIfUnchanged`); the hash it holds never leaves this service.
   */
  async verifyPassword(user: UserEntity, password: string): Promise<PasswordMatch | null> {
    const withHash = user.passwordHash ? user : await this.users.findById(user.id, { withHash: true });
    if (!withHash?.passwordHash || !(await this.hasher.verify(password, withHash.passwordHash))) return null;
    const match: PasswordMatch = Object.freeze({ userId: user.id });
    matchedHashes.set(match, withHash.passwordHash);
    return match;
  }

  /**
   * After a login: a hash made at an older BCRYPT_COST is made again at the current one, while
   * the password is at hand, so a raised cost reaches every account that logs in and a real
   * comparison keeps costing what the unknown-user one does.
   */
  async upgradeHash(match: PasswordMatch, password: string): Promise<void> {
    const hash = matchedHashes.get(match);
    if (!hash || !this.hasher.needsRehash(hash)) return;
    const upgraded = await this.hasher.hash(password);
    await this.transactions.retrying(() => this.users.replaceHash(match.userId, hash, upgraded));
  }

  /** 503 at once when no password check could start soon (PASSWORD_QUEUE_LIMIT). */
  assertHashingCapacity(): void {
    this.hasher.assertCapacity();
  }

  /** Same cost as verifyPassword, for a username that does not exist. */
  verifyUnknownUserPassword(password: string): Promise<false> {
    return this.hasher.verifyAgainstDummy(password);
  }

  /**
   * Checks a new password against the policy and hashes it: done before any transaction opens,
   * so no transaction (and on MySQL no pooled connection) waits on bcrypt.
   */
  async preparePassword(password: string, username: string): Promise<PreparedPassword> {
    this.policy.assertAcceptable(password, username);
    const prepared: PreparedPassword = Object.freeze({});
    preparedHashes.set(prepared, await this.hasher.hash(password));
    return prepared;
  }

  /**
   * Sets a final password inside the caller's transaction. With `replacing`, only if the
   * password is still the one that was verified: of two changes racing from the same previous
   * password one wins, and this returns false for the other.
   */
  async setPassword(
    userId: string,
    password: PreparedPassword,
    manager: EntityManager,
    replacing?: PasswordMatch,
  ): Promise<boolean> {
    const passwordHash = preparedHashes.get(password);
    if (!passwordHash) throw new Error('setPassword takes a password from preparePassword()');
    const expectedHash = replacing && matchedHashes.get(replacing);
    if (replacing && (replacing.userId !== userId || !expectedHash)) return false;
    return this.users.setPassword(userId, { passwordHash, ...this.passwordState(false) }, manager, expectedHash);
  }

  /**
   * An operator's temporary password, inside the caller's transaction, which holds the user's
   * locked row: the current password stops working and the next login answers
   * NEW_PASSWORD_REQUIRED (a disabled account stays disabled until enabled). Returns the new
   * expiry, which also marks this temporary password (see replaceTemporaryPassword).
   */
  async setTemporaryPassword(user: UserEntity, password: PreparedPassword, manager: EntityManager): Promise<Date> {
    const passwordHash = preparedHashes.get(password);
    if (!passwordHash) throw new Error('setTemporaryPassword takes a password from preparePassword()');
    const state = this.passwordState(true);
    if (user.status === UserStatus.Disabled) state.status = UserStatus.Disabled;
    await this.users.setPassword(user.id, { passwordHash, ...state }, manager);
    return state.temporaryPasswordExpiresAt;
  }

  /**
   * Replaces the temporary password that expires at `expiresAt` (the one a generated password
   * is mailed for), keeping its expiry. False when the account has had another password set
   * since, or is gone: that password is not this one to replace.
   */
  replaceTemporaryPassword(userId: string, password: PreparedPassword, expiresAt: Date): Promise<boolean> {
    const passwordHash = preparedHashes.get(password);
    if (!passwordHash) throw new Error('replaceTemporaryPassword takes a password from preparePassword()');
    return this.transactions.retrying(() => this.users.replaceTemporaryHash(userId, expiresAt, passwordHash));
  }

  /**
   * Locks the user's row for the caller's transaction and tells whether the password is still
   * the one that was verified and the account not disabled; a login racing a password change
   * or reset then gets no session from the old password.
   */
  async lockIfUnchanged(match: PasswordMatch, manager: EntityManager): Promise<boolean> {
    const current = await this.users.lockForUpdate(match.userId, manager);
    return (
      current !== null && current.status !== UserStatus.Disabled && current.passwordHash === matchedHashes.get(match)
    );
  }

  /** Locks the user's row for the caller's transaction; false if the account is gone or disabled. */
  async lockActive(userId: string, manager: EntityManager): Promise<boolean> {
    const current = await this.users.lockForUpdate(userId, manager);
    return current !== null && current.status !== UserStatus.Disabled;
  }

  /** Locks the account's row for the caller's transaction and reads it as it is now; null if gone. */
  lockAccount(userId: string, manager: EntityManager): Promise<UserEntity | null> {
    return this.users.lockWhole(userId, manager);
  }

  /** Locks every active admin's row for the caller's transaction (see UsersRepository). */
  lockActiveAdmins(manager: EntityManager): Promise<string[]> {
    return this.users.lockActiveAdmins(manager);
  }

  /**
   * Disables or enables the account, inside the caller's transaction. An enabled account that
   * still has a temporary password goes back to having to replace it.
   */
  async setEnabled(user: UserEntity, enabled: boolean, manager: EntityManager): Promise<UserStatus> {
    const status = !enabled
      ? UserStatus.Disabled
      : user.temporaryPasswordExpiresAt !== null
        ? UserStatus.ForceChangePassword
        : UserStatus.Active;
    await this.users.setStatus(user.id, status, manager);
    return status;
  }

  isTemporaryPasswordExpired(user: UserEntity, now = new Date()): boolean {
    return user.temporaryPasswordExpiresAt !== null && user.temporaryPasswordExpiresAt <= now;
  }

  private passwordState(temporary: true): { status: UserStatus; temporaryPasswordExpiresAt: Date };
  private passwordState(temporary: boolean): { status: UserStatus; temporaryPasswordExpiresAt: Date | null };
  private passwordState(temporary: boolean) {
    return temporary
      ? {
          status: UserStatus.ForceChangePassword,
          temporaryPasswordExpiresAt: new Date(Date.now() + this.temporaryPasswordTtl * 1000),
        }
      : { status: UserStatus.Active, temporaryPasswordExpiresAt: null };
  }
}
