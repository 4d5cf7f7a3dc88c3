import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { invalidAccessToken } from '../../common/errors/api.exception';
import { Principal } from '../principal';
import { AccessTokensService, assertAccessToken } from '../../tokens/access-tokens.service';
import { RefreshTokensService } from '../../tokens/refresh-tokens.service';

/**
 * Verifies the Bearer access token: the key its kid names, pinned to that key's algorithm,
 * our issuer and audience, `exp` with a few seconds' leeway. `validate` does hit the
 * database, on purpose: an access token dies with the refresh token it came from (revoke,
 * password change), which a signature alone cannot tell. It is one primary-key lookup, skipped for SESSION_CACHE_TTL_MS after a
 * lookup that found the session live (see SessionCache).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: AccessTokensService,
    private readonly sessions: RefreshTokensService,
  ) {
    const { algorithms, issuer, audience, clockTolerance } = tokens.verifyOptions;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The key the token names by kid, pinned to its algorithm (see keyFor). A KeyObject, not a
      // string (see jwt-keys.ts): jsonwebtoken takes one; passport-jwt's types predate that.
      secretOrKeyProvider: (_request, token: string, done) => {
        const key = tokens.keyFor(token);
        if (key) done(null, key.key as unknown as Buffer);
        else done(invalidAccessToken());
      },
      algorithms,
      issuer,
      audience,
      // complete: validate() gets the header too, for its `typ`.
      jsonWebTokenOptions: { clockTolerance, complete: true },
      ignoreExpiration: false,
    });
  }

  /** What guarded handlers receive as the request's user (see @CurrentUser). */
  async validate(decoded: unknown): Promise<Principal> {
    const claims = assertAccessToken(decoded);
    const user = await this.sessions.activeSessionUser(claims.sid, claims.sub);
    if (!user) throw invalidAccessToken();
    return { claims, user };
  }
}
