import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsUsername } from '../../users/username';

export class ConfirmForgotPasswordDto {
  /** @example "admin" */
  @IsUsername()
  username!: string;

  /**
   * The new password: at least 8 characters, not a common password, not the username.
   * @example "j8BDWYrQwDF5u4Yu"
   */
  @IsNotEmpty()
  @MaxLength(1024)
  @IsString()
  password!: string;

  /**
   * The code from the mail sent by /v1/forgot-password.
   * @example "6MadrbRF"
   */
  @IsNotEmpty()
  @MaxLength(64)
  @IsString()
  confirmation_code!: string;
}
