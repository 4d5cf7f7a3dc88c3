import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../database/database-errors';
import { ApiException } from '../errors/api.exception';
import { codeForStatus, ErrorCode } from '../errors/error-code';

export interface ErrorBody {
  message: string;
  status: number;
  code: ErrorCode;
}

/** Messages for errors raised outside our code (Fastify, Nest), where the text is theirs. */
const FIXED_MESSAGES: Partial<Record<number, string>> = {
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body is too large.',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Request body must be JSON (Content-Type: application/json).',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service temporarily unavailable; try again shortly.',
};

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof ApiException) {
    return { message: exception.message, status: exception.getStatus(), code: exception.code };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { message: FIXED_MESSAGES[status] ?? httpMessage(exception), status, code: codeForStatus(status) };
  }
  if (isDatabaseUnavailable(exception)) {
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    return { message: FIXED_MESSAGES[status]!, status, code: ErrorCode.ServiceUnavailable };
  }
  return { message: 'Internal server error.', status: HttpStatus.INTERNAL_SERVER_ERROR, code: ErrorCode.InternalError };
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * The single place where an error becomes a response: every layer's failure leaves in the one
 * shape clients parse, `{message, status, code}`, and nothing internal (stack, SQL) is sent.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(exception);
    // The request id is also the response's X-Request-Id, so a client's report finds this line.
    const requestId = host.switchToHttp().getRequest<FastifyRequest>().id;
    if (body.code === ErrorCode.ServiceUnavailable) {
      this.logger.warn(`[${requestId}] Dependency unavailable: ${describe(exception)}`);
    } else if (body.status >= 500) {
      // A driver error's stack starts with its message, which can quote SQL values: keep it out.
      const stack =
        exception instanceof Error && !(exception instanceof QueryFailedError) ? exception.stack : undefined;
      this.logger.error(`[${requestId}] ${describe(exception)}`, stack);
    }

    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ApiException && exception.retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    }
    void reply.header('Cache-Control', 'no-store').status(body.status).send(body);
  }
}

/** Error class and code only: driver messages can quote SQL parameters, which may be secrets. */
function describe(exception: unknown): string {
  if (!(exception instanceof Error)) return String(exception);
  const code = (exception as { code?: unknown }).code;
  return `${exception.name}${typeof code === 'string' ? ` (${code})` : ''}`;
}
