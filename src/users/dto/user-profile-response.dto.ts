import { Role, UserEntity, UserStatus } from '../entities/user.entity';

export class UserProfileResponseDto {
  /** @example "admin" */
  username!: string;

  /** @example "admin@example.com" */
  email!: string;

  /** @example "ACTIVE" */
  status!: UserStatus;

  /** @example ["admin"] */
  roles!: Role[];

  /** Whether login asks for a second factor. @example false */
  mfa_enabled!: boolean;

  /** @example "2026-11-29T10:00:00.000Z" */
  created_at!: string;
}

/** The only shape a user leaves the service in: never a hash or an internal flag. */
export function toUserProfile(user: UserEntity): UserProfileResponseDto {
  return {
    username: user.username,
    email: user.email,
    status: user.status,
    roles: user.roles,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt.toISOString(),
  };
}
