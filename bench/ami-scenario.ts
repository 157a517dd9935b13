/**
 * Modes (a) and (b): N concurrent amiPipeline runs (create + wait-available, default 15 s polls) on
 * fresh production workers (one or more processes on one task queue) in the given wait mode. Detection
 * lag is measured per image, from the sandbox's `readyAt` to the `endedAt` of the run's wait-available
 * stage (its `progress` query). With copy Regions, every run also copies its image to each of them and
 * waits for the copies there; the workers' rate governor has lanes in those Regions too.
 */
import type { AmiPipelineConfig } from '../contracts/ami-pipeline';
import { durationMs } from '../contracts/durations';
import { EC2_BUCKETS } from '../contracts/rate-lanes';
import { beatStats, sampleEverySecond } from './beats';
import { watchCreatesDone } from './call-stats';
import { lastCopyReady, watchCopyWaits } from './copy-waits';
import { lagsMs, openCpuWindow, readImageRuns, stageLags } from './measure';
import { startMany, waitAllClosed } from './runs';
import { launchInstances, BENCH_SANDBOX } from './sandbox-setup';
import type { BenchStack } from './stack';
import { lagStats, round1 } from './stats';
import type { ScenarioResult } from './types';
import { startScenarioWorkers } from './worker-process';
import { createAwsClients } from '../activities/aws/clients';
import { BENCH_CREDENTIALS, BENCH_REGION } from './stack';

export interface ScenarioContext {
  stack: BenchStack;
  log: (msg: string) => void;
  historySample: number;
  timeoutMs: number;
  /** Regions every AMI pipeline copies its image to (`--copy-regions`); none by default. */
  copyRegions: string[];
}

/** The image waits' poll interval: the pipeline's default. */
const IMAGE_POLL_S = 15;

/** The copy waits poll as often as the image wait does (its default), so both kinds of beat have one interval. */
export const COPY_POLL = '15s';

function pipelineConfig(i: number, instanceId: string, copyRegions: string[]): AmiPipelineConfig {
  if (!copyRegions.length) return { name: `bench-${i}`, instanceId };
  return {
    name: `bench-${i}`,
    instanceId,
    distribution: { regions: copyRegions.map((region) => ({ region })) },
    waits: { copy: { interval: COPY_POLL } },
  };
}

/** The bench's own clients in the build Region, for arranging scenarios on the sandbox. */
export function benchClients(sandboxUrl: string) {
  return createAwsClients({ endpoint: sandboxUrl, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, maxAttempts: 3 }).at();
}

export const benchEc2 = (sandboxUrl: string) => benchClients(sandboxUrl).ec2;

export async function runAmiScenario(
  ctx: ScenarioContext,
  mode: 'shared' | 'per-run',
  n: number,
  workerCount = 1,
): Promise<ScenarioResult> {
  const { stack, log } = ctx;
  const ec2 = benchEc2(stack.sandbox.url);
  await stack.admin.reset(BENCH_SANDBOX);
  const [buildInstance] = await launchInstances(ec2, stack.admin, 1, { role: 'build' });
  await stack.admin.resetCalls();

  const taskQueue = `bench-ami-${mode}-${n}x${workerCount}-${Date.now()}`;
  const workers = await startScenarioWorkers(stack, taskQueue, mode, workerCount, {
    GOLDEN_IMAGE_GOVERNED_REGIONS: ctx.copyRegions.join(','),
  });
  try {
    const cpu = openCpuWindow(stack.server.process.pid!);
    const creates = watchCreatesDone(stack.admin, 'CreateImage', n, ctx.timeoutMs);
    const imageWaits = watchImageWaits(stack, n, ctx.timeoutMs);
    const copyWaits = ctx.copyRegions.length
      ? watchCopyWaits(stack.admin, ctx.copyRegions, durationMs(COPY_POLL), ctx.timeoutMs)
      : undefined;
    const ids = Array.from({ length: n }, (_, i) => `${taskQueue}-${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    await startMany(
      stack.client,
      taskQueue,
      ids.map((workflowId, i) => ({ workflowId, config: pipelineConfig(i, buildInstance!, ctx.copyRegions) })),
    );
    log(`  started ${n} runs in ${round1((Date.now() - t0) / 1000)} s`);
    const infos = await waitAllClosed(
      stack.client,
      taskQueue,
      'amiPipeline',
      n,
      ctx.timeoutMs,
      (running) => log(`  ${running} running`),
      () => workers.assertRunning(),
    );
    const atCreatesDone = await creates.stop();
    const waitBeats = await imageWaits.stop();
    const copies = await copyWaits?.stop(t0);
    const { columns, dump } = await readImageRuns({
      stack,
      ids,
      infos,
      t0,
      workers,
      cpu,
      atCreatesDone,
      historySample: ctx.historySample,
    });
    const slowestImageS = Math.max(0, ...dump.images.map((i) => ((i.readyAt ?? i.createdAt) - i.createdAt) / 1000));
    const copyLags = copies ? await stageLags(stack.client, ids, 'distribute', (progress) => lastCopyReady(progress, copies.readyAt)) : [];

    return {
      scenario: 'ami',
      mode,
      n,
      ...columns,
      waitBeats,
      rolloutHistory: null,
      // The bound is of creates and image waits: pipelines that also copy and wait for the copies have none.
      makespanBoundS: copies ? null : round1(n / EC2_BUCKETS.mutating.refillPerSecond + slowestImageS + IMAGE_POLL_S),
      copies: copies?.regions ?? null,
      copyLag: copies ? lagStats(lagsMs(copyLags)) : null,
      refreshes: null,
      notes: [],
    };
  } finally {
    await workers.stop();
  }
}

/**
 * DescribeImages in the build Region per poll interval once every create was done: from then on each is
 * a wait's (before, the creates' look-ups by name are counted too).
 */
function watchImageWaits(stack: BenchStack, n: number, timeoutMs: number) {
  const sampling = sampleEverySecond(async () => {
    const { ec2 } = await stack.admin.calls({ region: BENCH_REGION });
    const create = ec2.CreateImage;
    return { described: ec2.DescribeImages?.total ?? 0, created: create ? create.total - create.throttled - create.faulted : 0 };
  }, timeoutMs);
  return {
    async stop(): Promise<ScenarioResult['waitBeats']> {
      const samples = await sampling.stop();
      const done = samples.findIndex((s) => s.created >= n);
      if (done < 0) return null;
      const base = samples[done]!.described;
      return beatStats(
        samples.slice(done).map((s) => ({ at: s.at, count: s.described - base })),
        IMAGE_POLL_S * 1000,
      );
    },
  };
}
