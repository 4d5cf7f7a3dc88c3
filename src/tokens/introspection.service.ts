import { Inject, Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { AccessTokensService } from './access-tokens.service';
import { RefreshTokensService } from './refresh-tokens.service';
import { authenticateClient, IntrospectionClients } from './introspection-clients';
import { TokensConfig, tokensConfig } from './tokens.config';
import { IntrospectionResponseDto } from './dto/introspection-response.dto';

const INACTIVE: IntrospectionResponseDto = Object.freeze({ active: false });

/**
 * RFC 7662 for the services behind this one: is this access token live right now? The same
 * checks as the guard (signature by kid, claims, and the session), so a revocation shows at
 * once here and, with REDIS_URL, within a second on every instance.
 */
@Injectable()
export class IntrospectionService {
  private readonly clients: IntrospectionClients;

  constructor(
    private readonly accessTokens: AccessTokensService,
    private readonly sessions: RefreshTokensService,
    @Inject(tokensConfig.KEY) config: TokensConfig,
  ) {
    this.clients = config.introspectionClients;
  }

  /** The client an `Authorization: Basic` header names and proves, or undefined. */
  client(authorization: string | undefined): string | undefined {
    return authenticateClient(this.clients, authorization);
  }

  /** Exactly `{active: false}` for anything that is not a live access token, whatever the reason. */
  async introspect(token: string): Promise<IntrospectionResponseDto> {
    let claims;
    try {
      claims = this.accessTokens.verifyAccessToken(token);
    } catch (error) {
      if (error instanceof ApiException) return INACTIVE;
      throw error;
    }
    const user = await this.sessions.activeSessionUser(claims.sid, claims.sub);
    if (!user) return INACTIVE;
    return {
      active: true,
      sub: claims.sub,
      // The account as it is now: a rename or a demotion shows before the token expires.
      username: user.username,
      token_use: 'access',
      sid: claims.sid,
      roles: user.roles,
      iat: claims.iat,
      exp: claims.exp,
      iss: this.accessTokens.issuer,
      aud: this.accessTokens.audience,
    };
  }
}
