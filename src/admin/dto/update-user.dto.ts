import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import type { Role } from '../../users/entities/user.entity';
import { RolesField } from './role-fields';

/** At least one field. */
export class UpdateUserDto {
  /** @example "alice@example.org" */
  @IsOptional()
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email?: string;

  /** Taking `admin` from the last active admin is refused (409). */
  @RolesField()
  roles?: Role[];
}
