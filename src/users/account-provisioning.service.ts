import { Inject, Injectable } from '@nestjs/common';
import { Role, UserEntity } from './entities/user.entity';
import { generateTemporaryPassword } from './temporary-password';
import { usersConfig, UsersConfig } from './users.config';
import { UsersService } from './users.service';

/** What is not given comes from ADMIN_USERNAME, ADMIN_EMAIL and ADMIN_PASSWORD. */
export interface AdminSeed {
  username?: string;
  email?: string;
  /** Final when given; otherwise a temporary one is generated and must be changed at first login. */
  password?: string;
}

export interface NewUserRequest {
  username: string;
  email: string;
  admin: boolean;
  /** Final password; when absent the account gets a temporary one. */
  password?: string;
  /** Temporary password to hand to the user; generated when neither password is given. */
  temporaryPassword?: string;
}

export interface ProvisionedUser {
  user: UserEntity;
  /** Set only when we generated it: the one moment it can be shown. */
  generatedPassword?: string;
}

export type SeedResult = ({ created: true } & ProvisionedUser) | { created: false; user: UserEntity };

/** How operators create accounts: the CLI commands and the server's first start. */
@Injectable()
export class AccountProvisioningService {
  constructor(
    private readonly users: UsersService,
    @Inject(usersConfig.KEY) private readonly config: UsersConfig,
  ) {}

  /** TEMPORARY_PASSWORD_TTL, for telling the new owner how long their temporary password lasts. */
  get temporaryPasswordTtl(): number {
    return this.config.temporaryPasswordTtl;
  }

  /** Idempotent: an existing account of that name is left as it is. */
  async seedAdmin(seed: AdminSeed = {}): Promise<SeedResult> {
    const defaults = this.config.admin;
    const username = seed.username ?? defaults.username;
    const existing = await this.users.findByUsername(username);
    if (existing) return { created: false, user: existing };
    const provisioned = await this.createUser({
      username,
      email: seed.email ?? defaults.email,
      password: seed.password ?? defaults.password,
      admin: true,
    });
    return { created: true, ...provisioned };
  }

  async createUser(request: NewUserRequest): Promise<ProvisionedUser> {
    const generatedPassword =
      request.password === undefined && request.temporaryPassword === undefined
        ? generateTemporaryPassword()
        : undefined;
    const user = await this.users.createAccount({
      username: request.username,
      email: request.email,
      password: request.password ?? request.temporaryPassword ?? generatedPassword!,
      temporary: request.password === undefined,
      roles: request.admin ? [Role.Admin] : [Role.User],
    });
    return { user, generatedPassword };
  }
}
