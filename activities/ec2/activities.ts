/** The EC2 activities, bound to their client; activities/index.ts merges them in. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { FastLaunchSpec } from '../../contracts/ami-pipeline';
import { findBuildInstance } from './build-instance';
import { createImage, removeCreatedImage, type CreateImageRequest } from './create-image';
import { deregisterImage } from './deregister-image';
import { checkLaunchTemplate, disableFastLaunch, enableFastLaunch, waitForFastLaunch, type FastLaunchGoal } from './fast-launch';
import { resolveFleet, type FleetRequest } from './fleet';
import { findPipelineImages } from './image-lookup';
import { tagImage } from './tag-image';
import type { InstanceSelector } from './instance-lookup';
import { createRootVolumeTask, TASK_NOT_FOUND_GRACE_MS, waitForRootVolumeTask, type RootVolumeTaskRequest } from './root-volume-task';
import { waitForImageAvailable, type ImageWait } from './wait-for-image';
import type { Watchers } from '../watchers';
import { graceFromScheduled } from '../aws/not-ready';

export function createEc2Activities(ec2: EC2Client, watchers: Watchers) {
  return {
    describeBuildInstance: (selector: InstanceSelector) => findBuildInstance(ec2, watchers.instances, selector),
    checkLaunchTemplate: (template: NonNullable<FastLaunchSpec['launchTemplate']>) => checkLaunchTemplate(ec2, template),
    resolveFleet: (request: FleetRequest) => resolveFleet(ec2, request),
    createImage: (request: CreateImageRequest) => createImage(ec2, request),
    removeCreatedImage: (request: Pick<CreateImageRequest, 'name' | 'tags' | 'ownershipTag'>) => removeCreatedImage(ec2, request),
    waitForImageAvailable: (wait: ImageWait) => waitForImageAvailable(watchers.images, wait),
    enableFastLaunch: (imageId: string, spec: FastLaunchSpec) => enableFastLaunch(ec2, imageId, spec),
    disableFastLaunch: (imageId: string) => disableFastLaunch(ec2, imageId),
    waitForFastLaunch: (imageId: string, goal: FastLaunchGoal) => waitForFastLaunch(watchers.fastLaunch, imageId, goal),
    createRootVolumeTask: (request: RootVolumeTaskRequest) => createRootVolumeTask(ec2, request),
    // The wait is scheduled as soon as its task is created, so the grace runs from then; no workflow has to pass it.
    waitForRootVolumeTask: (taskId: string) =>
      waitForRootVolumeTask(watchers.rootVolumeTasks, taskId, graceFromScheduled(TASK_NOT_FOUND_GRACE_MS)),
    findPipelineImages: (tagKey: string, pipeline: string, requiredTagKey?: string) =>
      findPipelineImages(ec2, tagKey, pipeline, requiredTagKey),
    tagImage: (imageId: string, tags: Record<string, string>) => tagImage(ec2, imageId, tags),
    deregisterImage: (imageId: string) => deregisterImage(ec2, imageId),
  };
}
