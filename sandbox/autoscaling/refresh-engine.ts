import { ApiError } from '../core/errors';
import { takeUnhealthyPlan } from './instance-health';
import { overrideFor } from './launch-source';
import { findMember, isLive, launchMembers, pruneTerminated, requireTemplate } from './members';
import { batchPlan, instancesToUpdate, isComplete, percentageComplete, untilNextCheckpoint } from './refresh-progress';
import type { AutoScalingState, GroupRecord, LaunchSource, RefreshBatch, RefreshRecord, RefreshStatus } from './state';

/**
 * The instance refresh state machine. Nothing runs on a timer: before any request reads or changes an
 * account's Region, settleAutoScaling catches every refresh there up with the virtual clock, taking each step
 * at the instant it was due (so an advanced clock is honoured at once, and the instances it launches or
 * terminates carry those instants). A refresh:
 *
 * - is Pending, then InProgress: it replaces instances in batches (refresh-progress.ts). Rolling terminates old
 *   ones and launches new ones from the desired configuration (new ones first above 100 % maximum healthy);
 *   ReplaceRootVolume has EC2 replace their root volumes from the desired overrides' AMIs. A batch counts
 *   once its instances are in service and the instance warm-up has passed.
 * - waits CheckpointDelay at each checkpoint it reaches (still InProgress, its StatusReason saying so), bakes
 *   for BakeTime at the end (Baking), then is Successful and the group takes the desired configuration.
 * - fails as soon as one of its alarms is in ALARM or an instance it updated fails its health check: Failed,
 *   or with AutoRollback RollbackInProgress, which puts every updated instance back on the group's previous
 *   configuration in batches of the same size, then RollbackSuccessful (RollbackFailed if one of those fails
 *   its health check). RollbackInstanceRefresh starts the same rollback by hand.
 * - on CancelInstanceRefresh is Cancelling until the launches and terminations under way are done, then Cancelled.
 * A batch under way always runs to its end, whatever becomes of the refresh meanwhile.
 */

function wakeAt(refresh: RefreshRecord, from: number, at: number): void {
  refresh.wake.replan(from, [{ state: 'due', afterMs: Math.max(0, at - from) }]);
}

/** When the batch under way has finished its launches, terminations and root volume replacements. */
function batchSettledAt(refresh: RefreshRecord, batch: RefreshBatch): number {
  // An "advance" that completed every transition brought the refresh's own wake-up forward too.
  return Math.min(batch.settledAt, refresh.wake.settlesAt());
}

function groupOf(state: AutoScalingState, refresh: RefreshRecord): GroupRecord {
  return state.autoScaling.groups.get(refresh.groupName)!;
}

function warmupMs(refresh: RefreshRecord, group: GroupRecord): number {
  const seconds = refresh.preferences.instanceWarmup ?? group.defaultInstanceWarmup ?? group.healthCheckGracePeriod;
  return seconds * refresh.timing.secondMs;
}

function end(refresh: RefreshRecord, status: RefreshStatus, at: number, reason?: string): void {
  refresh.status = status;
  refresh.statusReason = reason;
  refresh.endedAt = at;
  const { batch } = refresh;
  refresh.course = batch ? 'settle' : 'done';
  if (batch) wakeAt(refresh, at, Math.max(at, batchSettledAt(refresh, batch)));
}

/** Done: the group takes the desired configuration, as AWS updates it once a refresh succeeds. */
function succeed(state: AutoScalingState, refresh: RefreshRecord, at: number): void {
  end(refresh, 'Successful', at);
  if (refresh.desired) groupOf(state, refresh).launch = structuredClone(refresh.desired);
}

