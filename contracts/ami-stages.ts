/** The stages of an `amiPipeline` run, in order; all but create and wait-available are optional, and skipped when not configured. */
export const AMI_STAGES = [
  'resolve-source',
  'launch-build',
  'provision',
  'create',
  'wait-available',
  'test',
  'distribute',
  'fast-launch',
  'approval',
  'publish',
  'rollout',
  'retention',
] as const;
export type AmiStage = (typeof AMI_STAGES)[number];
