/**
 * Activity options, in one place. Plain calls retry transient AWS trouble with backoff. Waits are
 * retry-as-poll: each attempt is one look at the resource, "not ready" is a retryable failure, and the retry policy
 * is the poll loop. Retries are not written to history, so a wait costs the same history whether AWS
 * takes one poll or a thousand, and scheduleToCloseTimeout is the stage's deadline.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import type { WaitSettings } from '../contracts/duration-fields';
import { durationMs } from '../contracts/durations';

/**
 * One attempt is at most two SDK tries of 10 s each (activities/aws/clients): 30 s cuts off a call that
 * hangs, or an attempt lost with a crashed worker, without waiting long before the retry.
 */
const ATTEMPT_TIMEOUT_MS = 30_000;

export const CALL_OPTIONS: ActivityOptions = {
  startToCloseTimeout: ATTEMPT_TIMEOUT_MS,
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
};

/**
 * A poll every `interval`, with no backoff. The worker's shared watcher answers all waits of a kind
 * from one describe per interval (activities/aws/state-watcher), so a slower poll would save no AWS calls,
 * only see changes later. An attempt may wait up to one interval for the watcher's next describe,
 * hence the longer attempt timeout.
 */
export function pollOptions(wait: WaitSettings): ActivityOptions {
  const intervalMs = durationMs(wait.interval);
  return {
    startToCloseTimeout: intervalMs + ATTEMPT_TIMEOUT_MS,
    scheduleToCloseTimeout: wait.timeout,
    retry: { initialInterval: intervalMs, backoffCoefficient: 1, maximumInterval: intervalMs },
  };
}
