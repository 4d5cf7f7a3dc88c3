import { IsOptional } from 'class-validator';
import { PasswordField, TokenField } from './credential-fields.decorator';

export class ChangePasswordDto {
  /**
   * The caller's access token; may be sent as `Authorization: Bearer` instead.
   * @example "sInR5cCI6IkpXVCJ9eyJhbGciOiJIUzI1NiI"
   */
  @IsOptional()
  @TokenField(4096)
  access_token?: string;

  /** @example "j8BDWYrQwDF5u4Yu" */
  @PasswordField()
  previous_password!: string;

  /**
   * At least 8 characters, not a common password, not the username.
   * @example "b2BDWZrQwDF5u4Yu"
   */
  @PasswordField()
  proposed_password!: string;
}
