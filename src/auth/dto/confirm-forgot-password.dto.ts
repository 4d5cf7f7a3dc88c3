import { PasswordField, TokenField, UsernameField } from './credential-fields.decorator';

export class ConfirmForgotPasswordDto {
  /** @example "admin" */
  @UsernameField()
  username!: string;

  /**
   * The new password: at least 8 characters, not a common password, not the username.
   * @example "j8BDWYrQwDF5u4Yu"
   */
  @PasswordField()
  password!: string;

  /**
   * The code from the mail sent by /v1/forgot-password.
   * @example "6MadrbRF"
   */
  @TokenField(64)
  confirmation_code!: string;
}
