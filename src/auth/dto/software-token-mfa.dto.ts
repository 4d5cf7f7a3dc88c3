import { TokenField, UsernameField } from './credential-fields.decorator';

export class SoftwareTokenMfaDto {
  /**
   * The session from the login that answered SOFTWARE_TOKEN_MFA.
   * @example "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.p5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0Zr9VtK2wL"
   */
  @TokenField(512)
  session!: string;

  /** @example "alice" */
  @UsernameField()
  username!: string;

  /**
   * The authenticator app's current 6-digit code, or one of the recovery codes.
   * @example "492039"
   */
  @TokenField(64)
  code!: string;
}
