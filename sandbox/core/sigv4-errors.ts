import { ApiError } from './errors';
import type { SigV4Failure, SigV4FailureKind } from './sigv4';

/**
 * How each protocol family reports a failed signature check. EC2 answers 401 AuthFailure, with one
 * vague message, both for an unknown key and for a wrong signature (AWS's answers quoted in SDK
 * issues show it; moto's EC2 does the same for unknown keys); the other codes and statuses are AWS's
 * common errors. JSON services answer 400 with the Coral exception names (SDK issues quote them); the
 * Query-protocol services (STS, Auto Scaling, CloudWatch; XML errors) answer 403 InvalidClientTokenId and
 * SignatureDoesNotMatch, as their API references' common errors list.
 */
export type AuthErrorFamily = 'ec2' | 'json' | 'query';

interface AuthErrorShape {
  code: string;
  status: number;
  /** AWS's fixed message, where it does not explain the failure. */
  message?: string;
}

const EXPIRED_TOKEN = 'The security token included in the request is expired';

const EC2_AUTH_FAILURE: AuthErrorShape = {
  code: 'AuthFailure',
  status: 401,
  message: 'AWS was not able to validate the provided access credentials',
};
const EC2_REQUEST_EXPIRED: AuthErrorShape = { code: 'RequestExpired', status: 400, message: 'Request has expired.' };

const AUTH_ERRORS: Record<AuthErrorFamily, Record<SigV4FailureKind, AuthErrorShape>> = {
  ec2: {
    missing: {
      code: 'MissingAuthenticationToken',
      status: 403,
      message: 'The request must contain either a valid (registered) AWS access key ID or X.509 certificate.',
    },
    incomplete: { code: 'IncompleteSignature', status: 400 },
    mismatch: EC2_AUTH_FAILURE,
    unknownKey: EC2_AUTH_FAILURE,
    expired: EC2_REQUEST_EXPIRED,
    // EC2 answers expired temporary credentials as an expired request.
    expiredToken: EC2_REQUEST_EXPIRED,
  },
  json: {
    missing: { code: 'MissingAuthenticationTokenException', status: 400, message: 'Missing Authentication Token' },
    incomplete: { code: 'IncompleteSignatureException', status: 400 },
    mismatch: { code: 'InvalidSignatureException', status: 400 },
    unknownKey: { code: 'UnrecognizedClientException', status: 400 },
    expired: { code: 'InvalidSignatureException', status: 400 },
    expiredToken: { code: 'ExpiredTokenException', status: 400, message: EXPIRED_TOKEN },
  },
  query: {
    missing: { code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' },
    incomplete: { code: 'IncompleteSignature', status: 400 },
    mismatch: { code: 'SignatureDoesNotMatch', status: 403 },
    unknownKey: { code: 'InvalidClientTokenId', status: 403 },
    expired: { code: 'SignatureDoesNotMatch', status: 403 },
    expiredToken: { code: 'ExpiredToken', status: 400, message: EXPIRED_TOKEN },
  },
};

export function authError(family: AuthErrorFamily, failure: SigV4Failure): ApiError {
  const shape = AUTH_ERRORS[family][failure.kind];
  return new ApiError(shape.code, shape.message ?? failure.message, shape.status);
}
