import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isEmail } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AllConfig } from '../config/config.types';
import { isUniqueViolation } from '../database/database-errors';
import { Role, UserEntity, UserStatus } from './entities/user.entity';
import { PasswordHasher } from './password-hasher.service';
import { PasswordPolicy } from './password-policy';
import { canonicalUsername, isValidUsername } from './username';
import { UsersRepository } from './users.repository';

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
    private readonly dataSource: DataSource,
    @Inject(ConfigService) config: ConfigService<AllConfig, true>,
  ) {
    this.temporaryPasswordTtl = config.get('auth.temporaryPasswordTtl', { infer: true });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findByUsername(username: string, options: { withHash?: boolean } = {}): Promise<UserEntity | null> {
    return this.users.findByUsername(canonicalUsername(username), options);
  }

  canonical(username: string): string {
    return canonicalUsername(username);
  }

  /** Throws InvalidPassword (400) naming the rule a password breaks. */
  assertAcceptablePassword(password: string, username: string): void {
    this.policy.assertAcceptable(password, username);
  }

  hasAnyUser(): Promise<boolean> {
    return this.users.hasAny();
  }

  async createAccount(account: NewAccount): Promise<UserEntity> {
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
    try {
      return await this.users.insert({
        id: randomUUID(),
        username,
        email: account.email,
        passwordHash,
        roles: account.roles,
        ...this.passwordState(account.temporary),
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiException(ErrorCode.UsernameExists, `A user named "${username}" already exists`);
      }
      throw error;
    }
  }

  /** Checks a user's current password; the hash never leaves this service. */
  async verifyPassword(user: UserEntity, password: string): Promise<boolean> {
    const withHash = user.passwordHash ? user : await this.users.findById(user.id, { withHash: true });
    return withHash?.passwordHash ? this.hasher.verify(password, withHash.passwordHash) : false;
  }

  /** Same cost as verifyPassword, for a username that does not exist. */
  verifyUnknownUserPassword(password: string): Promise<false> {
    return this.hasher.verifyAgainstDummy(password);
  }

  /** Sets a final password (policy-checked); runs inside the caller's transaction when given one. */
  async setPassword(user: UserEntity, password: string, manager?: EntityManager): Promise<void> {
    this.policy.assertAcceptable(password, user.username);
    const passwordHash = await this.hasher.hash(password);
    await this.users.setPassword(user.id, { passwordHash, ...this.passwordState(false) }, manager);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  isTemporaryPasswordExpired(user: UserEntity, now = new Date()): boolean {
    return user.temporaryPasswordExpiresAt !== null && user.temporaryPasswordExpiresAt <= now;
  }

  private passwordState(temporary: boolean) {
    return temporary
      ? {
          status: UserStatus.ForceChangePassword,
          temporaryPasswordExpiresAt: new Date(Date.now() + this.temporaryPasswordTtl * 1000),
        }
      : { status: UserStatus.Active, temporaryPasswordExpiresAt: null };
  }
}
