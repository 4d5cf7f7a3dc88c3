import { IsOptional } from 'class-validator';
import { PasswordField, TokenField, UsernameField } from './credential-fields.decorator';

/** With an access token, no body is needed; from an MFA_SETUP challenge, its session. */
export class MfaSetupDto {
  /**
   * The session from the login that answered MFA_SETUP (without an access token).
   * @example "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.p5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0Zr9VtK2wL"
   */
  @IsOptional()
  @TokenField(512)
  session?: string;

  /** With `session`: the account it was issued to. @example "alice" */
  @IsOptional()
  @UsernameField()
  username?: string;
}

export class MfaVerifyDto extends MfaSetupDto {
  /** The authenticator app's current 6-digit code. @example "492039" */
  @TokenField(64)
  code!: string;
}

export class MfaDisableDto {
  /** The account's password. @example "j8BDWYrQwDF5u4Yu" */
  @PasswordField()
  password!: string;
}
