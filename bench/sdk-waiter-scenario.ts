/**
 * Mode (c): what a plain script does, outside Temporal. N scripts at once, each CreateImage (retrying
 * RequestLimitExceeded with capped, jittered backoff, as AWS advises) and then the SDK's own
 * `waitUntilImageAvailable` on its image. Detection lag is the waiter's return time minus `readyAt`.
 * It needs neither Temporal nor a worker, so it runs on a sandbox of its own beside the Temporal
 * scenarios (`sandbox`), and the CPU of the server and of this process over its window are theirs too.
 */
import { CreateImageCommand, EC2Client, waitUntilImageAvailable } from '@aws-sdk/client-ec2';
import { watchCreatesDone } from './call-stats';
import { callColumns } from './measure';
import { launchInstances, BENCH_SANDBOX } from './sandbox-setup';
import { BENCH_CREDENTIALS, BENCH_REGION, type SideSandbox } from './stack';
import { sleep } from './bounded';
import { lagStats, round1 } from './stats';
import type { ScenarioResult } from './types';
import type { ScenarioContext } from './ami-scenario';
import { benchEc2 } from './ami-scenario';

/** Longer than any sandbox AMI (60 s) plus the waiter's 120 s cap: a waiter that gives up is a finding, not noise. */
const MAX_WAIT_S = 1_800;
const CREATE_TRIES = 30;

async function createWithRetry(ec2: EC2Client, instanceId: string, name: string): Promise<string> {
  for (let attempt = 0; attempt < CREATE_TRIES; attempt++) {
    try {
      const out = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: name, NoReboot: true }));
      return out.ImageId ?? '';
    } catch (err) {
      if ((err as { name?: string }).name !== 'RequestLimitExceeded') throw err;
      await sleep(Math.random() * Math.min(30_000, 1_000 * 2 ** attempt));
    }
  }
  throw new Error(`CreateImage ${name}: still throttled after ${CREATE_TRIES} tries`);
}

export async function runSdkWaiterScenario(ctx: ScenarioContext, sandbox: SideSandbox, n: number): Promise<ScenarioResult> {
  const { log } = ctx;
  const { admin } = sandbox;
  await admin.reset(BENCH_SANDBOX);
  const [buildInstance] = await launchInstances(benchEc2(sandbox.sandbox.url), admin, 1, { role: 'build' });
  await admin.resetCalls();
  // A plain script's client: the SDK's defaults (standard retries, 3 attempts).
  const ec2 = new EC2Client({ region: BENCH_REGION, endpoint: sandbox.sandbox.url, credentials: BENCH_CREDENTIALS });

  const creates = watchCreatesDone(admin, 'CreateImage', n, ctx.timeoutMs);
  const t0 = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      try {
        const imageId = await createWithRetry(ec2, buildInstance!, `bench-sdk-${i}`);
        const waited = await waitUntilImageAvailable({ client: ec2, maxWaitTime: MAX_WAIT_S }, { ImageIds: [imageId] });
        return { imageId, ok: waited.state === 'SUCCESS', doneAt: Date.now() };
      } catch (err) {
        return { imageId: '', ok: false, doneAt: Date.now(), error: String(err) };
      }
    }),
  );
  const atCreatesDone = await creates.stop();
  const counts = await admin.calls();
  const dump = await admin.state();
  ec2.destroy();

  const readyAt = new Map(dump.images.map((i) => [i.id, i.readyAt]));
  const lags = outcomes.flatMap((o) => {
    const ready = readyAt.get(o.imageId);
    return o.ok && ready ? [o.doneAt - ready] : [];
  });
  const failures = outcomes.filter((o) => !o.ok);
  if (failures.length) log(`  ${failures.length} waiters failed, e.g. ${'error' in failures[0]! ? failures[0].error : 'timeout'}`);
  return {
    scenario: 'ami',
    mode: 'sdk-waiter',
    n,
    succeeded: n - failures.length,
    failed: failures.length,
    ...callColumns(counts, atCreatesDone),
    makespanS: round1((Math.max(...outcomes.map((o) => o.doneAt)) - t0) / 1000),
    lag: lagStats(lags),
    historyEvents: null,
    pollsPerWait: null,
    lagSplit: null,
    workers: 0,
    perWorker: [],
    workerPeakRssMiB: null,
    workerCpuS: null,
    waitBeats: null,
    makespanBoundS: null,
    rolloutHistory: null,
    serverCpuS: NaN,
    benchCpuS: NaN,
    copies: null,
    copyLag: null,
    refreshes: null,
    notes: [
      'outside Temporal: no worker, no history; the waiters run in the bench process, on a sandbox of their own, beside the Temporal scenarios',
    ],
  };
}
