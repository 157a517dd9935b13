/** Every workflow type the worker registers. */
export { amiPipeline } from './ami-pipeline';
export { rootVolumeReplacement } from './root-volume-replacement';
export { appStreamImageUpdate } from './appstream-image-update';
export { appStreamImageBuilder } from './appstream-image-builder';
export { rootVolumeRollout } from './root-volume-rollout';
export { appStreamFleetRollback } from './appstream-fleets';