/** Starts a batch from `at`; false if nothing is left to replace in that direction. */
function startBatch(state: AutoScalingState, refresh: RefreshRecord, direction: 'forward' | 'back', at: number): boolean {
  const group = groupOf(state, refresh);
  const queue = direction === 'forward' ? refresh.pending : refresh.updated;
  const remaining = queue.filter((id) => findMember(group, id) !== undefined && isLive(state, id, at));
  queue.splice(0, queue.length, ...remaining);
  if (queue.length === 0) return false;
  const plan = batchPlan(refresh, group);
  const size = direction === 'forward' ? Math.min(plan.size, untilNextCheckpoint(refresh) ?? plan.size) : plan.size;
  const old = queue.splice(0, size);
  const source = direction === 'forward' ? refresh.target : refresh.previous;
  const { timing } = refresh;
  const warmup = warmupMs(refresh, group);
  let batch: RefreshBatch;
  if (refresh.strategy === 'Rolling') {
    const launchFirst = Math.min(plan.launchFirst, old.length);
    const version = direction === 'forward' ? String(refresh.targetVersionNumber) : source.template.version;
    // Launched before anything is terminated, so that a launch EC2 refuses leaves the old instances in place.
    const launched = launchMembers(state, group, source, version, old.length, at, timing).map((m) => m.instanceId);
    for (const id of old.slice(launchFirst)) state.instanceFleet.terminate(id, at, timing.instanceMs);
    const settledAt = at + timing.instanceMs;
    batch = { direction, old, launched, terminateWhenReady: old.slice(0, launchFirst), settledAt, readyAt: settledAt + warmup };
  } else {
    for (const id of old) replaceRootVolume(state, refresh, group, id, direction, source, at);
    const settledAt = at + timing.rootVolumePendingMs + timing.rootVolumeInProgressMs;
    batch = { direction, old, launched: [], terminateWhenReady: [], settledAt, readyAt: settledAt + warmup };
  }
  // A planned failure shows at the first health check, once the instance is in service.
  for (const id of batchInstances(refresh, batch))
    if (takeUnhealthyPlan(state, group)) findMember(group, id)!.unhealthySince = batch.settledAt;
  refresh.batch = batch;
  // A forward batch's StatusReason follows its progress (refreshes.ts); a rollback keeps its reason.
  if (direction === 'forward') refresh.statusReason = undefined;
  wakeAt(refresh, at, batch.readyAt);
  return true;
}

/** Forward: the desired overrides' AMI for the instance's type; back: the AMI it had before. */
function replaceRootVolume(
  state: AutoScalingState,
  refresh: RefreshRecord,
  group: GroupRecord,
  instanceId: string,
  direction: 'forward' | 'back',
  source: LaunchSource,
  at: number,
): void {
  const member = findMember(group, instanceId)!;
  const fleet = state.instanceFleet;
  const forward = direction === 'forward';
  const imageId = forward ? overrideFor(source, member.instanceType)!.imageId! : refresh.previousImages[instanceId]!;
  const versionNumber = forward ? refresh.targetVersionNumber : requireTemplate(state, source).versionNumber;
  if (forward) refresh.previousImages[instanceId] = fleet.imageOf(instanceId)!;
  const { timing } = refresh;
  member.rootVolumeTaskId = fleet.replaceRootVolume(instanceId, imageId, {
    at,
    pendingMs: timing.rootVolumePendingMs,
    inProgressMs: timing.rootVolumeInProgressMs,
    notFoundWindowMs: timing.notFoundWindowMs,
  });
  member.template = { templateId: source.template.templateId, templateName: source.template.templateName, versionNumber };
  member.imageId = imageId;
  // Its health is checked afresh on the new root volume (a rollback's brings back the one it was healthy on).
  member.unhealthySince = undefined;
}

/** The batch's instances: the new ones (Rolling), or the ones whose root volume it replaces. */
function batchInstances(refresh: RefreshRecord, batch: RefreshBatch): string[] {
  return refresh.strategy === 'Rolling' ? batch.launched : batch.old;
}

/**
 * The batch under way is done at `at`: the old instances kept until now are terminated, and its instances
 * count as updated (a forward batch) or restored (a rollback's). With `checkHealth`, one that did not come up
 * is unhealthy (a cancel that does not wait for the batch leaves its transitions to finish on their own).
 */
