import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AccessTokenClaims } from '../../tokens/access-tokens.service';
import type { UserEntity } from '../../users/entities/user.entity';

/** Who is calling: the verified access-token claims and the account, as the guard loaded it. */
export interface Principal {
  claims: AccessTokenClaims;
  user: UserEntity;
}

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>().user,
);
