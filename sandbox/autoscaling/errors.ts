import { ApiError } from '../core/errors';

/** Auto Scaling's refusal of a request that breaks a rule of the API (400 ValidationError), in the sandbox's words where AWS's are unpublished. */
export function validationError(message: string): ApiError {
  return new ApiError('ValidationError', message);
}
