import { ApiError } from '../core/errors';
import type { MemberReader } from '../core/member-reader';
import type { JsonObject } from '../core/structure-protocol';
import { requireGroup } from './groups';
import { isNumberedVersion, launchSourceMembers } from './launch-source';
import { pageOf, readPage } from './pagination';
import { cancelRefresh, startRollback } from './refresh-engine';
import { preferencesMembers } from './refresh-preferences';
import { instancesToUpdate, percentageComplete } from './refresh-progress';
import { activeRefresh } from './refresh-start';
import type { AutoScalingContext, AutoScalingState, RefreshRecord } from './state';

/**
 * DescribeInstanceRefreshes (a group's refreshes, newest first, paged), CancelInstanceRefresh and
 * RollbackInstanceRefresh. Cancel and rollback act on the group's active refresh (a rollback only on one
 * still going forward) and answer ActiveInstanceRefreshNotFound without one; a rollback is refused with
 * IrreversibleInstanceRefresh where the API reference says it is not supported: no desired configuration,
 * or a group on the launch template's `$Latest` or `$Default` version.
 */

const NAME = { maxLength: 255 };

/** What a batch under way is waiting for, as DescribeInstanceRefreshes words it. */
function batchReason(refresh: RefreshRecord, now: number): string | undefined {
  const { batch } = refresh;
  if (!batch) return undefined;
  const example = (batch.launched[0] ?? batch.old[0])!;
  if (refresh.strategy === 'ReplaceRootVolume' && now < batch.settledAt) {
    return `Waiting for root volume replacements to complete before continuing. For example: ${example} is replacing its root volume.`;
  }
  return `Waiting for instances to warm up before continuing. For example: ${example} is warming up.`;
}

export function refreshMembers(refresh: RefreshRecord, now: number): JsonObject {
  const percentage = percentageComplete(refresh);
  const toUpdate = instancesToUpdate(refresh);
  const { rollback } = refresh;
  return {
    InstanceRefreshId: refresh.id,
    AutoScalingGroupName: refresh.groupName,
    Status: refresh.status,
    StatusReason: refresh.statusReason ?? batchReason(refresh, now),
    StartTime: new Date(refresh.startedAt),
    EndTime: refresh.endedAt === undefined ? undefined : new Date(refresh.endedAt),
    PercentageComplete: percentage,
    InstancesToUpdate: toUpdate,
    ProgressDetails: { LivePoolProgress: { PercentageComplete: percentage, InstancesToUpdate: toUpdate } },
    Preferences: preferencesMembers(refresh.preferences),
    DesiredConfiguration: refresh.desired ? launchSourceMembers(refresh.desired) : undefined,
    RollbackDetails: rollback && {
      RollbackReason: rollback.reason,
      RollbackStartTime: new Date(rollback.startedAt),
      PercentageCompleteOnRollback: rollback.percentageCompleteOnRollback,
      InstancesToUpdateOnRollback: rollback.instancesToUpdateOnRollback,
      ProgressDetailsOnRollback: {
        LivePoolProgress: {
          PercentageComplete: rollback.percentageCompleteOnRollback,
          InstancesToUpdate: rollback.instancesToUpdateOnRollback,
        },
      },
    },
    Strategy: refresh.strategy,
  };
}

function describeInstanceRefreshes(params: MemberReader, { state }: AutoScalingContext): JsonObject {
  const name = params.requiredString('AutoScalingGroupName', NAME);
  const ids = params.stringList('InstanceRefreshIds');
  const page = readPage(params);
  const refreshes = [...state.autoScaling.refreshes.values()]
    .filter((r) => r.groupName === name && (ids.length === 0 || ids.includes(r.id)))
    // Newest first, as AWS lists them; the cursor runs the other way round.
    .map((refresh) => ({ seq: 2 ** 40 - refresh.seq, refresh }));
  const { items, nextToken } = pageOf(refreshes, page, 'DescribeInstanceRefreshes');
  const now = state.clock.now();
  return { InstanceRefreshes: items.map((i) => refreshMembers(i.refresh, now)), NextToken: nextToken };
}

function requireActive(state: AutoScalingState, name: string, accepts: (r: RefreshRecord) => boolean): RefreshRecord {
  requireGroup(state, name);
  const refresh = activeRefresh(state, name);
  if (!refresh || !accepts(refresh)) {
    throw new ApiError('ActiveInstanceRefreshNotFound', `No in progress or pending Instance Refresh found for Auto Scaling group ${name}`);
  }
  return refresh;
}

function cancelInstanceRefresh(params: MemberReader, { state }: AutoScalingContext): JsonObject {
  const name = params.requiredString('AutoScalingGroupName', NAME);
  const wait = params.bool('WaitForTransitioningInstances') ?? true;
  const refresh = requireActive(state, name, (r) => r.status !== 'Cancelling');
  cancelRefresh(state, refresh, wait, state.clock.now());
  return { InstanceRefreshId: refresh.id };
}

function rollbackInstanceRefresh(params: MemberReader, { state }: AutoScalingContext): JsonObject {
  const name = params.requiredString('AutoScalingGroupName', NAME);
  const refresh = requireActive(state, name, (r) => r.course === 'forward' || r.course === 'checkpoint' || r.course === 'baking');
  if (!refresh.desired) {
    throw new ApiError(
      'IrreversibleInstanceRefresh',
      'The instance refresh cannot be rolled back: it was started without a desired configuration.',
    );
  }
  if (!isNumberedVersion(refresh.previous.template)) {
    throw new ApiError(
      'IrreversibleInstanceRefresh',
      `The instance refresh cannot be rolled back: the group uses the launch template version ${refresh.previous.template.version}, not a version number.`,
    );
  }
  startRollback(refresh, 'A manual rollback was requested (RollbackInstanceRefresh).', state.clock.now());
  return { InstanceRefreshId: refresh.id };
}

export const refreshActions = {
  DescribeInstanceRefreshes: describeInstanceRefreshes,
  CancelInstanceRefresh: cancelInstanceRefresh,
  RollbackInstanceRefresh: rollbackInstanceRefresh,
};
