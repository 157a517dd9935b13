/**
 * The `rootVolumeRollout` contract: a rollout as a workflow of its own, started by `amiPipeline` as a
 * child. It starts one `rootVolumeReplacement` child per instance and continues as new every
 * INSTANCES_PER_RUN instances, so that its history stays bounded however large the fleet is.
 */
import { defineQuery } from '@temporalio/workflow';
import type { RolloutSpec } from './ami-pipeline';
import type { ApprovalPolicy } from './approval-policy';
import type { NotifySettings } from './notification-events';
import type { WaitSettings } from './duration-fields';
import type { RolloutSummary } from './progress';

/**
 * Instances one run of the rollout starts before it continues as new. Each instance costs the run
 * about 6 events (child initiated, started, completed, and its share of the workflow tasks between),
 * so one run stays near 3,100 events (3,074 measured by the 10,000-instance bench), well inside
 * Temporal's 51,200 limit and its 10,240 warning, whatever the fleet's size.
 */
export const INSTANCES_PER_RUN = 500;

/** The stage of `amiPipeline` that rolls out, and the one stage of `rootVolumeRollout`: readers find a rollout's rows under it. */
export const ROLLOUT_STAGE = 'rollout';
export const ROLLOUT_STAGES = [ROLLOUT_STAGE] as const;

export interface RootVolumeRolloutInput {
  pipeline: string;
  imageId: string;
  spec: RolloutSpec;
  /** The image's, which every target must match (checked when the targets are resolved from tags). */
  platform: string;
  architecture: string;
  wait: WaitSettings;
  /** The pipeline's approval policy: a canary's gate asks the same approvers, and waits as long (default: anyone, 24h). */
  approval?: ApprovalPolicy;
  /** The pipeline's notifications, when it sends them: a canary waiting for approval says so (approval-needed). */
  notify?: NotifySettings;
  /** Set by continue-as-new: the instances not started yet, and the summary so far. */
  remaining?: string[];
  summary?: RolloutSummary;
  /** Set by continue-as-new: canary instances not started yet (the canary's wait follows the last of them). */
  canaryLeft?: number;
  /** Set by continue-as-new, with `onFailure: rollback`: the instances moved to the image (and not rolled back yet), by the image each ran before. */
  moved?: MovedInstances;
  /** Set by continue-as-new once the rollout has failed and is rolling back: the failure it ends with. */
  rollingBack?: RolloutFailure;
  /** Tests lower it to see continue-as-new with a small fleet. */
  instancesPerRun?: number;
}

/**
 * Instance IDs by the image each ran before its replacement: what a rollback needs. Grouped by image
 * (a fleet runs few), so that carrying it through continue-as-new costs about an instance ID per instance.
 */
export type MovedInstances = Record<string, string[]>;

/** Why a rollout failed, kept while it rolls back; the message gets the rollback's outcome at the end. */
export interface RolloutFailure {
  type: 'RolloutHalted' | 'CanaryRejected' | 'ApprovalTimeout';
  reason: string;
}

/** Where a pipeline run's rollout lives, and where each instance's replacement lives. */
export const rolloutWorkflowId = (pipelineWorkflowId: string) => `${pipelineWorkflowId}/rollout`;
export const replacementWorkflowId = (rolloutId: string, instanceId: string) => `${rolloutId}/${instanceId}`;
/**
 * Where an instance's rollback lives: beside the replacements, not under `<rollout>/`, so that listing a
 * rollout's replacements by that prefix finds each instance once (visibility has no "does not start with").
 */
export const rollbackWorkflowId = (rolloutId: string, instanceId: string) => `${rolloutId}-rollback/${instanceId}`;

/** The instances a rollout has not started (yet, or ever), a page at a time, for `golden-image status --instances`. */
export interface NotStartedPage {
  /** `pending` while the rollout runs; `skipped` or `cancelled` once it has stopped. */
  state: 'pending' | 'skipped' | 'cancelled';
  instanceIds: string[];
  total: number;
}

export const notStartedQuery = defineQuery<NotStartedPage, [{ offset: number; limit: number }]>('notStartedInstances');