function completeBatch(state: AutoScalingState, refresh: RefreshRecord, at: number, checkHealth = true): void {
  const batch = refresh.batch!;
  const group = groupOf(state, refresh);
  const fleet = state.instanceFleet;
  for (const id of batch.terminateWhenReady) fleet.terminate(id, at, refresh.timing.instanceMs);
  const instances = batchInstances(refresh, batch);
  if (checkHealth) {
    for (const member of instances.map((id) => findMember(group, id))) {
      if (!member) continue;
      const task = member.rootVolumeTaskId === undefined ? 'succeeded' : fleet.rootVolumeTask(member.rootVolumeTaskId, at);
      // EC2 Auto Scaling would replace an instance whose root volume replacement failed; the sandbox reports it unhealthy.
      if (fleet.stateOf(member.instanceId, at) !== 'running' || task !== 'succeeded') member.unhealthySince ??= at;
    }
  }
  (batch.direction === 'forward' ? refresh.updated : refresh.restored).push(...instances);
  refresh.batch = undefined;
}

/** Forward from `at`: done, at a checkpoint, or the next batch. */
function progress(state: AutoScalingState, refresh: RefreshRecord, at: number): void {
  const { checkpointPercentages: checkpoints, checkpointDelay = 0, bakeTime = 0 } = refresh.preferences;
  const percentage = percentageComplete(refresh);
  const reached = (checkpoint: number | undefined) => checkpoint !== undefined && percentage >= checkpoint;
  if (!isComplete(refresh) && checkpoints && reached(checkpoints[refresh.nextCheckpoint])) {
    while (reached(checkpoints[refresh.nextCheckpoint])) refresh.nextCheckpoint += 1;
    refresh.course = 'checkpoint';
    refresh.statusReason =
      `Reached checkpoint ${refresh.nextCheckpoint} of ${checkpoints.length} (${percentage} percent of the instances ` +
      `replaced). Waiting ${checkpointDelay} seconds (the checkpoint delay) before continuing.`;
    wakeAt(refresh, at, at + checkpointDelay * refresh.timing.secondMs);
    return;
  }
  if (!isComplete(refresh) && startBatch(state, refresh, 'forward', at)) return;
  if (bakeTime > 0) {
    refresh.status = 'Baking';
    refresh.course = 'baking';
    refresh.statusReason = `Waiting ${bakeTime} seconds (the bake time) before the instance refresh is considered complete.`;
    wakeAt(refresh, at, at + bakeTime * refresh.timing.secondMs);
    return;
  }
  succeed(state, refresh, at);
}

/** Takes the step due at `at`. */
function step(state: AutoScalingState, refresh: RefreshRecord, at: number): void {
  refresh.actedAt = at;
  // A finished batch is taken first, and what follows waits for the next round, after the health checks.
  if (refresh.batch) {
    completeBatch(state, refresh, at);
    if (refresh.course === 'cancel') end(refresh, 'Cancelled', at, refresh.statusReason);
    else if (refresh.course === 'settle') refresh.course = 'done';
    else wakeAt(refresh, at, at);
    return;
  }
  switch (refresh.course) {
    case 'forward':
      if (refresh.status === 'Pending') refresh.status = 'InProgress';
      return progress(state, refresh, at);
    case 'checkpoint':
      refresh.course = 'forward';
      refresh.statusReason = undefined;
      return progress(state, refresh, at);
    case 'baking':
      return succeed(state, refresh, at);
    case 'rollback':
      if (!startBatch(state, refresh, 'back', at)) end(refresh, 'RollbackSuccessful', at, refresh.statusReason);
      return;
    default:
      refresh.course = 'done';
  }
}

/** Puts the refresh's changes back from `at`, after the batch under way (RollbackInstanceRefresh, or AutoRollback). */
export function startRollback(refresh: RefreshRecord, reason: string, at: number): void {
  refresh.actedAt = at;
  refresh.rollback = {
    reason,
    startedAt: at,
    percentageCompleteOnRollback: percentageComplete(refresh),
    instancesToUpdateOnRollback: instancesToUpdate(refresh),
  };
  refresh.status = 'RollbackInProgress';
  refresh.statusReason = reason;
  refresh.course = 'rollback';
  const { batch } = refresh;
  wakeAt(refresh, at, batch ? Math.max(at, batchSettledAt(refresh, batch)) : at);
}

