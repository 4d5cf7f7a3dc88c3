import { Inject, Injectable, Logger } from '@nestjs/common';
import { Algorithm, sign, verify } from 'jsonwebtoken';
import { invalidAccessToken } from '../common/errors/api.exception';
import { Role, UserEntity } from '../users/entities/user.entity';
import { JwtKeys } from './jwt-keys';
import { TokensConfig, tokensConfig } from './tokens.config';

/** Claims of an access token; `sid` names the refresh token (session) it was issued from. */
export interface AccessTokenClaims {
  sub: string;
  token_use: 'access';
  sid: string;
  username: string;
  roles: Role[];
  iat: number;
  exp: number;
}

export interface IssuedTokens {
  access_token: string;
  id_token: string;
  expires_in: number;
}

/** The JOSE `typ` of access tokens (RFC 9068); id tokens keep the default `JWT`. */
const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Clock skew tolerated between this service and the machines that present its tokens. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** Signs access and id tokens and verifies access tokens; the only code that touches JWT keys. */
@Injectable()
export class AccessTokensService {
  private readonly keys: JwtKeys;
  private readonly issuer: string;
  private readonly audience: string;
  readonly ttlSeconds: number;

  constructor(@Inject(tokensConfig.KEY) config: TokensConfig) {
    const tokens = config;
    this.keys = tokens.keys;
    this.issuer = tokens.issuer;
    this.audience = tokens.audience;
    this.ttlSeconds = tokens.accessTokenTtl;
    if (this.keys.ephemeral) {
      new Logger(AccessTokensService.name).warn(
        'JWT_SECRET is not set: using a random key, so tokens die with this process',
      );
    }
  }

  /** Options every access token is checked with: one algorithm, our issuer and audience. */
  get verifyOptions(): { algorithms: [Algorithm]; issuer: string; audience: string; clockTolerance: number } {
    return {
      algorithms: [this.keys.algorithm],
      issuer: this.issuer,
      audience: this.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
  }

  get verificationKey() {
    return this.keys.verificationKey;
  }

  issue(user: Pick<UserEntity, 'id' | 'username' | 'email' | 'roles'>, sessionId: string): IssuedTokens {
    const options = {
      algorithm: this.keys.algorithm,
      expiresIn: this.ttlSeconds,
      issuer: this.issuer,
      audience: this.audience,
      subject: user.id,
    };
    const access_token = sign(
      { token_use: 'access', sid: sessionId, username: user.username, roles: user.roles },
      this.keys.signingKey,
      { ...options, header: { alg: this.keys.algorithm, typ: ACCESS_TOKEN_TYPE } },
    );
    const id_token = sign(
      { token_use: 'id', username: user.username, email: user.email },
      this.keys.signingKey,
      options,
    );
    return { access_token, id_token, expires_in: this.ttlSeconds };
  }

  /** For tokens that arrive outside the guard (change-password's body). */
  verifyAccessToken(token: string): AccessTokenClaims {
    let decoded: unknown;
    try {
      decoded = verify(token, this.keys.verificationKey, { ...this.verifyOptions, complete: true });
    } catch {
      throw invalidAccessToken();
    }
    return assertAccessToken(decoded);
  }
}

/**
 * What a signature check alone lets through, refused: a token of another kind (an id token,
 * or another service's JWT under the same key: RFC 9068 asks for `typ: at+jwt`), one without
 * `exp` (it would never expire), and one issued in the future. Takes the `complete` form
 * jsonwebtoken returns ({header, payload}), from the guard and from verifyAccessToken alike.
 */
export function assertAccessToken(decoded: unknown, nowSeconds = Date.now() / 1000): AccessTokenClaims {
  const { header, payload } = (decoded ?? {}) as { header?: { typ?: unknown }; payload?: unknown };
  const c = payload as Partial<AccessTokenClaims> | null | undefined;
  const typ = typeof header?.typ === 'string' ? header.typ.toLowerCase() : undefined;
  if (
    !c ||
    (typ !== ACCESS_TOKEN_TYPE && typ !== `application/${ACCESS_TOKEN_TYPE}`) ||
    c.token_use !== 'access' ||
    typeof c.sub !== 'string' ||
    typeof c.sid !== 'string' ||
    typeof c.exp !== 'number' ||
    typeof c.iat !== 'number' ||
    c.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS
  ) {
    throw invalidAccessToken();
  }
  return c as AccessTokenClaims;
}
