import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorResponseDto } from '../dto/message-response.dto';
import { codeForStatus, ErrorCode } from '../errors/error-code';

/** The name setupSwagger gives the access-token scheme (DocumentBuilder.addBearerAuth's default). */
export const BEARER_SCHEME = 'bearer';

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Malformed JSON, a missing or mistyped field, or a rejected value',
  [HttpStatus.UNAUTHORIZED]: 'Wrong credentials, or an invalid, expired or revoked token',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body over the size limit',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Request body is not JSON',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too many attempts; see Retry-After',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'The database is unavailable; the request had no effect',
};

/** What Swagger UI shows for each status: a real answer of that status, not one shared example. */
const EXAMPLE_MESSAGES: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Request body is not valid JSON.',
  [HttpStatus.UNAUTHORIZED]: 'Incorrect username or password.',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body is too large.',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Request body must be JSON (Content-Type: application/json).',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too many failed attempts; try again later.',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service temporarily unavailable; try again shortly.',
};

/** Every 429 (per-IP limit, per-account limit, login lockout) says when to come back. */
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', example: 60 } },
};

/**
 * One `{message, status, code}` error response; `message` replaces the example's default
 * wording, `code` the status's usual code where the route answers another (UserNotFound).
 */
export function ApiError(status: HttpStatus, message?: string, code?: ErrorCode) {
  return ApiResponse({
    status,
    description: DESCRIPTIONS[status] ?? HttpStatus[status],
    type: ErrorResponseDto,
    example: {
      message: message ?? EXAMPLE_MESSAGES[status] ?? HttpStatus[status],
      status,
      code: code ?? codeForStatus(status),
    },
    ...(status === HttpStatus.TOO_MANY_REQUESTS ? { headers: RETRY_AFTER } : {}),
  });
}

/** Documents the `{message, status}` error responses a route can give. */
export function ApiErrors(...statuses: HttpStatus[]) {
  return applyDecorators(...statuses.map((status) => ApiError(status)));
}

/** Every error a JSON POST route can give besides its own. */
export const JSON_BODY_ERRORS = [
  HttpStatus.BAD_REQUEST,
  HttpStatus.PAYLOAD_TOO_LARGE,
  HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  HttpStatus.SERVICE_UNAVAILABLE,
] as const;

/** A route behind the access-token guard. */
export function Authenticated() {
  return applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiError(HttpStatus.UNAUTHORIZED, 'Invalid or expired access token.'),
    ApiError(HttpStatus.SERVICE_UNAVAILABLE),
  );
}

/**
 * A public route that also takes the access token as `Authorization: Bearer` (change-password,
 * whose token may come in the body instead): the empty requirement marks the header optional.
 */
export function OptionalBearer() {
  return applyDecorators(ApiBearerAuth(BEARER_SCHEME), ApiSecurity({}));
}