/** CancelInstanceRefresh at `at`: by default the launches and terminations under way finish first. */
export function cancelRefresh(state: AutoScalingState, refresh: RefreshRecord, waitForTransitioning: boolean, at: number): void {
  const reason = 'The instance refresh was cancelled (CancelInstanceRefresh).';
  const { batch } = refresh;
  refresh.actedAt = at;
  if (batch && waitForTransitioning) {
    refresh.status = 'Cancelling';
    refresh.statusReason = reason;
    refresh.course = 'cancel';
    wakeAt(refresh, at, Math.max(at, batchSettledAt(refresh, batch)));
    return;
  }
  if (batch) completeBatch(state, refresh, at, false);
  end(refresh, 'Cancelled', at, reason);
}

function fail(refresh: RefreshRecord, reason: string, at: number): void {
  refresh.actedAt = at;
  if (refresh.course === 'rollback') end(refresh, 'RollbackFailed', at, reason);
  else if (refresh.preferences.autoRollback) startRollback(refresh, reason, at);
  else end(refresh, 'Failed', at, reason);
}

interface Interruption {
  reason: string;
  at: number;
}

/** The first failure the refresh meets by `until`: one of its alarms in ALARM, or one of its instances unhealthy. */
function interruption(state: AutoScalingState, refresh: RefreshRecord, until: number): Interruption | undefined {
  const watched = (instances: string[], reason: (id: string) => string): Interruption[] => {
    const group = groupOf(state, refresh);
    return instances.flatMap((id) => {
      const since = findMember(group, id)?.unhealthySince;
      return since !== undefined && since <= until ? [{ reason: reason(id), at: since }] : [];
    });
  };
  const inFlight = (direction: 'forward' | 'back') =>
    refresh.batch?.direction === direction ? batchInstances(refresh, refresh.batch) : [];
  let found: Interruption[] = [];
  if (refresh.course === 'forward' || refresh.course === 'checkpoint' || refresh.course === 'baking') {
    const alarms = (refresh.preferences.alarms ?? []).flatMap((name) => {
      const alarm = state.alarmBoard.alarm(name);
      return alarm?.state === 'ALARM' && alarm.updatedAt <= until
        ? [{ reason: `The instance refresh failed because the CloudWatch alarm ${name} went into the ALARM state.`, at: alarm.updatedAt }]
        : [];
    });
    const unhealthy = watched(
      [...refresh.updated, ...inFlight('forward')],
      (id) => `The instance refresh failed because instance ${id}, on the desired configuration, failed its health check.`,
    );
    found = [...alarms, ...unhealthy];
  } else if (refresh.course === 'rollback') {
    found = watched(
      [...refresh.restored, ...inFlight('back')],
      (id) => `The rollback failed because instance ${id} failed its health check.`,
    );
  }
  const first = found.sort((a, b) => a.at - b.at)[0];
  return first && { reason: first.reason, at: Math.max(first.at, refresh.actedAt) };
}

function catchUp(state: AutoScalingState, refresh: RefreshRecord, now: number): void {
  while (refresh.course !== 'done') {
    const due = refresh.wake.settlesAt();
    const interrupted = interruption(state, refresh, Math.min(due, now));
    if (interrupted) {
      fail(refresh, interrupted.reason, interrupted.at);
      continue;
    }
    if (due > now) return;
    try {
      step(state, refresh, due);
    } catch (error) {
      // EC2 refused a launch (a template or AMI gone since the refresh began): the refresh fails, as AWS's does.
      if (!(error instanceof ApiError)) throw error;
      fail(refresh, `The instance refresh failed because EC2 could not launch instances: ${error.message}`, due);
    }
  }
}

/** Brings every refresh in the account's Region up to the virtual clock, then lets terminated instances leave their groups. */
export function settleAutoScaling(state: AutoScalingState): void {
  const now = state.clock.now();
  for (const refresh of state.autoScaling.refreshes.values()) if (refresh.course !== 'done') catchUp(state, refresh, now);
  for (const group of state.autoScaling.groups.values()) pruneTerminated(state, group, now);
}
