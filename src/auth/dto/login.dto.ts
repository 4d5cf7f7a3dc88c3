import { PasswordField, UsernameField } from './credential-fields.decorator';

export class LoginDto {
  /**
   * Case-insensitive account name.
   * @example "admin"
   */
  @UsernameField()
  username!: string;

  /**
   * @example "j8BDWYrQwDF5u4Yu"
   */
  @PasswordField()
  password!: string;
}
