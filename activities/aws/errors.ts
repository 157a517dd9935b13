/**
 * The one place that turns AWS SDK errors into Temporal failures. The rule is AWS's own guidance:
 * throttling, 5xx and network trouble are retried (the activity's retry policy backs off); any other
 * 4xx means the request itself is wrong, so retrying would only repeat the mistake.
 */
import { ApplicationFailure } from '@temporalio/common';

interface AwsErrorInfo {
  code: string;
  message: string;
  status?: number;
  retryable: boolean;
}

const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'SlowDown',
]);

const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_ERRORS = new Set([
  'TimeoutError',
  'AbortError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'socket hang up',
]);

interface SdkError extends Error {
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function classifyAwsError(err: unknown): AwsErrorInfo {
  if (err instanceof ApplicationFailure) {
    return { code: err.type ?? 'ApplicationFailure', message: err.message, retryable: !err.nonRetryable };
  }
  const e = err as SdkError;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'UnknownError');
  const status = e.$metadata?.httpStatusCode;
  const message = e.message || code;
  const retryable =
    THROTTLING_CODES.has(code) ||
    code.startsWith('Throttling') ||
    TRANSIENT_CODES.has(code) ||
    (status !== undefined && status >= 500) ||
    e.$fault === 'server' ||
    NETWORK_ERRORS.has(code) ||
    (e.code !== undefined && NETWORK_ERRORS.has(e.code)) ||
    NETWORK_ERRORS.has(message);
  return { code, message, status, retryable };
}

export function isAwsErrorCode(err: unknown, ...codes: string[]): boolean {
  return codes.includes(classifyAwsError(err).code);
}

/** A failure whose type is AWS's error code and whose message carries AWS's own words. */
export function toTemporalFailure(err: unknown, action: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const info = classifyAwsError(err);
  return ApplicationFailure.create({
    type: info.code,
    message: `${action} failed: ${info.code}: ${info.message}`,
    nonRetryable: !info.retryable,
    details: [{ code: info.code, status: info.status, action }],
    cause: err instanceof Error ? err : undefined,
  });
}
