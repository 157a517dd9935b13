/**
 * The activities, bound to their AWS clients. Workflows import only the type of this factory's result
 * and call the activities through proxyActivities.
 */
import type { FastLaunchSpec } from '../contracts/ami-pipeline';
import { createAppStreamActivities } from './appstream/activities';
import type { AwsClients } from './aws/clients';
import { findBuildInstance } from './ec2/build-instance';
import { createImage, type CreateImageRequest } from './ec2/create-image';
import { deregisterImage } from './ec2/deregister-image';
import { checkLaunchTemplate, disableFastLaunch, enableFastLaunch, waitForFastLaunch, type FastLaunchGoal } from './ec2/fast-launch';
import { resolveFleet, type FleetRequest } from './ec2/fleet';
import { findPipelineImages } from './ec2/image-lookup';
import type { InstanceSelector } from './ec2/instance-lookup';
import { createRootVolumeTask, waitForRootVolumeTask, type RootVolumeTaskRequest } from './ec2/root-volume-task';
import type { WaitMode } from './aws/state-watcher';
import { waitForImageAvailable, type ImageWait } from './ec2/wait-for-image';
import { createWatchers } from './watchers';

/** `waitMode` is `shared` (one watcher for all waits) but for benchmarks of the per-run baseline. */
export function createActivities(clients: AwsClients, waitMode: WaitMode = 'shared') {
  const { ec2, appstream } = clients;
  const watchers = createWatchers(clients, waitMode);
  return {
    describeBuildInstance: (selector: InstanceSelector) => findBuildInstance(ec2, watchers.instances, selector),
    checkLaunchTemplate: (template: NonNullable<FastLaunchSpec['launchTemplate']>) => checkLaunchTemplate(ec2, template),
    resolveFleet: (request: FleetRequest) => resolveFleet(ec2, request),
    createImage: (request: CreateImageRequest) => createImage(ec2, request),
    waitForImageAvailable: (wait: ImageWait) => waitForImageAvailable(watchers.images, wait),
    enableFastLaunch: (imageId: string, spec: FastLaunchSpec) => enableFastLaunch(ec2, imageId, spec),
    disableFastLaunch: (imageId: string) => disableFastLaunch(ec2, imageId),
    waitForFastLaunch: (imageId: string, goal: FastLaunchGoal) => waitForFastLaunch(watchers.fastLaunch, imageId, goal),
    createRootVolumeTask: (request: RootVolumeTaskRequest) => createRootVolumeTask(ec2, request),
    waitForRootVolumeTask: (taskId: string) => waitForRootVolumeTask(watchers.rootVolumeTasks, taskId),
    findPipelineImages: (tagKey: string, pipeline: string) => findPipelineImages(ec2, tagKey, pipeline),
    deregisterImage: (imageId: string) => deregisterImage(ec2, imageId),
    ...createAppStreamActivities(appstream, watchers),
  };
}

export type Activities = ReturnType<typeof createActivities>;
