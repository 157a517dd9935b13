/**
 * The terminal failure for an AppStream image or image builder that ended FAILED: AWS's
 * StateChangeReason and its error list, in the message people read and in the failure's details.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { terminalState } from '../aws/not-ready';

interface Reason {
  Code?: string;
  Message?: string;
}

interface ResourceError {
  ErrorCode?: string;
  ErrorMessage?: string;
}

export function failedState(
  type: string,
  what: string,
  state: string,
  reason: Reason | undefined,
  errors: ResourceError[] = [],
): ApplicationFailure {
  const listed = errors.map((e) => `${e.ErrorCode ?? 'no code'}: ${e.ErrorMessage ?? ''}`);
  return terminalState(
    type,
    `${what} is ${state}: ${reason?.Code ?? 'no code'}: ${reason?.Message ?? 'no reason given'}` +
      (listed.length ? `; errors: ${listed.join('; ')}` : ''),
    { state, stateChangeReason: reason, errors },
  );
}
