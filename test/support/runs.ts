/** Small helpers for driving and inspecting pipeline runs in tests. */
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { runProgress } from '../../client/runs';
import { type PipelineProgress, type RolloutSummary } from '../../contracts/progress';

/** Polls the `progress` query until `predicate` holds (the worker must be up to answer). */
export async function waitForProgress(
  handle: WorkflowHandle,
  predicate: (p: PipelineProgress) => boolean,
  timeoutMs = 30_000,
): Promise<PipelineProgress> {
  const deadline = Date.now() + timeoutMs;
  let last: PipelineProgress | undefined;
  while (Date.now() < deadline) {
    // As the CLI shows it: with a rollout's counts and instances from the rollout workflow.
    last = await runProgress(handle);
    if (last && predicate(last)) return last;
    await sleep(100);
  }
  // Where the run was instead, so a run that never got there says why.
  const stages = last?.stages.map((row) => `${row.stage} ${row.state}${row.detail ? ` (${row.detail})` : ''}`).join('; ');
  throw new Error(
    `progress condition not met within ${timeoutMs} ms; last seen: ${stages ?? 'no progress'}` +
      `${last?.rollout ? `; rollout ${JSON.stringify(last.rollout.counts)}` : ''}${last?.groups ? `; groups ${JSON.stringify(last.groups)}` : ''}` +
      `; ${await pendingWork(handle)}`,
  );
}

/** What a run is waiting on: its pending activities (attempt, last failure) and child workflows, for failure messages. */
export async function pendingWork(handle: WorkflowHandle): Promise<string> {
  const { raw, status } = await handle.describe();
  const activities = (raw.pendingActivities ?? []).map(
    (a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? 'no failure yet'}`,
  );
  const children = (raw.pendingChildren ?? []).map((c) => `child ${c.workflowTypeName} ${c.workflowId}`);
  return `run ${handle.workflowId} ${status.name}; pending: ${[...activities, ...children].join('; ') || 'none'}`;
}

export const stageIs = (stage: string, state: string) => (p: PipelineProgress) =>
  p.stages.some((row) => row.stage === stage && row.state === state);

/** How many attempts (polls) the run's last activity took: history records only the last attempt's number. */
export async function waitAttempts(handle: WorkflowHandle, activityType = 'waitForImageAvailable'): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
  const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
}

export async function historyEventCount(handle: WorkflowHandle): Promise<number> {
  return (await handle.fetchHistory()).events?.length ?? 0;
}

/** The ApplicationFailure a run failed with; fails the test if the run succeeded. */
export async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const err = await handle.result().then(
    () => assert.fail('the run should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
  assert.ok(err.cause instanceof ApplicationFailure, `expected an ApplicationFailure cause, got ${String(err.cause)}`);
  return err.cause;
}

/**
 * Saves a run's history as a replay fixture in test/histories/, only when asked to
 * (`npm run histories:record`): fixtures change on purpose, never as a side effect of a test run.
 */
export async function recordHistory(handle: WorkflowHandle, fixture: string): Promise<void> {
  if (!process.env.GOLDEN_IMAGE_RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  // Replay reuses the file name as the workflow ID, and child workflow IDs derive from it.
  if (history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)) {
    assert.equal(handle.workflowId, fixture, 'start a run with children that records a fixture with the fixture name as its workflow ID');
  }
  const dir = path.join(__dirname, '..', 'histories');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${fixture}.json`), historyToJSON(temporal.api.history.v1.History.fromObject(history)));
}

/** A rollout summary's counts without the zeros: `{ succeeded: 4 }`. */
export const rolloutCounts = (summary: RolloutSummary | undefined) =>
  Object.fromEntries(Object.entries(summary?.counts ?? {}).filter(([, n]) => n > 0));
