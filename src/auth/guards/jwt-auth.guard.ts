import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { invalidAccessToken } from '../../common/errors/api.exception';

/** Registered globally: every route needs an access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic || super.canActivate(context);
  }

  /**
   * A rejected token (expired, bad signature, missing) arrives as no user and becomes one 401
   * in our shape; an error thrown by validate() (say, the database is down) passes unchanged.
   */
  override handleRequest<T>(error: unknown, user: T | false): T {
    if (error) throw error as Error;
    if (!user) throw invalidAccessToken();
    return user;
  }
}
