import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';

/** What Swagger shows of the admin routes' shared parts: the path's username and two errors. */
export const USERNAME_PARAM = { name: 'username', description: 'In any letter case', example: 'alice' };

export const USER_NOT_FOUND = [HttpStatus.NOT_FOUND, 'User not found.', ErrorCode.UserNotFound] as const;

export const LAST_ADMIN = [
  HttpStatus.CONFLICT,
  'The last active admin cannot be disabled, demoted or deleted.',
  ErrorCode.LastAdmin,
] as const;
