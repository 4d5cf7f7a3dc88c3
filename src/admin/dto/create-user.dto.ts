import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { UsernameField } from '../../auth/dto/credential-fields.decorator';
import type { Role } from '../../users/entities/user.entity';
import { RolesField } from './role-fields';

export class CreateUserDto {
  /** Kept in canonical form (NFKC, lower case). @example "alice" */
  @UsernameField()
  username!: string;

  /** @example "alice@example.com" */
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email!: string;

  /**
   * A final password. Give this or `temporary_password`, or neither: then a temporary one is
   * generated and mailed to the user, never answered.
   * @example "b2BDWZrQwDF5u4Yu"
   */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @IsNotEmpty()
  password?: string;

  /**
   * A temporary password to hand over yourself: the first login answers NEW_PASSWORD_REQUIRED.
   * @example "Temporary-Pass-42"
   */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @IsNotEmpty()
  temporary_password?: string;

  /** Default `["user"]`. */
  @RolesField()
  roles?: Role[];
}
