/**
 * Modes (a) and (b): N concurrent amiPipeline runs (create + wait-available, default 15 s polls) on a
 * fresh production worker in the given wait mode. Detection lag is measured per image, from the
 * sandbox's `readyAt` to the `endedAt` of the run's wait-available stage (its `progress` query).
 */
import { watchCreatesDone } from './call-stats';
import { sampleHistories } from './history';
import { callColumns, openCpuWindow, runColumns, stageLags } from './measure';
import { startMany, waitAllClosed } from './runs';
import { launchInstances, BENCH_SANDBOX } from './sandbox-setup';
import type { BenchStack } from './stack';
import { round1 } from './stats';
import type { ScenarioResult } from './types';
import { startScenarioWorker } from './worker-process';
import { createAwsClients } from '../activities/aws/clients';
import { BENCH_CREDENTIALS, BENCH_REGION } from './stack';

export interface ScenarioContext {
  stack: BenchStack;
  log: (msg: string) => void;
  historySample: number;
  timeoutMs: number;
}

export function benchEc2(sandboxUrl: string) {
  return createAwsClients({ endpoint: sandboxUrl, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, maxAttempts: 3 }).ec2;
}

export async function runAmiScenario(ctx: ScenarioContext, mode: 'shared' | 'per-run', n: number): Promise<ScenarioResult> {
  const { stack, log } = ctx;
  const ec2 = benchEc2(stack.sandbox.url);
  await stack.admin.reset(BENCH_SANDBOX);
  const [buildInstance] = await launchInstances(ec2, stack.admin, 1, { role: 'build' });
  await stack.admin.resetCalls();

  const taskQueue = `bench-ami-${mode}-${n}-${Date.now()}`;
  const worker = await startScenarioWorker(stack, taskQueue, mode);
  try {
    const cpu = openCpuWindow(stack.server.process.pid!);
    const creates = watchCreatesDone(stack.admin, 'CreateImage', n);
    const ids = Array.from({ length: n }, (_, i) => `${taskQueue}-${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    await startMany(
      stack.client,
      taskQueue,
      ids.map((workflowId, i) => ({ workflowId, config: { name: `bench-${i}`, instanceId: buildInstance } })),
    );
    log(`  started ${n} runs in ${round1((Date.now() - t0) / 1000)} s`);
    const infos = await waitAllClosed(stack.client, taskQueue, 'amiPipeline', n, ctx.timeoutMs, (running) => log(`  ${running} running`));
    const atCreatesDone = await creates.stop();
    // Read the worker before the progress queries below make it replay histories.
    const workerStats = worker.stats();
    const cpuS = cpu.close();
    const counts = await stack.admin.calls();
    const dump = await stack.admin.state();

    const readyAt = new Map(dump.images.map((i) => [i.id, i.readyAt]));
    const lags = await stageLags(stack.client, ids, 'wait-available', (progress) => readyAt.get(progress.resources[0] ?? ''));
    const history = await sampleHistories(stack.client, ids, 'waitForImageAvailable', ctx.historySample);
    const closeTimes = infos.map((i) => i.closeTime?.getTime() ?? NaN).filter(Number.isFinite);

    return {
      scenario: 'ami',
      mode,
      n,
      succeeded: infos.filter((i) => i.status.name === 'COMPLETED').length,
      failed: infos.filter((i) => i.status.name !== 'COMPLETED').length,
      ...callColumns(counts, atCreatesDone),
      makespanS: round1((Math.max(...closeTimes) - t0) / 1000),
      ...runColumns(lags, history, workerStats, cpuS),
      notes: [],
    };
  } finally {
    await worker.stop();
  }
}
