import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

function firstMessage(errors: ValidationError[], parent = ''): string {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const constraint = error.constraints && Object.values(error.constraints)[0];
    if (constraint) return constraint.replace(error.property, path);
    const nested = error.children?.length ? firstMessage(error.children, path) : '';
    if (nested) return nested;
  }
  return 'Request body is invalid.';
}

/**
 * Strict request validation: unknown fields are an error rather than silently dropped, a
 * non-object body is refused, and the first failed rule is reported in plain words.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ApiException(ErrorCode.InvalidParameter, firstMessage(errors)),
  });
}
