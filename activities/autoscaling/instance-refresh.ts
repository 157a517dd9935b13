/**
 * Instance refreshes of Auto Scaling groups: start one onto a launch-template version, watch it, and
 * cancel or roll it back. StartInstanceRefresh takes no client token and AWS refuses a second refresh
 * while one runs, so a start looks at the group's refreshes first: one running (or finished since the
 * stage began) onto the same launch-template version is this run's, adopted after a lost answer; one
 * onto anything else was started by someone else, and the stage fails rather than take it over.
 */
import {
  CancelInstanceRefreshCommand,
  paginateDescribeInstanceRefreshes,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
  type AutoScalingClient,
  type InstanceRefresh,
  type RefreshPreferences,
} from '@aws-sdk/client-auto-scaling';
import type { RolloutSpec } from '../../contracts/ami-pipeline';
import { durationMs } from '../../contracts/durations';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { notReady, terminalState } from '../aws/not-ready';
import type { ResourceWatch } from '../aws/state-watcher';

export interface RefreshRequest {
  group: string;
  launchTemplateId: string;
  version: string;
  preferences: Pick<
    RolloutSpec,
    | 'strategy'
    | 'minHealthyPercentage'
    | 'maxHealthyPercentage'
    | 'instanceWarmup'
    | 'checkpoints'
    | 'checkpointDelay'
    | 'skipMatching'
    | 'alarms'
    | 'autoRollback'
  >;
  /** When the stage began: a matching refresh that started since then is this run's, even if it has ended. */
  notBefore: string;
}

const ACTIVE = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);

const seconds = (duration: string | undefined) => (duration === undefined ? undefined : Math.round(durationMs(duration) / 1000));

function awsPreferences(p: RefreshRequest['preferences']): RefreshPreferences {
  return {
    MinHealthyPercentage: p.minHealthyPercentage,
    MaxHealthyPercentage: p.maxHealthyPercentage,
    InstanceWarmup: seconds(p.instanceWarmup),
    CheckpointPercentages: p.checkpoints,
    CheckpointDelay: seconds(p.checkpointDelay),
    SkipMatching: p.skipMatching,
    AutoRollback: p.autoRollback,
    ...(p.alarms && { AlarmSpecification: { Alarms: p.alarms } }),
  };
}

/** Every refresh of a group, newest first. */
async function refreshesOf(autoscaling: AutoScalingClient, group: string): Promise<InstanceRefresh[]> {
  return awsCall(`DescribeInstanceRefreshes (${group})`, async () => {
    const found: InstanceRefresh[] = [];
    for await (const page of paginateDescribeInstanceRefreshes({ client: autoscaling, pageSize: 100 }, { AutoScalingGroupName: group })) {
      found.push(...(page.InstanceRefreshes ?? []));
    }
    return found.sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0));
  });
}

const ontoOurs = (refresh: InstanceRefresh, request: RefreshRequest) => {
  const template = refresh.DesiredConfiguration?.LaunchTemplate;
  return template?.LaunchTemplateId === request.launchTemplateId && template.Version === request.version;
};

/** The refresh this run started, or undefined; fails for good when someone else's runs. */
function ours(refreshes: InstanceRefresh[], request: RefreshRequest): InstanceRefresh | undefined {
  const running = refreshes.find((r) => ACTIVE.has(r.Status ?? ''));
  if (running && !ontoOurs(running, request)) {
    throw terminalState(
      'InstanceRefreshInProgress',
      `group ${request.group} has an instance refresh of its own running (${running.InstanceRefreshId}, ${running.Status}): wait for it or cancel it, then run again`,
    );
  }
  if (running) return running;
  const since = Date.parse(request.notBefore);
  return refreshes.find((r) => ontoOurs(r, request) && (r.StartTime?.getTime() ?? 0) >= since);
}

export async function startInstanceRefresh(autoscaling: AutoScalingClient, request: RefreshRequest): Promise<string> {
  const adopted = ours(await refreshesOf(autoscaling, request.group), request);
  if (adopted?.InstanceRefreshId) return adopted.InstanceRefreshId;
  try {
    const out = await awsCall(`StartInstanceRefresh (${request.group})`, () =>
      autoscaling.send(
        new StartInstanceRefreshCommand({
          AutoScalingGroupName: request.group,
          Strategy: request.preferences.strategy === 'replace-root-volume' ? 'ReplaceRootVolume' : 'Rolling',
          DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: request.launchTemplateId, Version: request.version } },
          Preferences: awsPreferences(request.preferences),
        }),
      ),
    );
    if (!out.InstanceRefreshId) throw terminalState('StartInstanceRefreshNoId', 'StartInstanceRefresh returned no ID');
    return out.InstanceRefreshId;
  } catch (err) {
    // The SDK resent a start whose answer was lost, and AWS refused the resend: the first one is running.
    // The SDK names Auto Scaling's errors after their shapes (`…Fault`); the wire code has no suffix.
    if (!isAwsErrorCode(err, 'InstanceRefreshInProgress', 'InstanceRefreshInProgressFault')) throw err;
    const running = ours(await refreshesOf(autoscaling, request.group), request);
    if (running?.InstanceRefreshId) return running.InstanceRefreshId;
    throw err;
  }
}

