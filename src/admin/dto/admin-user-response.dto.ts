import { UserProfileResponseDto, toUserProfile } from '../../users/dto/user-profile-response.dto';
import { UserEntity } from '../../users/entities/user.entity';

/** A user as the admin API shows it: the profile, with its id and last change; never a hash, code or token. */
export class AdminUserResponseDto extends UserProfileResponseDto {
  /** @example "6f1c2b1e-8d0a-4c1e-9a57-0b8f3c6d2e41" */
  id!: string;

  /** @example "2026-11-30T08:15:00.000Z" */
  updated_at!: string;
}

export function toAdminUser(user: UserEntity): AdminUserResponseDto {
  return { id: user.id, ...toUserProfile(user), updated_at: user.updatedAt.toISOString() };
}

export class AdminUserListResponseDto {
  users!: AdminUserResponseDto[];

  /** Pass as `cursor` for the next page; null on the last. @example null */
  next_cursor!: string | null;
}
