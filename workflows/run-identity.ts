/**
 * The current run's identity and image name (workflow code only), from the template rules in
 * contracts/image-name.ts. Both are idempotency keys, so they must come out the same on every retry,
 * replay and reset: built from the run's identity and its start time, never from the wall clock.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { patched, workflowInfo } from '@temporalio/workflow';
import { resolveImageName } from '../contracts/image-name';

/** Set by Temporal on every run a schedule starts: the time the run was due, jitter included. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * What identifies this run's work in names and ownership tags: the ID of the first
 * run of its chain, which a reset or a continue-as-new keeps. A reset run therefore derives the same image
 * name and ownership tag, and adopts what its earlier run made instead of making a second one. Runs that
 * started before this rule keep their own run ID.
 */
export function runIdentity(): string {
  const { runId, firstExecutionRunId } = workflowInfo();
  return patched('run-identity-stable-across-resets') ? firstExecutionRunId : runId;
}

/**
 * The image name for the current run. A scheduled run takes {{date}} from the
 * time the schedule meant it to run, so names line up with the schedule, whenever the run started.
 */
export function imageNameForThisRun(template: string, pipeline: string): string {
  const { startTime, typedSearchAttributes } = workflowInfo();
  return resolveImageName(template, { pipeline, runId: runIdentity(), time: typedSearchAttributes.get(SCHEDULED_START_TIME) ?? startTime });
}