/** A watch key: `<group>|<refresh ID>`. */
export const refreshKey = (group: string, refreshId: string) => `${group}|${refreshId}`;

/** The refreshes waited on, one DescribeInstanceRefreshes per group (the API takes one group a call). */
export async function describeRefreshes(autoscaling: AutoScalingClient, keys: string[]): Promise<Map<string, InstanceRefresh>> {
  const byGroup = new Map<string, string[]>();
  for (const key of keys) {
    const [group, id] = key.split('|') as [string, string];
    byGroup.set(group, [...(byGroup.get(group) ?? []), id]);
  }
  const found = new Map<string, InstanceRefresh>();
  await Promise.all(
    [...byGroup].map(async ([group, ids]) => {
      const out = await awsCall(`DescribeInstanceRefreshes (${group})`, async () => {
        const list: InstanceRefresh[] = [];
        const pages = paginateDescribeInstanceRefreshes(
          { client: autoscaling, pageSize: 100 },
          { AutoScalingGroupName: group, InstanceRefreshIds: ids },
        );
        for await (const page of pages) list.push(...(page.InstanceRefreshes ?? []));
        return list;
      });
      for (const refresh of out) found.set(refreshKey(group, refresh.InstanceRefreshId ?? ''), refresh);
    }),
  );
  return found;
}

/** Where a refresh stands, as the run shows it. */
export interface RefreshSnapshot {
  status: string;
  percentageComplete: number;
  instancesToUpdate: number;
  statusReason?: string;
}

const snapshotOf = (r: InstanceRefresh): RefreshSnapshot => ({
  status: r.Status ?? 'Pending',
  percentageComplete: r.PercentageComplete ?? 0,
  instancesToUpdate: r.InstancesToUpdate ?? 0,
  ...(r.StatusReason ? { statusReason: r.StatusReason } : {}),
});

const sameSnapshot = (a: RefreshSnapshot, b: RefreshSnapshot) =>
  a.status === b.status && a.percentageComplete === b.percentageComplete && a.statusReason === b.statusReason;

/** Settled: no further change comes without someone asking. */
export const SETTLED = new Set(['Successful', 'Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']);

/**
 * One poll of a refresh: returns its snapshot once it differs from `last` (or has settled), so the run
 * can show its progress; "not ready" while it is where it was. The run decides what a settled status means.
 */
export async function waitForRefreshChange(
  refreshes: ResourceWatch<InstanceRefresh>,
  key: string,
  last: RefreshSnapshot | undefined,
): Promise<RefreshSnapshot> {
  const refresh = await refreshes.observe(key);
  if (!refresh) throw notReady(`instance refresh ${key} is not visible yet`);
  const now = snapshotOf(refresh);
  if (SETTLED.has(now.status) || !last || !sameSnapshot(now, last)) return now;
  throw notReady(`instance refresh ${key} is ${now.status} at ${now.percentageComplete}%`);
}

/** Stops a refresh: cancelled, or (with `rollback`) rolled back to the configuration before it. Already stopping or settled counts as done. */
export async function stopInstanceRefresh(autoscaling: AutoScalingClient, group: string, rollback: boolean): Promise<void> {
  try {
    await awsCall(`${rollback ? 'Rollback' : 'Cancel'}InstanceRefresh (${group})`, () =>
      autoscaling.send(
        rollback
          ? new RollbackInstanceRefreshCommand({ AutoScalingGroupName: group })
          : new CancelInstanceRefreshCommand({ AutoScalingGroupName: group }),
      ),
    );
  } catch (err) {
    if (
      !isAwsErrorCode(
        err,
        'ActiveInstanceRefreshNotFound',
        'ActiveInstanceRefreshNotFoundFault',
        'IrreversibleInstanceRefresh',
        'IrreversibleInstanceRefreshFault',
      )
    ) {
      throw err;
    }
  }
}
