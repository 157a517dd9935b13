/**
 * What a run's history costs: its event count, and how many attempts (polls) its wait took. Retries
 * are not written to history, but the final attempt number is, on the ActivityTaskStarted event.
 */
import type { Client } from '@temporalio/client';
import { mapLimit } from './bounded';
import { spread } from './stats';
import type { Spread } from './types';

interface HistoryFacts {
  events: number;
  /** Attempts of the named wait activity, or undefined if the run has none. */
  polls: number | undefined;
}

export async function historyFacts(client: Client, workflowId: string, waitActivity: string): Promise<HistoryFacts> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === waitActivity);
  const started = scheduled
    ? events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === Number(scheduled.eventId))
    : undefined;
  return { events: events.length, polls: started?.activityTaskStartedEventAttributes?.attempt ?? undefined };
}

/** Histories of an evenly spread sample of runs: enough to show the spread without fetching a thousand. */
export async function sampleHistories(
  client: Client,
  workflowIds: string[],
  waitActivity: string,
  sampleSize: number,
): Promise<{ events: Spread | null; polls: Spread | null }> {
  const step = Math.max(1, Math.floor(workflowIds.length / sampleSize));
  const sample = workflowIds.filter((_, i) => i % step === 0).slice(0, sampleSize);
  const facts = await mapLimit(sample, 10, (id) => historyFacts(client, id, waitActivity));
  return {
    events: spread(facts.map((f) => f.events)),
    polls: spread(facts.flatMap((f) => (f.polls === undefined ? [] : [f.polls]))),
  };
}

/** The event count of every run in a workflow's chain (continue-as-new), oldest first. */
export async function chainHistories(client: Client, workflowId: string): Promise<number[]> {
  const runs: string[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
  const counts = await mapLimit(
    runs,
    5,
    async (runId) => (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events?.length ?? 0,
  );
  return counts.reverse();
}
