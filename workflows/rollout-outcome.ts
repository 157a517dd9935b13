/** How a rollout reports its end, alike for the `rootVolumeRollout` workflow and the older inline rollout. */
import { ApplicationFailure, CancelledFailure } from '@temporalio/workflow';
import type { GroupRow } from '../contracts/instance-refresh';
import type { InstanceState, RolloutSummary } from '../contracts/progress';
import type { RolloutFailure } from '../contracts/root-volume-rollout';

/** The instances a summary names in a state, and how many more it counts there. */
function named(summary: RolloutSummary, state: InstanceState): string {
  const ids = summary.failed.filter((r) => r.state === state).map((r) => r.instanceId);
  const more = (summary.counts[state] ?? 0) - ids.length;
  return `${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Instances left without a root volume (`failed-detached`), and instances a rollback could not put back
 * on their old image (`rollback-failed`), need a person; say so loudly.
 */
export function rolloutIncident(summary: RolloutSummary): string | undefined {
  const problems = [
    ...(summary.counts['failed-detached'] ? [`${named(summary, 'failed-detached')} left without a root volume`] : []),
    ...(summary.counts['rollback-failed'] ? [`${named(summary, 'rollback-failed')} could not be rolled back`] : []),
  ];
  return problems.length ? `INCIDENT: ${problems.join('; ')}; needs a person` : undefined;
}

/** An instance refresh whose rollback failed leaves its group's instances on either image: that needs a person too. */
export const refreshRollbackIncident = (group: string) => `INCIDENT: the rollback of ${group} failed; its instances may be on either image`;

/**
 * The incident a run's failure leaves, if any: a rollout's (its failure carries the rollout's summary) or
 * an instance refresh's whose rollback failed (its failure carries the groups' rows).
 */
export function failureIncident(err: unknown): string | undefined {
  if (!(err instanceof ApplicationFailure)) return undefined;
  const [detail] = (err.details ?? []) as unknown[];
  if (err.type === 'InstanceRefreshFailed' && Array.isArray(detail)) {
    const failed = (detail as GroupRow[]).filter((row) => row.status === 'RollbackFailed').map((row) => row.group);
    return failed.length ? refreshRollbackIncident(failed.join(', ')) : undefined;
  }
  if (detail && typeof detail === 'object' && 'counts' in detail && 'failed' in detail) return rolloutIncident(detail as RolloutSummary);
  return undefined;
}

export const rolloutCancelled = () => new CancelledFailure('rollout cancelled; running replacements were allowed to finish');

/** More instances failed than the budget allows. */
export const haltedReason = (failures: number, failureBudget: number, summary: RolloutSummary): RolloutFailure => ({
  type: 'RolloutHalted',
  reason: `rollout halted: ${failures} of ${summary.total} instances failed, over the failure budget of ${failureBudget}`,
});

/** A canary instance failed: the canary allows none, whatever the failure budget. */
export const canaryFailedReason = (failures: number, canary: number): RolloutFailure => ({
  type: 'RolloutHalted',
  reason: `rollout halted: ${failures} of ${canary} canary instance${canary === 1 ? '' : 's'} failed`,
});

/**
 * The rollout's failure: why it failed, what a rollback did (when there was one), and any incident. It
 * carries the summary (counts and the failed instances), never a row per instance.
 */
export function rolloutFailure({ type, reason }: RolloutFailure, summary: RolloutSummary, rolledBack = false): ApplicationFailure {
  const back = summary.counts['rolled-back'] ?? 0;
  const rollback = rolledBack ? `; rolled back ${back} instance${back === 1 ? '' : 's'}` : '';
  const incident = rolloutIncident(summary);
  return ApplicationFailure.nonRetryable(`${reason}${rollback}${incident ? `; ${incident}` : ''}`, type, summary);
}

/** More instances failed than the budget allows: the failure carries the summary, never a row per instance. */
export const rolloutHalted = (failures: number, failureBudget: number, summary: RolloutSummary): ApplicationFailure =>
  rolloutFailure(haltedReason(failures, failureBudget, summary), summary);
