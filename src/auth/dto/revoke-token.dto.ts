import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RevokeTokenDto {
  /**
   * The refresh token to revoke, with every access token issued from it.
   * @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
   */
  @IsNotEmpty()
  @MaxLength(512)
  @IsString()
  refresh_token!: string;
}
