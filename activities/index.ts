/**
 * The activities, bound to their AWS clients. Workflows import only the type of this factory's result
 * and call the activities through proxyActivities.
 */
import type { FastLaunchSpec } from '../workflows/ami-pipeline-input';
import { createAppStreamActivities } from './appstream-activities';
import type { AwsClients } from './aws-clients';
import { findBuildInstance } from './build-instance';
import { createImage, type CreateImageRequest } from './create-image';
import { deregisterImage } from './deregister-image';
import { checkLaunchTemplate, disableFastLaunch, enableFastLaunch, waitForFastLaunch, type FastLaunchGoal } from './fast-launch';
import { resolveFleet, type FleetRequest } from './fleet';
import { findPipelineImages } from './image-lookup';
import type { InstanceSelector } from './instance-lookup';
import { createRootVolumeTask, waitForRootVolumeTask, type RootVolumeTaskRequest } from './root-volume-task';
import { waitForImageAvailable, type ImageWait } from './wait-for-image';

export function createActivities({ ec2, appstream }: AwsClients) {
  return {
    describeBuildInstance: (selector: InstanceSelector) => findBuildInstance(ec2, selector),
    checkLaunchTemplate: (template: NonNullable<FastLaunchSpec['launchTemplate']>) => checkLaunchTemplate(ec2, template),
    resolveFleet: (request: FleetRequest) => resolveFleet(ec2, request),
    createImage: (request: CreateImageRequest) => createImage(ec2, request),
    waitForImageAvailable: (wait: ImageWait) => waitForImageAvailable(ec2, wait),
    enableFastLaunch: (imageId: string, spec: FastLaunchSpec) => enableFastLaunch(ec2, imageId, spec),
    disableFastLaunch: (imageId: string) => disableFastLaunch(ec2, imageId),
    waitForFastLaunch: (imageId: string, goal: FastLaunchGoal) => waitForFastLaunch(ec2, imageId, goal),
    createRootVolumeTask: (request: RootVolumeTaskRequest) => createRootVolumeTask(ec2, request),
    waitForRootVolumeTask: (taskId: string) => waitForRootVolumeTask(ec2, taskId),
    findPipelineImages: (tagKey: string, pipeline: string) => findPipelineImages(ec2, tagKey, pipeline),
    deregisterImage: (imageId: string) => deregisterImage(ec2, imageId),
    ...createAppStreamActivities(appstream),
  };
}

export type Activities = ReturnType<typeof createActivities>;
