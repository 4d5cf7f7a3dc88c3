import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';

export const userNotFound = () => new ApiException(ErrorCode.UserNotFound, 'User not found.');

export const lastAdmin = () =>
  new ApiException(ErrorCode.LastAdmin, 'The last active admin cannot be disabled, demoted or deleted.');
