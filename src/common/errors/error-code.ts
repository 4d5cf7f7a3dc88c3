import { HttpStatus } from '@nestjs/common';

/** Machine-readable error codes, sent as `code` beside `{message, status}`: clients branch on it, not the message. */
export enum ErrorCode {
  InvalidParameter = 'InvalidParameter',
  InvalidPassword = 'InvalidPassword',
  CodeMismatch = 'CodeMismatch',
  ExpiredCode = 'ExpiredCode',
  NotAuthorized = 'NotAuthorized',
  Forbidden = 'Forbidden',
  NotFound = 'NotFound',
  /** The admin API's only: it may tell whether an account exists; nothing else may. */
  UserNotFound = 'UserNotFound',
  PayloadTooLarge = 'PayloadTooLarge',
  UnsupportedMediaType = 'UnsupportedMediaType',
  LimitExceeded = 'LimitExceeded',
  UsernameExists = 'UsernameExists',
  LastAdmin = 'LastAdmin',
  ServiceUnavailable = 'ServiceUnavailable',
  InternalError = 'InternalError',
}

export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.InvalidParameter]: HttpStatus.BAD_REQUEST,
  [ErrorCode.InvalidPassword]: HttpStatus.BAD_REQUEST,
  [ErrorCode.CodeMismatch]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ExpiredCode]: HttpStatus.BAD_REQUEST,
  [ErrorCode.NotAuthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.UserNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.LimitExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.UsernameExists]: HttpStatus.CONFLICT,
  [ErrorCode.LastAdmin]: HttpStatus.CONFLICT,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.InternalError]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** The code a plain HttpException (from Nest, Fastify or a library) is reported under. */
export function codeForStatus(status: number): ErrorCode {
  const match = Object.entries(ERROR_STATUS).find(([, s]) => Number(s) === status);
  return (match?.[0] as ErrorCode | undefined) ?? (status < 500 ? ErrorCode.InvalidParameter : ErrorCode.InternalError);
}
