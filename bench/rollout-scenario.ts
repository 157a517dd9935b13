/**
 * The fleet rollout: one amiPipeline whose rollout child replaces the root volume of every instance
 * tagged into the fleet, `concurrency` children at a time, continuing as new every INSTANCES_PER_RUN
 * instances. The fleet is launched (in big RunInstances batches) before the run, and those calls are
 * not counted. Detection lag is per replace-root-volume task: its `readyAt` to the `endedAt` of the
 * child's wait-task stage. The notes give the pipeline's history and the longest rollout run's.
 */
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import { describeCounts, type PipelineProgress } from '../contracts/progress';
import { replacementWorkflowId, rolloutWorkflowId } from '../contracts/root-volume-rollout';
import { benchEc2, type ScenarioContext } from './ami-scenario';
import { durationMs } from '../contracts/durations';
import { EC2_BUCKETS } from '../contracts/rate-lanes';
import { beatStats, sampleEverySecond } from './beats';
import { watchCreatesDone } from './call-stats';
import { chainHistories, historyFacts, sampleHistories } from './history';
import { lagSplit } from './lag-split';
import { callColumns, openCpuWindow, runColumns, stageLags } from './measure';
import { startMany, waitAllClosed } from './runs';
import { launchInstances, BENCH_SANDBOX } from './sandbox-setup';
import { round1 } from './stats';
import type { ScenarioResult } from './types';
import { startScenarioWorkers } from './worker-process';

/** The input schema's maximum (contracts/ami-pipeline.ts caps rollout concurrency at 50). */
export const ROLLOUT_CONCURRENCY = 50;
const FLEET_TAGS = { fleet: 'bench-rollout' };

/**
 * A rollout cannot finish before the governor has let its n CreateReplaceRootVolumeTask calls through
 * at the mutating bucket's refill rate (33 min for 10,000): it is given twice that, or the bench's
 * usual limit if longer.
 */
const rolloutTimeoutMs = (n: number, usualMs: number) => Math.max(usualMs, (2 * n * 1000) / EC2_BUCKETS.mutating.refillPerSecond);

export interface RolloutSettings {
  instances: number;
  /** The root-volume wait's poll interval (the pipeline's default is 15s). */
  interval: string;
}

export async function runRolloutScenario(
  ctx: ScenarioContext,
  mode: 'shared' | 'per-run',
  settings: RolloutSettings,
): Promise<ScenarioResult> {
  const n = settings.instances;
  const { stack } = ctx;
  const ec2 = benchEc2(stack.sandbox.url);
  await stack.admin.reset(BENCH_SANDBOX);
  const [buildInstance] = await launchInstances(ec2, stack.admin, 1, { role: 'build' });
  await launchInstances(ec2, stack.admin, n, FLEET_TAGS);
  await stack.admin.resetCalls();

  const timeoutMs = rolloutTimeoutMs(n, ctx.timeoutMs);
  const taskQueue = `bench-rollout-${mode}-${n}-${Date.now()}`;
  const parentId = `${taskQueue}-pipeline`;
  const worker = await startScenarioWorkers(stack, taskQueue, mode);
  try {
    const cpu = openCpuWindow(stack.server.process.pid!);
    const creates = watchCreatesDone(stack.admin, 'CreateReplaceRootVolumeTask', n, timeoutMs);
    const describes = sampleEverySecond(
      async () => ({ count: (await stack.admin.calls()).ec2.DescribeReplaceRootVolumeTasks?.total ?? 0 }),
      timeoutMs,
    );
    const t0 = Date.now();
    const config = {
      name: 'bench-rollout',
      instanceId: buildInstance,
      rollout: { tags: FLEET_TAGS, concurrency: ROLLOUT_CONCURRENCY },
      waits: { rootVolume: { interval: settings.interval, timeout: '1h' } },
    };
    await startMany(stack.client, taskQueue, [{ workflowId: parentId, config }]);
    const [info] = await waitAllClosed(
      stack.client,
      taskQueue,
      'amiPipeline',
      1,
      timeoutMs,
      (running) => {
        if (running) void progressLine(ctx, parentId);
      },
      () => worker.assertRunning(),
    );
    const atCreatesDone = await creates.stop();
    const waitBeats = beatStats(await describes.stop(), durationMs(settings.interval));
    const workerStats = worker.each();
    const cpuS = cpu.close();
    const counts = await stack.admin.calls();
    const dump = await stack.admin.state();

    const summary = ((await stack.client.workflow.getHandle(parentId).result()) as AmiPipelineResult).rollout;
    const rolloutId = rolloutWorkflowId(parentId);
    const tasks = dump.replaceRootVolumeTasks;
    const childIds = tasks.map((t) => replacementWorkflowId(rolloutId, t.instanceId));
    const lags = await stageLags(stack.client, childIds, 'wait-task', (_, i) => tasks[i]!.readyAt);
    const history = await sampleHistories(stack.client, childIds, 'waitForRootVolumeTask', ctx.historySample);
    const parentEvents = (await historyFacts(stack.client, parentId, 'waitForImageAvailable')).events;
    const rolloutRuns = await chainHistories(stack.client, rolloutId);

    return {
      scenario: 'rollout',
      mode,
      n,
      succeeded: summary?.counts.succeeded ?? 0,
      failed: n - (summary?.counts.succeeded ?? 0),
      ...callColumns(counts, atCreatesDone),
      makespanS: round1(((info?.closeTime?.getTime() ?? NaN) - t0) / 1000),
      ...runColumns(lags, history, workerStats, cpuS),
      lagSplit: await lagSplit(stack.client, lags, 'waitForRootVolumeTask'),
      waitBeats,
      makespanBoundS: null,
      rolloutHistory: { pipelineEvents: parentEvents, runs: rolloutRuns.length, longestRunEvents: Math.max(...rolloutRuns) },
      copies: null,
      copyLag: null,
      refreshes: null,
      notes: [
        `pipeline ${info?.status.name ?? 'unknown'}; concurrency ${ROLLOUT_CONCURRENCY}; root-volume polls every ${settings.interval}; history events are per rootVolumeReplacement child`,
        `history: the pipeline run ${parentEvents} events; the rollout ${rolloutRuns.length} runs (continue-as-new), the longest ${Math.max(...rolloutRuns)} events`,
      ],
    };
  } finally {
    await worker.stop();
  }
}

async function progressLine(ctx: ScenarioContext, parentId: string): Promise<void> {
  const progress = await ctx.stack.client.workflow
    .getHandle(rolloutWorkflowId(parentId))
    .query<PipelineProgress>('progress')
    .catch(() => undefined);
  if (progress?.rollout) ctx.log(`  rollout: ${describeCounts(progress.rollout)}`);
}
