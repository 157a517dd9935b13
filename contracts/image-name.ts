/**
 * Resolves an image-name template. The name is CreateImage's idempotency key, so it must come out the
 * same on every retry, replay and reset: it is built from the run's identity and its start time, never
 * from the wall clock.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { patched, workflowInfo } from '@temporalio/workflow';

/** Set by Temporal on every run a schedule starts: the time the run was due, jitter included. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

interface NameContext {
  pipeline: string;
  runId: string;
  /** The run's start (or, for scheduled runs, its scheduled) time. */
  time: Date;
}

/** Stand-ins of full length for {{date}} (15 characters) and {{run}} (8), so a template can be checked before the run exists. */
export const SAMPLE_RUN = { runId: '00000000-0000-0000-0000-000000000000', time: new Date(0) };

function compactUtc(time: Date): string {
  const iso = time.toISOString(); // 2026-11-22T09:51:53.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

export function resolveImageName(template: string, ctx: NameContext): string {
  return (
    template
      .replaceAll('{{pipeline}}', ctx.pipeline)
      .replaceAll('{{date}}', compactUtc(ctx.time))
      // The tail of the run ID: its random part (run IDs are UUIDv7, whose head is a timestamp).
      .replaceAll('{{run}}', ctx.runId.replaceAll('-', '').slice(-8))
  );
}

/**
 * What identifies this run's work in names and ownership tags (workflow code only): the ID of the first
 * run of its chain, which a reset or a continue-as-new keeps. A reset run therefore derives the same image
 * name and ownership tag, and adopts what its earlier run made instead of making a second one. Runs that
 * started before this rule keep their own run ID.
 */
export function runIdentity(): string {
  const { runId, firstExecutionRunId } = workflowInfo();
  return patched('run-identity-stable-across-resets') ? firstExecutionRunId : runId;
}

/**
 * The image name for the current run (workflow code only). A scheduled run takes {{date}} from the
 * time the schedule meant it to run, so names line up with the schedule, whenever the run started.
 */
export function imageNameForThisRun(template: string, pipeline: string): string {
  const { startTime, typedSearchAttributes } = workflowInfo();
  return resolveImageName(template, { pipeline, runId: runIdentity(), time: typedSearchAttributes.get(SCHEDULED_START_TIME) ?? startTime });
}
