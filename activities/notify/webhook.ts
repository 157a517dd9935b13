/**
 * One webhook delivery: a POST of the body, signed with HMAC-SHA256 when the worker has a secret, so a
 * receiver can tell it came from this worker and was not replayed later (see README, Notifications):
 *
 *   X-Golden-Image-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">
 *   X-Golden-Image-Timestamp: <Unix seconds>
 *   X-Golden-Image-Delivery:  <deduplication key>   (the same on every retry: receivers drop repeats by it)
 *   X-Golden-Image-Event:     <event>
 *
 * A 2xx is delivered. A 4xx but 408 and 429 is the receiver refusing this delivery for good: not retried.
 * Anything else (5xx, no answer, a refused connection) is worth another attempt.
 */
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WEBHOOK_HEADERS, type NotificationEvent } from '../../contracts/notification-events';

/** A receiver that does not answer within this is given up on for this attempt (the activity's attempt timeout is longer). */
const REQUEST_TIMEOUT_MS = 10_000;

export interface WebhookDelivery {
  url: string;
  body: string;
  event: NotificationEvent;
  delivery: string;
  secret?: string;
}

/** The signature header's value for `body` sent at `timestamp` (Unix seconds). */
function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A URL as it may be shown: scheme and host only (a webhook's path is often its secret). */
export function redactedUrl(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}`;
}

export async function sendWebhook({ url, body, event, delivery, secret }: WebhookDelivery): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'golden-image',
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.delivery]: delivery,
    [WEBHOOK_HEADERS.event]: event,
    ...(secret && { [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, body) }),
  };
  const target = redactedUrl(url);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    // Node's fetch says "fetch failed" and keeps the reason (a refused connection, a timeout) in its cause.
    const cause = (err as Error & { cause?: Error }).cause;
    throw ApplicationFailure.retryable(`webhook ${target}: ${cause?.message ?? (err as Error).message}`, 'WebhookUnreachable');
  }
  await response.body?.cancel();
  if (response.ok) return;
  const message = `webhook ${target} answered HTTP ${response.status}`;
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw ApplicationFailure.nonRetryable(message, 'WebhookRefused');
  }
  throw ApplicationFailure.retryable(message, 'WebhookFailed');
}
