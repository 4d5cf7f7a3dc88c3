import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RefreshTokenDto {
  /**
   * @example "admin"
   */
  @IsNotEmpty()
  @MaxLength(128)
  @IsString()
  username!: string;

  /**
   * The refresh token from login.
   * @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
   */
  @IsNotEmpty()
  @MaxLength(512)
  @IsString()
  refresh_token!: string;
}
