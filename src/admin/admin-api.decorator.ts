import { applyDecorators, createParamDecorator, ExecutionContext, HttpStatus, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiError, BEARER_SCHEME } from '../common/decorators/api-errors.decorator';
import { Public } from '../common/decorators/public.decorator';
import type { AdminActor } from './admin-actor';
import { AdminGuard, AdminRequest } from './admin.guard';

/** The name setupSwagger gives the ADMIN_API_KEYS scheme. */
export const ADMIN_KEY_SCHEME = 'admin-key';

/**
 * An admin API controller: past the global access-token guard (whose check AdminGuard makes
 * itself, with the role), an admin's token or an API key, either one (two security
 * requirements are alternatives in OpenAPI).
 */
export function AdminApi() {
  return applyDecorators(
    Public(),
    UseGuards(AdminGuard),
    ApiTags('Admin'),
    ApiBearerAuth(BEARER_SCHEME),
    ApiBearerAuth(ADMIN_KEY_SCHEME),
    ApiError(HttpStatus.UNAUTHORIZED, 'An admin access token or API key is required.'),
    ApiError(HttpStatus.FORBIDDEN, 'The admin API is for admins only.'),
    ApiError(HttpStatus.SERVICE_UNAVAILABLE),
  );
}

/** The caller AdminGuard let in. */
export const Actor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AdminActor =>
    context.switchToHttp().getRequest<AdminRequest>().adminActor!,
);
