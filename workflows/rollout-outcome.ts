/** How a rollout reports its end, alike for the `rootVolumeRollout` workflow and the older inline rollout. */
import { ApplicationFailure, CancelledFailure } from '@temporalio/workflow';
import type { RolloutSummary } from '../contracts/progress';

/** Instances left without a root volume (`failed-detached`) need a person; say so loudly. */
export function rolloutIncident(summary: RolloutSummary): string | undefined {
  const count = summary.counts['failed-detached'];
  if (!count) return undefined;
  const named = summary.failed.filter((r) => r.state === 'failed-detached').map((r) => r.instanceId);
  const more = count > named.length ? ` and ${count - named.length} more` : '';
  return `INCIDENT: ${named.join(', ')}${more} left without a root volume; needs a person`;
}

export const rolloutCancelled = () => new CancelledFailure('rollout cancelled; running replacements were allowed to finish');

/** More instances failed than the budget allows: the failure carries the summary, never a row per instance. */
export function rolloutHalted(failures: number, failureBudget: number, summary: RolloutSummary): ApplicationFailure {
  const incident = rolloutIncident(summary);
  return ApplicationFailure.nonRetryable(
    `rollout halted: ${failures} of ${summary.total} instances failed, over the failure budget of ${failureBudget}${incident ? `; ${incident}` : ''}`,
    'RolloutHalted',
    summary,
  );
}
