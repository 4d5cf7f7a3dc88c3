import { HttpException, HttpStatus } from '@nestjs/common';
import { ERROR_STATUS, ErrorCode } from './error-code';

/** What services throw: a code that fixes the status, and a message safe to show a client. */
export class ApiException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds a client should wait; sent as Retry-After with a 429. */
    readonly retryAfterSeconds?: number,
    /** Only where the contract gives one code two statuses: CodeMismatch is 401 for a one-time code. */
    status: HttpStatus = ERROR_STATUS[code],
  ) {
    super(message, status);
  }
}

/** One wording for every failed credential check, so the reason never leaks. */
export const BAD_CREDENTIALS = 'Incorrect username or password.';

export const badCredentials = () => new ApiException(ErrorCode.NotAuthorized, BAD_CREDENTIALS);

export const invalidAccessToken = () => new ApiException(ErrorCode.NotAuthorized, 'Invalid or expired access token.');
