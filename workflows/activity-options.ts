/**
 * Activity options, in one place. Plain calls retry transient AWS trouble with backoff. Waits are
 * retry-as-poll: each attempt is one describe, "not ready" is a retryable failure, and the retry policy
 * is the poll loop. Retries are not written to history, so a wait costs the same history whether AWS
 * takes one poll or a thousand, and scheduleToCloseTimeout is the stage's deadline.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { durationMs } from './durations';

/**
 * One attempt is at most two SDK tries of 10 s each (activities/aws-clients): 30 s cuts off a call that
 * hangs, or an attempt lost with a crashed worker, without waiting long before the retry.
 */
const ATTEMPT_TIMEOUT = '30s';

export const CALL_OPTIONS: ActivityOptions = {
  startToCloseTimeout: ATTEMPT_TIMEOUT,
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
};

export interface WaitSettings {
  interval: string;
  timeout: string;
}

export function pollOptions(wait: WaitSettings): ActivityOptions {
  const intervalMs = durationMs(wait.interval);
  return {
    // One attempt is one describe: a call that hangs is cut off here and retried.
    startToCloseTimeout: ATTEMPT_TIMEOUT,
    scheduleToCloseTimeout: wait.timeout,
    retry: { initialInterval: intervalMs, backoffCoefficient: 1.2, maximumInterval: intervalMs * 2 },
  };
}
