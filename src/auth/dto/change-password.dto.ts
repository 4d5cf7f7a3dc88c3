import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class ChangePasswordDto {
  /**
   * The caller's access token; may be sent as `Authorization: Bearer` instead.
   * @example "sInR5cCI6IkpXVCJ9eyJhbGciOiJIUzI1NiI"
   */
  @IsOptional()
  @IsNotEmpty()
  @MaxLength(4096)
  @IsString()
  access_token?: string;

  /** @example "j8BDWYrQwDF5u4Yu" */
  @IsNotEmpty()
  @MaxLength(1024)
  @IsString()
  previous_password!: string;

  /**
   * At least 8 characters, not a common password, not the username.
   * @example "b2BDWZrQwDF5u4Yu"
   */
  @IsNotEmpty()
  @MaxLength(1024)
  @IsString()
  proposed_password!: string;
}
