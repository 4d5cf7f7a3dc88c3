import { TokenField, UsernameField } from './credential-fields.decorator';

export class RefreshTokenDto {
  /**
   * @example "admin"
   */
  @UsernameField()
  username!: string;

  /**
   * The refresh token from login.
   * @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
   */
  @TokenField(512)
  refresh_token!: string;
}
