/**
 * What every `golden-image` command shares: argument parsers, exit codes, the Temporal connection
 * for one command, and starting a run then following it to its end.
 */
import { InvalidArgumentError } from 'commander';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { tracingFromEnv } from '../contracts/tracing';
import { connectClient } from './connection';
import { createProgressView } from './progress-view';
import { followRun, type RunOutcome } from './runs';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function keyValue(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at < 1) throw new InvalidArgumentError(`expected key=value, got "${text}"`);
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

export function integer(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${text}"`);
  return n;
}

export async function withClient<T>(body: (client: Client) => Promise<T>): Promise<T> {
  const tracing = tracingFromEnv('golden-image-cli');
  try {
    const client = await connectClient(tracing);
    try {
      return await body(client);
    } finally {
      await client.connection.close();
    }
  } finally {
    // A command ends in a moment: its spans go out before the process exits, not in a later batch.
    await tracing?.shutdown();
  }
}

export interface FollowFlags {
  follow?: boolean;
  json?: boolean;
}

/** After a start: print the IDs and return, or follow the run and print its outcome. */
export async function reportStarted(handle: WorkflowHandleWithFirstExecutionRunId, flags: FollowFlags): Promise<void> {
  // Progress goes to stderr so that --json leaves stdout as pure JSON.
  console.error(`Started ${handle.workflowId} (run ${handle.firstExecutionRunId})`);
  if (!flags.follow) {
    if (flags.json) console.log(JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }));
    else console.error(`Follow it with: golden-image status ${handle.workflowId}`);
    return;
  }
  printOutcome(await followRun(handle, createProgressView(process.stderr)), flags.json);
}

function printOutcome(outcome: RunOutcome<unknown>, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(outcome, null, 2));
  } else if (outcome.status === 'COMPLETED') {
    console.log(`✔ ${outcome.workflowId} completed`);
    console.log(JSON.stringify(outcome.result, null, 2));
  } else {
    console.error(`✘ ${outcome.workflowId} ${outcome.status.toLowerCase()}: ${outcome.error ?? ''}`);
  }
  if (outcome.status !== 'COMPLETED') process.exitCode = EXIT_FAILED;
}
