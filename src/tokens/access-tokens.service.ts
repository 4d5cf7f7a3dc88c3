import { Inject, Injectable, Logger } from '@nestjs/common';
import { Algorithm, sign, verify } from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { hash } from 'node:crypto';
import { invalidAccessToken } from '../common/errors/api.exception';
import { Role, UserEntity } from '../users/entities/user.entity';
import { JwtAlgorithm, JwtKeys, VerificationKey } from './jwt-keys';
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

/** Access tokens whose signature and claims were checked, remembered by verifyAccessToken. */
const VERIFIED_TOKENS_KEPT = 10_000;

/** Header members that would let a token bring its own key (RFC 8725 3.10): never honoured. */
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'];

/** The JOSE header of a compact JWT, or undefined when it is not one. */
function headerOf(token: string): Record<string, unknown> | undefined {
  const end = token.indexOf('.');
  if (end <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && !Array.isArray(header)
      ? (header as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Signs access and id tokens and verifies access tokens; the only code that touches JWT keys. */
@Injectable()
export class AccessTokensService {
  private readonly keys: JwtKeys;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  /**
   * Verified tokens by SHA-256 digest. A resource server introspects the same token at each of
   * its user's calls, and what a signed token says never changes: a second check of its
   * signature would cost more than the rest of introspection. Expiry is checked at every use;
   * whether the session still lives is the caller's check, every time. Keys are read at start,
   * so the cache never outlives one (JWT_PREVIOUS_KEYS changes need a restart).
   */
  private readonly verified = new LRUCache<string, AccessTokenClaims>({ max: VERIFIED_TOKENS_KEPT });

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

  /**
   * Options every access token is checked with: our issuer and audience, and the algorithms of
   * the accepted keys (keyFor pins each token to its own key's).
   */
  get verifyOptions(): { algorithms: Algorithm[]; issuer: string; audience: string; clockTolerance: number } {
    const algorithms = new Set<JwtAlgorithm>([...this.keys.accepted.values()].map((key) => key.algorithm));
    return {
      algorithms: [...algorithms],
      issuer: this.issuer,
      audience: this.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
  }

  /**
   * The key a token names by `kid`, if it is one we accept and the token's `alg` is that key's
   * own: an RSA public key can never serve as an HS256 secret. A token without `kid` (issued
   * before kids were) is checked against the current key. A header that brings its own key is
   * refused outright.
   */
  keyFor(token: string): VerificationKey | undefined {
    const header = headerOf(token);
    if (!header || KEY_CARRYING_HEADERS.some((name) => name in header)) return undefined;
    const { kid } = header;
    const key =
      kid === undefined
        ? this.keys.accepted.get(this.keys.kid)
        : typeof kid === 'string'
          ? this.keys.accepted.get(kid)
          : undefined;
    return key && header.alg === key.algorithm ? key : undefined;
  }

  /** What new tokens are signed with. */
  get algorithm(): JwtAlgorithm {
    return this.keys.algorithm;
  }

  /** Every accepted asymmetric key's public JWK, the current one first; an HMAC secret has none. */
  publicJwks(): Record<string, string>[] {
    return [...this.keys.accepted.values()].flatMap((key) =>
      key.jwk ? [{ ...key.jwk } as Record<string, string>] : [],
    );
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
      { ...options, header: { alg: this.keys.algorithm, typ: ACCESS_TOKEN_TYPE, kid: this.keys.kid } },
    );
    const id_token = sign({ token_use: 'id', username: user.username, email: user.email }, this.keys.signingKey, {
      ...options,
      keyid: this.keys.kid,
    });
    return { access_token, id_token, expires_in: this.ttlSeconds };
  }

  /**
   * For tokens that arrive outside the guard: introspection, the admin API, change-password's
   * body. A token verified before is known by its digest and only its expiry checked again.
   */
  verifyAccessToken(token: string): AccessTokenClaims {
    const digest = hash('sha256', token, 'base64url');
    const known = this.verified.get(digest);
    if (known) {
      // jsonwebtoken's own rule: expired once now >= exp + tolerance.
      if (Date.now() / 1000 < known.exp + CLOCK_TOLERANCE_SECONDS) return known;
      this.verified.delete(digest);
      throw invalidAccessToken();
    }
    const key = this.keyFor(token);
    if (!key) throw invalidAccessToken();
    let decoded: unknown;
    try {
      decoded = verify(token, key.key, { ...this.verifyOptions, algorithms: [key.algorithm], complete: true });
    } catch {
      throw invalidAccessToken();
    }
    const claims = Object.freeze(assertAccessToken(decoded));
    this.verified.set(digest, claims);
    return claims;
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
