export enum ChallengeName {
  NewPasswordRequired = 'NEW_PASSWORD_REQUIRED',
}

/** Login's answer: either tokens, or a challenge with a session to answer it with. */
export class LoginResponseDto {
  /**
   * Set when the account must act before it gets tokens.
   * @example null
   */
  challenge_name!: ChallengeName | null;

  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl" */
  id_token!: string | null;

  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl" */
  access_token!: string | null;

  /** @example "0b5a3c1e-8f4d-4c2a-9a51-3f0e6d7b2c18.q3Xb7m0Zr9VtK2wLp5sN8cF1hJ4yG6dE0aB3uR7iQ2o" */
  refresh_token!: string | null;

  /**
   * Opaque, single-use; answer the challenge with it at /v1/new-password-required.
   * @example null
   */
  session!: string | null;

  /**
   * Lifetime in seconds of the access token, or of the session when a challenge is set.
   * @example 86400
   */
  expires_in!: number;

  /** @example "Bearer" */
  token_type!: 'Bearer';
}

export class RefreshResponseDto {
  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl" */
  id_token!: string;

  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl" */
  access_token!: string;

  /** @example 86400 */
  expires_in!: number;

  /**
   * Only with REFRESH_TOKEN_ROTATION=true: the token to use next time.
   */
  refresh_token?: string;

  /** @example "Bearer" */
  token_type!: 'Bearer';
}
