/**
 * The signal a wait activity gives when the resource is not there yet. It is retryable, so the retry
 * policy becomes the poll, and BENIGN, so the expected "not yet" is not logged or counted as an error.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';

const NOT_READY = 'NotReady';

export function notReady(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: NOT_READY, message, category: ApplicationFailureCategory.BENIGN });
}

/** A terminal state: no amount of waiting will help, so the run fails with AWS's reason. */
export function terminalState(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}

/**
 * What a wait says when a describe did not find what it waits on. EC2 and AppStream are eventually
 * consistent: a resource just created may be unknown to describes for a while. Until `graceUntil` (an
 * ISO time; none means no grace) that is "not yet"; after it the resource is gone, with AWS's `code`.
 */
export function notFound(code: string, what: string, graceUntil: string | undefined): ApplicationFailure {
  if (graceUntil && Date.now() < Date.parse(graceUntil)) return notReady(`${what} is not visible yet`);
  return terminalState(code, `${what} does not exist (still not found after the window in which a new one may not be visible yet)`);
}

/**
 * The grace of a wait scheduled right after its create: `graceMs` from when the wait was first
 * scheduled. Temporal keeps that time across the wait's retries, and it is the server's record, not
 * workflow code, so replays and workers restarting mid-wait all see the same deadline.
 */
export function graceFromScheduled(graceMs: number): string {
  return new Date(Context.current().info.scheduledTimestampMs + graceMs).toISOString();
}
