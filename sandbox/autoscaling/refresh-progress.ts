import type { GroupRecord, RefreshRecord } from './state';

/**
 * How far a refresh has come, and how many instances it may replace at once, as the user guide describes
 * it: MinHealthyPercentage of the desired capacity (rounded up) stays in service and healthy, at most
 * MaxHealthyPercentage of it (rounded down; default 100) is in service or pending, so a Rolling batch is
 * their difference (at least one instance): with 90–100 % one in ten, with 80–100 % two in ten, with
 * 0 % all at once. Above 100 % the refresh launches new instances before it terminates old ones. A
 * ReplaceRootVolume refresh takes instances out of service without launching any, so only the minimum
 * bounds it. A batch never goes past the next checkpoint.
 */

export interface BatchPlan {
  size: number;
  /** Rolling: how many of the batch's old instances stay until the new ones are ready (launched first). */
  launchFirst: number;
}

export function batchPlan(refresh: RefreshRecord, group: GroupRecord): BatchPlan {
  const desired = group.desiredCapacity;
  const { minHealthyPercentage, maxHealthyPercentage = 100 } = refresh.preferences;
  const minHealthy = Math.ceil((minHealthyPercentage * desired) / 100);
  const maxInService = Math.max(desired, Math.floor((maxHealthyPercentage * desired) / 100));
  if (refresh.strategy === 'ReplaceRootVolume') return { size: Math.max(1, desired - minHealthy), launchFirst: 0 };
  const size = Math.max(1, maxInService - minHealthy);
  return { size, launchFirst: Math.min(size, maxInService - desired) };
}

/** Instances the refresh has brought to the desired configuration, or found there already. */
function done(refresh: RefreshRecord): number {
  return refresh.skipped + refresh.updated.length;
}

/**
 * PercentageComplete: replaced (and warmed-up) instances over those the refresh covers; during a rollback it
 * counts the replaced instances not put back yet, so it falls to zero, as DescribeInstanceRefreshes documents.
 */
export function percentageComplete(refresh: RefreshRecord): number {
  if (refresh.total === 0) return refresh.rollback ? 0 : 100;
  const count = refresh.rollback ? refresh.updated.length : done(refresh);
  return Math.floor((100 * count) / refresh.total);
}

/** InstancesToUpdate: those not updated yet; during a rollback, those the refresh had not updated when it began. */
export function instancesToUpdate(refresh: RefreshRecord): number {
  return refresh.rollback ? refresh.rollback.instancesToUpdateOnRollback : refresh.total - done(refresh);
}

/** How many more instances reach the next checkpoint, if there is one ahead. */
export function untilNextCheckpoint(refresh: RefreshRecord): number | undefined {
  const checkpoint = refresh.preferences.checkpointPercentages?.[refresh.nextCheckpoint];
  if (checkpoint === undefined) return undefined;
  return Math.max(1, Math.ceil((checkpoint * refresh.total) / 100) - done(refresh));
}

/** Whether the refresh has replaced all it will: every instance, or up to its last checkpoint. */
export function isComplete(refresh: RefreshRecord): boolean {
  const last = refresh.preferences.checkpointPercentages?.at(-1);
  return refresh.pending.length === 0 || (last !== undefined && percentageComplete(refresh) >= last);
}
