/**
 * The one place that turns AWS SDK errors into Temporal failures. The rule is AWS's own guidance:
 * throttling, 5xx, network trouble, conflicting concurrent changes and expired temporary credentials
 * are retried (the activity's retry policy backs off; the next attempt signs with refreshed
 * credentials); any other 4xx means the request itself is wrong, so retrying would only repeat the
 * mistake. Where the SDK's service model marks an error retryable (`$retryable`), that counts too.
 */
import { ApplicationFailure } from '@temporalio/common';

interface AwsErrorInfo {
  code: string;
  message: string;
  status?: number;
  retryable: boolean;
  /** The call was refused for its rate, not for what it asked. */
  throttling: boolean;
}

const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  // Not `LimitExceededException`: AppStream (and Auto Scaling) use it for quotas such as the number of
  // image builders, which no amount of waiting raises.
]);

const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  // Another change to the same resource was in flight; AppStream says to wait and try again.
  'ConcurrentModificationException',
]);

/**
 * Temporary credentials that expired, or a provider that failed while refreshing them (instance
 * metadata or STS briefly unreachable). The next attempt signs with fresh credentials, and a
 * clean-up that cannot be cancelled must not give up on an expired token.
 */
const CREDENTIAL_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'CredentialsProviderError']);

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
  /** Set by the SDK on errors its service model declares retryable. */
  $retryable?: { throttling?: boolean };
}

export function classifyAwsError(err: unknown): AwsErrorInfo {
  if (err instanceof ApplicationFailure) {
    return { code: err.type ?? 'ApplicationFailure', message: err.message, retryable: !err.nonRetryable, throttling: false };
  }
  const e = err as SdkError;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'UnknownError');
  const status = e.$metadata?.httpStatusCode;
  const message = e.message || code;
  const throttling = THROTTLING_CODES.has(code) || code.startsWith('Throttling') || status === 429 || e.$retryable?.throttling === true;
  const retryable =
    throttling ||
    e.$retryable !== undefined ||
    TRANSIENT_CODES.has(code) ||
    CREDENTIAL_CODES.has(code) ||
    (status !== undefined && status >= 500) ||
    e.$fault === 'server' ||
    NETWORK_ERRORS.has(code) ||
    (e.code !== undefined && NETWORK_ERRORS.has(e.code)) ||
    NETWORK_ERRORS.has(message);
  return { code, message, status, retryable, throttling };
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
