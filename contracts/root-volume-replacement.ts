/**
 * The `rootVolumeReplacement` contract: one instance of a rollout, run by `amiPipeline` as a child
 * workflow with its own history and its own page in the UI.
 */
import type { WaitSettings } from './duration-fields';

export const ROOT_VOLUME_STAGES = ['create-task', 'wait-task'] as const;

export interface RootVolumeReplacementInput {
  pipeline: string;
  instanceId: string;
  imageId: string;
  deleteReplacedRootVolume: boolean;
  volumeInitializationRate?: number;
  wait: WaitSettings;
}

export interface RootVolumeReplacementResult {
  instanceId: string;
  taskId: string;
}
