import { TokenField } from './credential-fields.decorator';

export class RevokeTokenDto {
  /**
   * The refresh token to revoke, with every access token issued from it.
   * @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
   */
  @TokenField(512)
  refresh_token!: string;
}
