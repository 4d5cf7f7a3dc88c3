import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsUsername } from '../../users/username';

export class RefreshTokenDto {
  /**
   * @example "admin"
   */
  @IsUsername()
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
