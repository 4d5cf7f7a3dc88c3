import { PasswordField, TokenField, UsernameField } from './credential-fields.decorator';

export class NewPasswordRequiredDto {
  /**
   * The session from the login that answered NEW_PASSWORD_REQUIRED.
   * @example "eyJhbGcisInR5cCI6IkOiJIUzI1NiIpXVCJ9"
   */
  @TokenField(512)
  session!: string;

  /** @example "admin" */
  @UsernameField()
  username!: string;

  /**
   * At least 8 characters, not a common password, not the username.
   * @example "b2BDWZrQwDF5u4Yu"
   */
  @PasswordField()
  new_password!: string;
}
