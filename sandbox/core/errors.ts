/**
 * An error the sandbox reports to the client in the service's own wire format
 * (EC2 XML, AppStream JSON). Anything else thrown is reported as InternalError.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function missingParameter(name: string): ApiError {
  return new ApiError('MissingParameter', `The request must contain the parameter ${name}`);
}

export function invalidParameterValue(message: string): ApiError {
  return new ApiError('InvalidParameterValue', message);
}

export function invalidParameterCombination(message: string): ApiError {
  return new ApiError('InvalidParameterCombination', message);
}
