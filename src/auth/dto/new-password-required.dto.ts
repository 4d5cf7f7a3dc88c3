import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsUsername } from '../../users/username';

export class NewPasswordRequiredDto {
  /**
   * The session from the login that answered NEW_PASSWORD_REQUIRED.
   * @example "eyJhbGcisInR5cCI6IkOiJIUzI1NiIpXVCJ9"
   */
  @IsNotEmpty()
  @MaxLength(512)
  @IsString()
  session!: string;

  /** @example "admin" */
  @IsUsername()
  username!: string;

  /**
   * At least 8 characters, not a common password, not the username.
   * @example "b2BDWZrQwDF5u4Yu"
   */
  @IsNotEmpty()
  @MaxLength(1024)
  @IsString()
  new_password!: string;
}
