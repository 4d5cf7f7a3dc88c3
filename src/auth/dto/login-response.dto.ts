import { ApiProperty } from '@nestjs/swagger';
import { ChallengeKind } from '../../tokens/entities/challenge-session.entity';

/** The challenges login answers with: the kinds of challenge session (one name, one enum). */
export { ChallengeKind as ChallengeName };

/** Login's answer: either tokens, or a challenge with a session to answer it with. */
export class LoginResponseDto {
  /**
   * Set when the account must act before it gets tokens.
   * @example null
   */
  challenge_name!: ChallengeKind | null;

  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl" */
  id_token!: string | null;

  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl" */
  access_token!: string | null;

  /** @example "0b5a3c1e-8f4d-4c2a-9a51-3f0e6d7b2c18.q3Xb7m0Zr9VtK2wLp5sN8cF1hJ4yG6dE0aB3uR7iQ2o" */
  refresh_token!: string | null;

  /**
   * Opaque, single-use; answer the challenge with it: NEW_PASSWORD_REQUIRED at
   * /v1/new-password-required, SOFTWARE_TOKEN_MFA at /v1/software-token-mfa, MFA_SETUP at
   * /v1/mfa/totp/setup and then /v1/mfa/totp/verify.
   * @example null
   */
  session!: string | null;

  /**
   * Lifetime in seconds of the access token, or of the session when a challenge is set.
   * @example 86400
   */
  @ApiProperty({ type: 'integer' })
  expires_in!: number;

  /**
   * Present with tokens, absent with a challenge.
   * @example "Bearer"
   */
  token_type?: 'Bearer';
}

const ID_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl';
const ACCESS_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl';
const REFRESH_TOKEN = '0b5a3c1e-8f4d-4c2a-9a51-3f0e6d7b2c18.q3Xb7m0Zr9VtK2wLp5sN8cF1hJ4yG6dE0aB3uR7iQ2o';

/** Login's two answers, for the docs: a schema example can show neither both nor a null. */
export const LOGIN_RESPONSE_EXAMPLES = {
  tokens: {
    summary: 'Logged in: tokens',
    value: {
      challenge_name: null,
      session: null,
      id_token: ID_TOKEN,
      access_token: ACCESS_TOKEN,
      refresh_token: REFRESH_TOKEN,
      expires_in: 86400,
      token_type: 'Bearer',
    },
  },
  challenge: {
    summary: 'Temporary password: the NEW_PASSWORD_REQUIRED challenge',
    value: {
      challenge_name: ChallengeKind.NewPasswordRequired,
      session: '5f1d2c3b-7a8e-4f90-b1c2-d3e4f5a6b7c8.Vt2wLp5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0Zr9',
      id_token: null,
      access_token: null,
      refresh_token: null,
      expires_in: 180,
    },
  },
  mfa: {
    summary: 'A second factor is on: the SOFTWARE_TOKEN_MFA challenge',
    value: {
      challenge_name: ChallengeKind.SoftwareTokenMfa,
      session: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.p5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0Zr9VtK2wL',
      id_token: null,
      access_token: null,
      refresh_token: null,
      expires_in: 180,
    },
  },
};

export class RefreshResponseDto {
  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl" */
  id_token!: string;

  /** @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl" */
  access_token!: string;

  /**
   * Lifetime in seconds of the new access token.
   * @example 86400
   */
  @ApiProperty({ type: 'integer' })
  expires_in!: number;

  /**
   * Only with REFRESH_TOKEN_ROTATION=true: the token to use next time.
   * @example "0b5a3c1e-8f4d-4c2a-9a51-3f0e6d7b2c18.Zr9VtK2wLp5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0"
   */
  refresh_token?: string;

  /** @example "Bearer" */
  token_type!: 'Bearer';
}
