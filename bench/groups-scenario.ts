/**
 * The rollout onto Auto Scaling groups (`--groups N`): N groups (group-fleet.ts) refreshed onto the
 * launch-template versions publish wrote, in one of two shapes: one amiPipeline refreshing them all at
 * once (`groupsAtATime: N`, one template per group in its publish), or N pipelines refreshing one group
 * each; both on a fresh production worker in the given wait mode. Every pipeline makes its image from
 * the same build instance; the refresh waits poll every 30 s, their default. Detection lag is per
 * group, from the refresh settling to the run seeing it (refresh-waits.ts); the main table's lag is
 * the image wait's, as in the other scenarios.
 */
import type { AmiPipelineConfig } from '../contracts/ami-pipeline';
import { durationMs } from '../contracts/durations';
import { benchClients, type ScenarioContext } from './ami-scenario';
import { watchCreatesDone } from './call-stats';
import { GROUPS_SANDBOX, makeGroups, REFRESH_PREFERENCES, type BenchGroup } from './group-fleet';
import { openCpuWindow, readImageRuns } from './measure';
import { groupRefreshes, refreshesSeen, watchRefreshWaits } from './refresh-waits';
import { startMany, waitAllClosed } from './runs';
import { launchInstances } from './sandbox-setup';
import type { ScenarioResult } from './types';
import { startScenarioWorkers } from './worker-process';

/** The refresh wait's default poll interval, set here so that the beats are counted in the interval the waits use. */
export const REFRESH_POLL = '30s';

export interface GroupShape {
  groups: number;
  /** 1: one pipeline refreshes every group at once; `groups`: a pipeline per group. */
  pipelines: number;
}

/** Both shapes of N groups (one, when N is 1). */
export function groupShapes(groups: number): GroupShape[] {
  return groups === 1
    ? [{ groups, pipelines: 1 }]
    : [
        { groups, pipelines: 1 },
        { groups, pipelines: groups },
      ];
}

export const shapeLabel = ({ groups, pipelines }: GroupShape) =>
  pipelines === 1
    ? `1 pipeline refreshing ${groups === 1 ? '1 group' : `${groups} groups at once`}`
    : `${pipelines} pipelines refreshing 1 group each`;

function pipelineConfig(i: number, instanceId: string, groups: BenchGroup[]): AmiPipelineConfig {
  return {
    name: `bench-groups-${i}`,
    instanceId,
    publish: { launchTemplates: groups.map((g) => ({ name: g.template })) },
    rollout: { autoScalingGroups: groups.map((g) => ({ name: g.name })), groupsAtATime: groups.length, ...REFRESH_PREFERENCES },
    waits: { refresh: { interval: REFRESH_POLL } },
  };
}

export async function runGroupsScenario(ctx: ScenarioContext, mode: 'shared' | 'per-run', shape: GroupShape): Promise<ScenarioResult> {
  const { stack, log } = ctx;
  const clients = benchClients(stack.sandbox.url);
  await stack.admin.reset(GROUPS_SANDBOX);
  const [buildInstance] = await launchInstances(clients.ec2, stack.admin, 1, { role: 'build' });
  const groups = await makeGroups(clients, stack.admin, shape.groups);
  await stack.admin.resetCalls();

  const perPipeline = shape.groups / shape.pipelines;
  const taskQueue = `bench-groups-${mode}-${shape.pipelines}x${perPipeline}-${Date.now()}`;
  const worker = await startScenarioWorkers(stack, taskQueue, mode);
  try {
    const cpu = openCpuWindow(stack.server.process.pid!);
    const creates = watchCreatesDone(stack.admin, 'CreateImage', shape.pipelines, ctx.timeoutMs);
    const waits = watchRefreshWaits(stack.admin, ctx.timeoutMs);
    const ids = Array.from({ length: shape.pipelines }, (_, i) => `${taskQueue}-${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    await startMany(
      stack.client,
      taskQueue,
      ids.map((workflowId, i) => ({
        workflowId,
        config: pipelineConfig(i, buildInstance!, groups.slice(i * perPipeline, (i + 1) * perPipeline)),
      })),
    );
    const infos = await waitAllClosed(
      stack.client,
      taskQueue,
      'amiPipeline',
      shape.pipelines,
      ctx.timeoutMs,
      (running) => log(`  ${running} running`),
      () => worker.assertRunning(),
    );
    const atCreatesDone = await creates.stop();
    const samples = await waits.stop();
    const { counts, dump, columns } = await readImageRuns({
      stack,
      ids,
      infos,
      t0,
      workers: worker,
      cpu,
      atCreatesDone,
      historySample: ctx.historySample,
    });
    const refreshes = groupRefreshes({
      pipelines: shape.pipelines,
      groups: groups.map((g) => g.name),
      instances: groups.reduce((sum, g) => sum + g.size, 0),
      samples,
      counts,
      refreshes: dump.autoscaling.instanceRefreshes,
      seen: await refreshesSeen(stack.client, ids),
      intervalMs: durationMs(REFRESH_POLL),
    });
    const unsettled = dump.autoscaling.instanceRefreshes.filter((r) => r.status !== 'Successful');

    return {
      scenario: 'groups',
      mode,
      n: shape.groups,
      ...columns,
      waitBeats: null,
      makespanBoundS: null,
      rolloutHistory: null,
      copies: null,
      copyLag: null,
      refreshes,
      notes: [
        `${shapeLabel(shape)}; group sizes ${groups.map((g) => g.size).join(', ')}; refresh waits poll every ${REFRESH_POLL}`,
        `the waits' DescribeInstanceRefreshes in each beat: ${refreshes.describesByBeat.join(', ')}`,
        ...(unsettled.length ? [`refreshes not Successful: ${unsettled.map((r) => `${r.groupName} ${r.status}`).join(', ')}`] : []),
      ],
    };
  } finally {
    await worker.stop();
  }
}
