/** Small helpers for driving and inspecting pipeline runs in tests. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type PipelineProgress } from '../../workflows/pipeline-progress';

/** Polls the `progress` query until `predicate` holds (the worker must be up to answer). */
export async function waitForProgress(
  handle: WorkflowHandle,
  predicate: (p: PipelineProgress) => boolean,
  timeoutMs = 30_000,
): Promise<PipelineProgress> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (progress && predicate(progress)) return progress;
    await sleep(100);
  }
  throw new Error(`progress condition not met within ${timeoutMs} ms`);
}

export const stageIs = (stage: string, state: string) => (p: PipelineProgress) =>
  p.stages.some((row) => row.stage === stage && row.state === state);

export async function historyEventCount(handle: WorkflowHandle): Promise<number> {
  return (await handle.fetchHistory()).events?.length ?? 0;
}
