import { LoginResponseDto } from './login-response.dto';

export class MfaSetupResponseDto {
  /** The secret, base32, for typing into an authenticator app. @example "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" */
  secret_code!: string;

  /** @example "otpauth://totp/auth-service:alice?issuer=auth-service&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30" */
  otpauth_uri!: string;

  /** The URI as a QR code, an SVG data URL a page can show as an image. @example "data:image/svg+xml;base64,PHN2Zy..." */
  qr_code!: string;
}

export class RecoveryCodesResponseDto {
  /** @example "The second factor is on." */
  message!: string;

  /** @example 200 */
  status!: number;

  /**
   * Ten single-use codes that stand in for the authenticator; shown only now.
   * @example ["k7m2p-x9q4r", "h3n8t-w2c6v"]
   */
  recovery_codes!: string[];
}

export class MfaLoginResponseDto extends LoginResponseDto {
  /**
   * Ten single-use codes that stand in for the authenticator; shown only now.
   * @example ["k7m2p-x9q4r", "h3n8t-w2c6v"]
   */
  recovery_codes!: string[];
}
