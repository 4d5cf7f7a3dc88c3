import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../dto/message-response.dto';

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Malformed JSON, a missing or mistyped field, or a rejected value',
  [HttpStatus.UNAUTHORIZED]: 'Wrong credentials, or an invalid, expired or revoked token',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body over the size limit',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Request body is not JSON',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too many attempts; see Retry-After',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'The database is unavailable; the request had no effect',
};

/** Documents the `{message, status}` error responses a route can give. */
export function ApiErrors(...statuses: HttpStatus[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? HttpStatus[status], type: ErrorResponseDto }),
    ),
  );
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
  return applyDecorators(ApiBearerAuth(), ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.SERVICE_UNAVAILABLE));
}
