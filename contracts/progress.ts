/**
 * What a running pipeline tells the outside world: the `progress` query's answer. The CLI's follow
 * view and tests read it; the Temporal UI gets the same table as the run's current details.
 */
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

type InstanceState = 'pending' | 'running' | 'succeeded' | 'failed' | 'failed-detached' | 'skipped' | 'cancelled';

/** One instance of a rollout: what happened to its root volume. */
export interface InstanceRow {
  instanceId: string;
  state: InstanceState;
  taskId?: string;
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
  /** Per-instance progress of a rollout, once it has started. */
  instances?: InstanceRow[];
}

export const progressQuery = defineQuery<PipelineProgress>('progress');
