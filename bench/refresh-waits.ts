/**
 * What the refresh waits of a rollout onto Auto Scaling groups cost, and how late they saw each refresh
 * settle. DescribeInstanceRefreshes takes one group a call, and three kinds of call make one: the
 * preflight (one per group, when the run starts), each start (one look-up for a refresh of its own just
 * before StartInstanceRefresh) and the waits. The sandbox counts calls by action only, so the waits'
 * share is the rest: the count, less one per group and one per StartInstanceRefresh, sampled every
 * second while the runs go, tells when the waits described and how many describes fell into one poll
 * interval. A run saw its refresh settle when the wait that returned the settled status completed,
 * which its history records.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, tsToMs } from '@temporalio/common';
import type { AutoScalingDump, CallCounts, SandboxAdmin } from '@golden-image/aws-sandbox';
import { SETTLED, type RefreshSnapshot } from '../activities/autoscaling/instance-refresh';
import { callsPerInterval, risesOf, sampleEverySecond, type CountSample } from './beats';
import { mapLimit } from './bounded';
import { lagStats, round1 } from './stats';
import type { GroupRefreshes } from './types';

interface Sample {
  at: number;
  described: number;
  started: number;
}

/** Samples the counts until `stop` (or, should a failing scenario never call it, until `timeoutMs` has passed). */
export function watchRefreshWaits(admin: SandboxAdmin, timeoutMs: number): { stop(): Promise<Sample[]> } {
  return sampleEverySecond(async () => {
    const { autoscaling } = await admin.calls();
    return { described: autoscaling.DescribeInstanceRefreshes?.total ?? 0, started: autoscaling.StartInstanceRefresh?.total ?? 0 };
  }, timeoutMs);
}

/** When each group's run saw its refresh settle: the completion of the wait that returned a settled status. */
export async function refreshesSeen(client: Client, workflowIds: string[]): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await mapLimit(workflowIds, 5, async (id) => {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    // A wait's first argument is its watch key, `<group>|<refresh ID>`.
    const waits = new Map<number, string>();
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'waitForRefreshChange')
        waits.set(Number(e.eventId), defaultPayloadConverter.fromPayload<string>(scheduled.input!.payloads![0]!));
    }
    for (const e of events) {
      const completed = e.activityTaskCompletedEventAttributes;
      const key = completed && waits.get(Number(completed.scheduledEventId));
      if (!key) continue;
      const snapshot = defaultPayloadConverter.fromPayload<RefreshSnapshot>(completed.result!.payloads![0]!);
      if (SETTLED.has(snapshot.status)) seen.set(key.split('|')[0]!, tsToMs(e.eventTime));
    }
  });
  return seen;
}

interface RefreshInputs {
  pipelines: number;
  groups: string[];
  instances: number;
  samples: Sample[];
  counts: CallCounts;
  refreshes: AutoScalingDump['instanceRefreshes'];
  /** From refreshesSeen. */
  seen: Map<string, number>;
  intervalMs: number;
}

export function groupRefreshes({
  pipelines,
  groups,
  instances,
  samples,
  counts,
  refreshes,
  seen,
  intervalMs,
}: RefreshInputs): GroupRefreshes {
  const calls = counts.autoscaling;
  const lookUps = (started: number) => groups.length + started;
  // Never down: a look-up counted a sample before its StartInstanceRefresh is taken back, not counted twice.
  let most = 0;
  const waitCounts: CountSample[] = samples.map((s) => ({ at: s.at, count: (most = Math.max(most, s.described - lookUps(s.started))) }));
  const perBeat = callsPerInterval(risesOf(waitCounts), intervalMs);
  const describeInstanceRefreshes = calls.DescribeInstanceRefreshes?.total ?? 0;
  const startInstanceRefresh = calls.StartInstanceRefresh?.total ?? 0;
  const waitDescribes = describeInstanceRefreshes - lookUps(startInstanceRefresh);
  const ours = refreshes.filter((r) => groups.includes(r.groupName));
  const intervalsWaited = ours.reduce((sum, r) => sum + ((seen.get(r.groupName) ?? NaN) - r.startedAt) / intervalMs, 0);
  const throttled = (read: boolean) =>
    Object.entries(calls)
      .filter(([action]) => action.startsWith('Describe') === read)
      .reduce((sum, [, c]) => sum + c.throttled, 0);
  return {
    pipelines,
    groups: groups.length,
    instances,
    describeInstanceRefreshes,
    waitDescribes,
    beats: perBeat.length,
    describesPerBeat: perBeat.length ? round1(waitDescribes / perBeat.length) : 0,
    peakDescribesPerBeat: Math.max(0, ...perBeat),
    describesByBeat: perBeat,
    describesPerGroupBeat: Math.round((100 * waitDescribes) / intervalsWaited) / 100,
    describeAutoScalingGroups: calls.DescribeAutoScalingGroups?.total ?? 0,
    startInstanceRefresh,
    throttledDescribe: throttled(true),
    throttledMutating: throttled(false),
    refreshesS: ours.length
      ? round1((Math.max(...ours.map((r) => r.endedAt ?? NaN)) - Math.min(...ours.map((r) => r.startedAt))) / 1000)
      : 0,
    lag: lagStats(ours.flatMap((r) => (r.endedAt !== null && seen.has(r.groupName) ? [seen.get(r.groupName)! - r.endedAt] : []))),
    calls,
  };
}
