/**
 * The rollout onto Auto Scaling groups (issue 16): an instance refresh of each group onto the
 * launch-template version publish wrote for it, `groupsAtATime` groups at once; a group that does not
 * end `Successful` stops the rest and fails the stage with AWS's reason. Each refresh's progress (its
 * status, percentage and instances left) shows in the stage table as it changes. A cancelled run
 * cancels (or, with autoRollback, rolls back) the refreshes it started and waits until they settle.
 */
import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RolloutSpec } from '../contracts/ami-pipeline';
import type { AmiStage } from '../contracts/ami-stages';
import type { WaitSettings } from '../contracts/duration-fields';
import type { GroupRow } from '../contracts/instance-refresh';
import type { Place } from '../contracts/place';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import { refreshRollbackIncident } from './rollout-outcome';
import type { StageTracker } from './stage-tracker';

const { startInstanceRefresh, waitForRefreshChange, stopInstanceRefresh } = proxyActivities<Activities>(CALL_OPTIONS);

export interface GroupTarget {
  name: string;
  region: string;
  place: Place;
  launchTemplateId: string;
  version: number;
}

type Snapshot = Awaited<ReturnType<Activities['waitForRefreshChange']>>;

const SETTLED = new Set(['Successful', 'Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']);

export async function refreshGroups(
  spec: RolloutSpec,
  targets: GroupTarget[],
  wait: WaitSettings,
  stages: StageTracker<AmiStage>,
): Promise<GroupRow[]> {
  const rows = targets.map((t): GroupRow => ({
    group: `${t.region}/${t.name}`,
    status: 'waiting',
    percentageComplete: 0,
    instancesToUpdate: 0,
  }));
  const publish = () => stages.setGroups(rows.map((r) => ({ ...r })));
  publish();
  const notBefore = new Date().toISOString();
  const atATime = spec.groupsAtATime ?? 1;
  for (let first = 0; first < targets.length; first += atATime) {
    const batch = targets.slice(first, first + atATime).map((target, i) => ({ target, row: rows[first + i]! }));
    await Promise.all(batch.map(({ target, row }) => refreshOne(spec, target, row, { wait, notBefore, publish })));
    const failed = batch.filter(({ row }) => row.status !== 'Successful');
    if (failed.length) {
      const { row } = failed[0]!;
      for (const later of rows.slice(first + atATime)) later.status = 'skipped';
      publish();
      if (row.status === 'RollbackFailed') stages.note('rollout', refreshRollbackIncident(row.group));
      throw ApplicationFailure.create({
        type: 'InstanceRefreshFailed',
        message: `the instance refresh of ${row.group} ended ${row.status}${row.statusReason ? `: ${row.statusReason}` : ''}`,
        nonRetryable: true,
        details: [rows],
      });
    }
  }
  return rows;
}

interface RefreshContext {
  wait: WaitSettings;
  notBefore: string;
  publish: () => void;
}

async function refreshOne(spec: RolloutSpec, target: GroupTarget, row: GroupRow, ctx: RefreshContext): Promise<void> {
  const { name, place } = target;
  // Once asked for, a refresh must come back with its ID: a cancel has to know what to stop.
  const refreshId = await CancellationScope.nonCancellable(() =>
    startInstanceRefresh.executeWithOptions(
      { summary: `StartInstanceRefresh of ${row.group} onto ${target.launchTemplateId} v${target.version}` },
      [
        {
          group: name,
          launchTemplateId: target.launchTemplateId,
          version: String(target.version),
          preferences: spec,
          notBefore: ctx.notBefore,
        },
        place,
      ],
    ),
  );
  row.refreshId = refreshId;
  row.status = 'Pending';
  ctx.publish();
  const key = `${name}|${refreshId}`;
  const follow = async (): Promise<void> => {
    let last: Snapshot | undefined;
    while (!last || !SETTLED.has(last.status)) {
      last = await waitForRefreshChange.executeWithOptions(
        { ...pollOptions(ctx.wait), summary: `wait for the instance refresh of ${row.group} to move on` },
        [key, last, place],
      );
      // The whole snapshot: a reason AWS no longer gives must not linger from an earlier one.
      const { statusReason, ...rest } = last;
      Object.assign(row, rest);
      if (statusReason) row.statusReason = statusReason;
      else delete row.statusReason;
      ctx.publish();
    }
  };
  try {
    await follow();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // A cancelled run stops what it started, and does not end until the group has settled.
    await CancellationScope.nonCancellable(async () => {
      await stopInstanceRefresh.executeWithOptions(
        { summary: `${spec.autoRollback ? 'RollbackInstanceRefresh' : 'CancelInstanceRefresh'} of ${row.group}` },
        [name, spec.autoRollback === true, place],
      );
      await follow();
    });
    throw err;
  }
}
