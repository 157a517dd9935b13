/**
 * The fleet rollout: one amiPipeline whose rollout stage replaces the root volume of every instance
 * tagged into the fleet, `concurrency` children at a time. The fleet is launched (in big RunInstances
 * batches) before the run, and those calls are not counted. Detection lag is per replace-root-volume
 * task: its `readyAt` to the `endedAt` of the child's wait-task stage.
 */
import type { PipelineProgress } from '../contracts/progress';
import { benchEc2, type ScenarioContext } from './ami-scenario';
import { watchCreatesDone } from './call-stats';
import { historyFacts, sampleHistories } from './history';
import { callColumns, openCpuWindow, runColumns, stageLags } from './measure';
import { startMany, waitAllClosed } from './runs';
import { launchInstances, BENCH_SANDBOX } from './sandbox-setup';
import { round1 } from './stats';
import type { ScenarioResult } from './types';
import { startScenarioWorker } from './worker-process';

/** The input schema's maximum (contracts/ami-pipeline.ts caps rollout concurrency at 50). */
export const ROLLOUT_CONCURRENCY = 50;
const FLEET_TAGS = { fleet: 'bench-rollout' };

export async function runRolloutScenario(ctx: ScenarioContext, mode: 'shared' | 'per-run', n: number): Promise<ScenarioResult> {
  const { stack } = ctx;
  const ec2 = benchEc2(stack.sandbox.url);
  await stack.admin.reset(BENCH_SANDBOX);
  const [buildInstance] = await launchInstances(ec2, stack.admin, 1, { role: 'build' });
  await launchInstances(ec2, stack.admin, n, FLEET_TAGS);
  await stack.admin.resetCalls();

  const taskQueue = `bench-rollout-${mode}-${n}-${Date.now()}`;
  const parentId = `${taskQueue}-pipeline`;
  const worker = await startScenarioWorker(stack, taskQueue, mode);
  try {
    const cpu = openCpuWindow(stack.server.process.pid!);
    const creates = watchCreatesDone(stack.admin, 'CreateReplaceRootVolumeTask', n);
    const t0 = Date.now();
    const config = { name: 'bench-rollout', instanceId: buildInstance, rollout: { tags: FLEET_TAGS, concurrency: ROLLOUT_CONCURRENCY } };
    await startMany(stack.client, taskQueue, [{ workflowId: parentId, config }]);
    const [info] = await waitAllClosed(stack.client, taskQueue, 'amiPipeline', 1, ctx.timeoutMs, (running) => {
      if (running) void progressLine(ctx, parentId);
    });
    const atCreatesDone = await creates.stop();
    const workerStats = worker.stats();
    const cpuS = cpu.close();
    const counts = await stack.admin.calls();
    const dump = await stack.admin.state();

    const parent = await stack.client.workflow.getHandle(parentId).query<PipelineProgress>('progress');
    const rows = parent.instances ?? [];
    const readyAt = new Map(dump.replaceRootVolumeTasks.map((t) => [t.id, t.readyAt]));
    const childIds = rows.map((r) => `${parentId}/root-volume/${r.instanceId}`);
    const lags = await stageLags(stack.client, childIds, 'wait-task', (_, i) => readyAt.get(rows[i]!.taskId ?? ''));
    const history = await sampleHistories(stack.client, childIds, 'waitForRootVolumeTask', ctx.historySample);
    const parentEvents = (await historyFacts(stack.client, parentId, 'waitForImageAvailable')).events;

    return {
      scenario: 'rollout',
      mode,
      n,
      succeeded: rows.filter((r) => r.state === 'succeeded').length,
      failed: rows.filter((r) => r.state !== 'succeeded').length,
      ...callColumns(counts, atCreatesDone),
      makespanS: round1(((info?.closeTime?.getTime() ?? NaN) - t0) / 1000),
      ...runColumns(lags, history, workerStats, cpuS),
      notes: [
        `pipeline ${info?.status.name ?? 'unknown'}; concurrency ${ROLLOUT_CONCURRENCY}; history events are per rootVolumeReplacement child; the parent run has ${parentEvents}`,
      ],
    };
  } finally {
    await worker.stop();
  }
}

async function progressLine(ctx: ScenarioContext, parentId: string): Promise<void> {
  const progress = await ctx.stack.client.workflow
    .getHandle(parentId)
    .query<PipelineProgress>('progress')
    .catch(() => undefined);
  const rows = progress?.instances ?? [];
  if (progress) ctx.log(`  stage ${progress.stage}: ${rows.filter((r) => r.state === 'succeeded').length}/${rows.length} instances done`);
}
