/**
 * What a running pipeline tells the outside world: the `progress` query's answer. The CLI's follow
 * view and tests read it; the Temporal UI gets the same table as the run's current details.
 */
import type { GroupRow } from './instance-refresh';
import { defineQuery } from '@temporalio/workflow';

export type StageState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** How each state is drawn, in the UI's stage table and in the CLI's follow view alike. */
export const STAGE_ICONS: Record<StageState, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✔',
  failed: '✘',
  skipped: '–',
  cancelled: '■',
};

export interface StageRow<Stage extends string = string> {
  stage: Stage;
  state: StageState;
  /** ISO times from workflow time, so they replay identically. */
  startedAt?: string;
  endedAt?: string;
  /** A short human note: a resource ID, a failure reason. */
  detail?: string;
}

/** Milliseconds spent in each stage that ran, for a run's result. */
export type StageTimings<Stage extends string> = Partial<Record<Stage, number>>;

/**
 * An instance's way through a rollout. With `onFailure: rollback`, an instance that succeeded goes
 * through `rolling-back` to `rolled-back` (on its old image again) or `rollback-failed` (still on the new one).
 */
export const INSTANCE_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'failed-detached',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
  'skipped',
  'cancelled',
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

/** The states a summary names its instances in: failures, and instances a rollback could not put back. */
const NAMED_STATES: readonly InstanceState[] = ['failed', 'failed-detached', 'rollback-failed'];

/** One instance of a rollout: what happened to its root volume. */
export interface InstanceRow {
  instanceId: string;
  state: InstanceState;
  taskId?: string;
  /** The image it runs from now, where known: the new one, or after a rollback its old one. */
  imageId?: string;
  detail?: string;
}

/** Each workflow type has its own stages (its contract lists them); readers of any run see strings. */
export interface PipelineProgress<Stage extends string = string> {
  pipeline: string;
  /** The stage running now, or the last one that ran. */
  stage: Stage;
  stages: StageRow<Stage>[];
  /** AWS resources this run created or adopted, in the order it met them. */
  resources: string[];
  /**
   * A rollout's instances worth showing: every instance for a rollout run inline by an older run; for a
   * `rootVolumeRollout`, the running ones and the failed ones (at most FAILED_SHOWN), never the whole fleet.
   */
  instances?: InstanceRow[];
  /** A rollout's counts per state, once it has started. */
  rollout?: RolloutSummary;
  /** A rollout onto Auto Scaling groups: each group's instance refresh. */
  groups?: GroupRow[];
}

/** How many failed instances a rollout's summary names; the counts are always exact. */
export const FAILED_SHOWN = 100;

/**
 * A rollout in a size that does not grow with the fleet: how many instances ended in each state, and
 * the failed ones by name (the first FAILED_SHOWN). `golden-image status --instances` lists them all.
 */
export interface RolloutSummary {
  /** The `rootVolumeRollout` workflow that holds the per-instance children (absent for an older inline rollout). */
  workflowId?: string;
  total: number;
  counts: Record<InstanceState, number>;
  /** The instances that failed, and those a rollback could not put back. */
  failed: InstanceRow[];
}

/** A summary of `total` instances, all still pending. */
export function emptyRolloutSummary(total: number, workflowId?: string): RolloutSummary {
  const counts = Object.fromEntries(INSTANCE_STATES.map((s) => [s, 0])) as Record<InstanceState, number>;
  return { ...(workflowId && { workflowId }), total, counts: { ...counts, pending: total }, failed: [] };
}

/** Moves `count` instances from one state to another; a failed one is named while there is room. */
export function moveInstances(summary: RolloutSummary, from: InstanceState, to: InstanceRow | InstanceState, count = 1): void {
  const state = typeof to === 'string' ? to : to.state;
  // A summary carried over from a run made before the rollback states has no count for them.
  summary.counts[from] = (summary.counts[from] ?? 0) - count;
  summary.counts[state] = (summary.counts[state] ?? 0) + count;
  if (typeof to !== 'string' && NAMED_STATES.includes(state) && summary.failed.length < FAILED_SHOWN) summary.failed.push({ ...to });
}

/** "9,950 succeeded, 2 failed, 48 running" — the states that have instances, in lifecycle order. */
export function describeCounts(summary: RolloutSummary): string {
  const parts = INSTANCE_STATES.filter((s) => summary.counts[s] > 0).map((s) => `${summary.counts[s]} ${s}`);
  return `${parts.join(', ') || 'nothing yet'} of ${summary.total}`;
}

export const progressQuery = defineQuery<PipelineProgress>('progress');
