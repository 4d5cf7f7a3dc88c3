import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * The caller, as the global guard's strategy resolved it (auth's `Principal`). Typed where it
 * is used, so this cross-cutting layer needs to know no feature.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest<{ user?: unknown }>().user,
);
