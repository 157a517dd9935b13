/**
 * The bookkeeping every scenario shares: CPU time of the dev server and of this process over the
 * scenario's window, detection lag from the runs' progress, and the columns of a result row.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { CallCounts, StateDump } from '@golden-image/aws-sandbox';
import type { PipelineProgress } from '../contracts/progress';
import { mapLimit } from './bounded';
import { summarizeCalls } from './call-stats';
import { sampleHistories } from './history';
import type { BenchStack } from './stack';
import { ownCpuS, readCpuS, type ProcStats } from './proc-stats';
import { lagStats, round1 } from './stats';
import { lagSplit, type RunLag } from './lag-split';
import type { ScenarioResult, Spread } from './types';

interface CpuWindow {
  /** CPU seconds since the window opened: [dev server, this process]. */
  close(): { serverCpuS: number; benchCpuS: number };
}

export function openCpuWindow(serverPid: number): CpuWindow {
  const server0 = readCpuS(serverPid);
  const own0 = ownCpuS();
  return { close: () => ({ serverCpuS: round1(readCpuS(serverPid) - server0), benchCpuS: round1(ownCpuS() - own0) }) };
}

/** The call columns of a row; `atCreatesDone` splits off the throttled describes that happened during the waits. */
export function callColumns(
  counts: CallCounts,
  atCreatesDone: CallCounts | undefined,
): Pick<
  ScenarioResult,
  'describeCalls' | 'mutatingCalls' | 'throttledDescribe' | 'throttledMutating' | 'throttledDescribeDuringWaits' | 'calls'
> {
  const total = summarizeCalls(counts);
  return {
    ...total,
    throttledDescribeDuringWaits: atCreatesDone ? total.throttledDescribe - summarizeCalls(atCreatesDone).throttledDescribe : null,
    calls: counts.ec2,
  };
}

/**
 * Detection lag of each run: its resource's `readyAt` in the sandbox and the `endedAt` of the run's
 * wait stage (its `progress` query). `readyAtOf` finds the resource's readyAt for a run.
 */
export async function stageLags(
  client: Client,
  workflowIds: string[],
  stage: string,
  readyAtOf: (progress: PipelineProgress, index: number) => number | null | undefined,
): Promise<RunLag[]> {
  const lags = await mapLimit(workflowIds, 20, async (workflowId, i) => {
    const progress = await client.workflow.getHandle(workflowId).query<PipelineProgress>('progress');
    const ended = progress.stages.find((s) => s.stage === stage && s.state === 'succeeded')?.endedAt;
    const readyAt = readyAtOf(progress, i);
    return ended && readyAt ? [{ workflowId, readyAt, endedAt: Date.parse(ended) }] : [];
  });
  return lags.flat();
}

export const lagsMs = (runs: RunLag[]) => runs.map((r) => r.endedAt - r.readyAt);

/** The columns every Temporal scenario fills alike: lag, history, and the workers' and server's costs. */
export function runColumns(
  lags: RunLag[],
  history: { events: Spread | null; polls: Spread | null },
  workers: ProcStats[],
  cpu: { serverCpuS: number; benchCpuS: number },
): Pick<
  ScenarioResult,
  'lag' | 'historyEvents' | 'pollsPerWait' | 'workers' | 'perWorker' | 'workerPeakRssMiB' | 'workerCpuS' | 'serverCpuS' | 'benchCpuS'
> {
  return {
    lag: lagStats(lagsMs(lags)),
    historyEvents: history.events,
    pollsPerWait: history.polls,
    workers: workers.length,
    perWorker: workers.map((w) => ({ peakRssMiB: w.peakRssMiB, cpuS: round1(w.cpuS) })),
    workerPeakRssMiB: Math.max(...workers.map((w) => w.peakRssMiB)),
    workerCpuS: round1(workers.reduce((sum, w) => sum + w.cpuS, 0)),
    ...cpu,
  };
}

/** A scenario whose runs each make an image, as it stands when they have all closed. */
export interface ClosedImageRuns {
  stack: BenchStack;
  ids: string[];
  infos: WorkflowExecutionInfo[];
  /** When the first run was started. */
  t0: number;
  workers: { each(): ProcStats[] };
  cpu: CpuWindow;
  atCreatesDone: CallCounts | undefined;
  historySample: number;
}

/**
 * What every image-making scenario reads at its end, in this order: the worker's and the server's CPU
 * before the progress queries make the worker replay histories; then the calls, the sandbox's state, the
 * image waits' lags and a sample of histories. The row's shared columns, with the counts and state for
 * the scenario's own.
 */
export async function readImageRuns(runs: ClosedImageRuns): Promise<{
  counts: CallCounts;
  dump: StateDump;
  columns: Pick<ScenarioResult, 'succeeded' | 'failed' | 'makespanS' | 'lagSplit'> &
    ReturnType<typeof callColumns> &
    ReturnType<typeof runColumns>;
}> {
  const { stack, ids, infos } = runs;
  const workerStats = runs.workers.each();
  const cpuS = runs.cpu.close();
  const counts = await stack.admin.calls();
  const dump = await stack.admin.state();
  const readyAt = new Map(dump.images.map((i) => [i.id, i.readyAt]));
  const lags = await stageLags(stack.client, ids, 'wait-available', (progress) => readyAt.get(progress.resources[0] ?? ''));
  const history = await sampleHistories(stack.client, ids, 'waitForImageAvailable', runs.historySample);
  const closeTimes = infos.map((i) => i.closeTime?.getTime() ?? NaN).filter(Number.isFinite);
  return {
    counts,
    dump,
    columns: {
      succeeded: infos.filter((i) => i.status.name === 'COMPLETED').length,
      failed: infos.filter((i) => i.status.name !== 'COMPLETED').length,
      ...callColumns(counts, runs.atCreatesDone),
      makespanS: round1((Math.max(...closeTimes) - runs.t0) / 1000),
      ...runColumns(lags, history, workerStats, cpuS),
      lagSplit: await lagSplit(stack.client, lags, 'waitForImageAvailable'),
    },
  };
}
