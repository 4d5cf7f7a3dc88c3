import { Role, UserEntity, UserStatus } from '../../users/entities/user.entity';

/** A user as the admin API shows it: never a hash, code or token. */
export class AdminUserResponseDto {
  /** @example "6f1c2b1e-8d0a-4c1e-9a57-0b8f3c6d2e41" */
  id!: string;

  /** @example "alice" */
  username!: string;

  /** @example "alice@example.com" */
  email!: string;

  /** @example "ACTIVE" */
  status!: UserStatus;

  /** @example ["user"] */
  roles!: Role[];

  /** Whether a second factor is set up. @example false */
  mfa_enabled!: boolean;

  /** @example "2026-11-29T10:00:00.000Z" */
  created_at!: string;

  /** @example "2026-11-30T08:15:00.000Z" */
  updated_at!: string;
}

export function toAdminUser(user: UserEntity): AdminUserResponseDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    status: user.status,
    roles: user.roles,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

export class AdminUserListResponseDto {
  users!: AdminUserResponseDto[];

  /** Pass as `cursor` for the next page; null on the last. @example null */
  next_cursor!: string | null;
}
