/**
 * The signal a wait activity gives when the resource is not there yet. It is retryable, so the retry
 * policy becomes the poll, and BENIGN, so the expected "not yet" is not logged or counted as an error.
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';

const NOT_READY = 'NotReady';

export function notReady(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: NOT_READY, message, category: ApplicationFailureCategory.BENIGN });
}

/** A terminal state: no amount of waiting will help, so the run fails with AWS's reason. */
export function terminalState(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}
