import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Algorithm, sign, verify } from 'jsonwebtoken';
import { invalidAccessToken } from '../common/errors/api.exception';
import { AllConfig } from '../config/config.types';
import { Role, UserEntity } from '../users/entities/user.entity';
import { JwtKeys } from './jwt-keys';

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

/** Clock skew tolerated between this service and the machines that present its tokens. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** Signs access and id tokens and verifies access tokens; the only code that touches JWT keys. */
@Injectable()
export class AccessTokensService {
  private readonly keys: JwtKeys;
  private readonly issuer: string;
  private readonly audience: string;
  readonly ttlSeconds: number;

  constructor(@Inject(ConfigService) config: ConfigService<AllConfig, true>) {
    const tokens = config.get('tokens', { infer: true });
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
      options,
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
    let claims: unknown;
    try {
      claims = verify(token, this.keys.verificationKey, this.verifyOptions);
    } catch {
      throw invalidAccessToken();
    }
    return assertAccessClaims(claims);
  }
}

/** An id token or anything else signed with our key is never accepted as an access token. */
export function assertAccessClaims(claims: unknown): AccessTokenClaims {
  const c = claims as Partial<AccessTokenClaims> | null;
  if (!c || c.token_use !== 'access' || typeof c.sub !== 'string' || typeof c.sid !== 'string') {
    throw invalidAccessToken();
  }
  return c as AccessTokenClaims;
}
