/**
 * Where detection lag goes. A run's lag (the resource ready in the sandbox → its wait stage's end) is
 * split at two points its history records: the start of the wait's last attempt (the poll that saw it)
 * and that attempt's completion. So the parts are:
 * - until the poll: waiting for the next attempt (the retry timer at the poll interval, then the
 *   dispatch of the attempt to a worker);
 * - in the poll: the attempt in the worker (with the shared watcher, its wait for the next beat and
 *   the describe; with per-run polling, the describe alone);
 * - to the workflow: the completion to the stage's end (a workflow task: scheduled, dispatched, run).
 * Split for the slowest 1% of runs (the tail behind the p99) and for as many around the median, so
 * that only those histories are fetched.
 */
import type { Client } from '@temporalio/client';
import { mapLimit } from './bounded';
import type { LagSplit, LagParts } from './types';

export interface RunLag {
  workflowId: string;
  /** When the resource became ready, and when the run's wait stage ended (epoch ms). */
  readyAt: number;
  endedAt: number;
}

const time = (t: unknown) => {
  const ts = t as { seconds?: unknown; nanos?: number } | null | undefined;
  return Number(ts?.seconds ?? NaN) * 1000 + (ts?.nanos ?? 0) / 1e6;
};

/**
 * The last attempt's start and completion of the run's first `waitActivity`, from its history: the
 * wait the lag is measured on (an AMI pipeline's later waits of the same type are its copies' waits).
 */
async function pollTimes(client: Client, workflowId: string, waitActivity: string): Promise<{ started: number; completed: number } | null> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === waitActivity);
  if (!scheduled) return null;
  const of = (e: (typeof events)[number]) =>
    Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -1);
  const started = events.find((e) => e.activityTaskStartedEventAttributes && of(e) === Number(scheduled.eventId));
  const completed = events.find((e) => e.activityTaskCompletedEventAttributes && of(e) === Number(scheduled.eventId));
  return started && completed ? { started: time(started.eventTime), completed: time(completed.eventTime) } : null;
}

async function partsOf(client: Client, runs: RunLag[], waitActivity: string): Promise<LagParts | null> {
  const split = (
    await mapLimit(runs, 5, async (run) => {
      const poll = await pollTimes(client, run.workflowId, waitActivity);
      return poll
        ? [
            {
              lag: run.endedAt - run.readyAt,
              untilPoll: poll.started - run.readyAt,
              inPoll: poll.completed - poll.started,
              toWorkflow: run.endedAt - poll.completed,
            },
          ]
        : [];
    })
  ).flat();
  if (!split.length) return null;
  const mean = (pick: (s: (typeof split)[number]) => number) =>
    Math.round(split.reduce((sum, s) => sum + pick(s), 0) / split.length / 10) / 100;
  return {
    runs: split.length,
    lagS: mean((s) => s.lag),
    untilPollS: mean((s) => s.untilPoll),
    inPollS: mean((s) => s.inPoll),
    toWorkflowS: mean((s) => s.toWorkflow),
  };
}

export async function lagSplit(client: Client, lags: RunLag[], waitActivity: string): Promise<LagSplit | null> {
  if (!lags.length) return null;
  const sorted = [...lags].sort((a, b) => a.endedAt - a.readyAt - (b.endedAt - b.readyAt));
  const count = Math.max(1, Math.ceil(sorted.length / 100));
  const middle = Math.max(0, Math.floor(sorted.length / 2) - Math.floor(count / 2));
  const [tail, median] = await Promise.all([
    partsOf(client, sorted.slice(-count), waitActivity),
    partsOf(client, sorted.slice(middle, middle + count), waitActivity),
  ]);
  return tail && median ? { tail, median } : null;
}
