import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { bearerCredential } from '../common/http/bearer';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { Role, UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import type { AdminActor } from './admin-actor';
import { AdminApiKeys, matchAdminApiKey } from './admin-api-keys';
import { AdminConfig, adminConfig } from './admin.config';

export type AdminRequest = FastifyRequest & { adminActor?: AdminActor };

export const badAdminCredential = () =>
  new ApiException(ErrorCode.NotAuthorized, 'An admin access token or API key is required.');

/**
 * The admin API's door: a key from ADMIN_API_KEYS, or the access token of a live session whose
 * user is an admin. The role is read from the database on every request (no cache), so a
 * demotion or a disable shuts the door at once. 401 without a credential or with a bad one;
 * 403 for a valid token of anyone else.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly keys: AdminApiKeys;

  constructor(
    private readonly accessTokens: AccessTokensService,
    private readonly sessions: RefreshTokensService,
    private readonly users: UsersService,
    @Inject(adminConfig.KEY) config: AdminConfig,
  ) {
    this.keys = config.apiKeys;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const credential = bearerCredential(request.headers.authorization);
    if (!credential) throw badAdminCredential();
    request.adminActor = await this.actorOf(credential);
    return true;
  }

  private async actorOf(credential: string): Promise<AdminActor> {
    const key = matchAdminApiKey(this.keys, credential);
    if (key) return { actor: `key:${key}` };
    let claims;
    try {
      claims = this.accessTokens.verifyAccessToken(credential);
    } catch {
      throw badAdminCredential();
    }
    if (!(await this.sessions.activeSessionUser(claims.sid, claims.sub))) throw badAdminCredential();
    const user = await this.users.findById(claims.sub);
    if (!user || user.status === UserStatus.Disabled) throw badAdminCredential();
    if (!user.roles.includes(Role.Admin)) {
      throw new ApiException(ErrorCode.Forbidden, 'The admin API is for admins only.');
    }
    return { actor: `user:${user.username}` };
  }
}
