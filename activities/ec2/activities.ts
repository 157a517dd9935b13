/**
 * The EC2 activities, bound to their clients; activities/index.ts merges them in. Those that work on
 * images take an optional place last (contracts/place.ts): omitted, they act in the worker's own Region
 * and account, as every run did before distribution.
 */
import type { FastLaunchTemplate, FastLaunchSpec } from '../../contracts/ami-pipeline';
import type { Place } from '../../contracts/place';
import type { ImagesInUse } from '../../contracts/retention';
import type { AwsClients } from '../aws/clients';
import { graceFromScheduled } from '../aws/not-ready';
import type { Watchers } from '../watchers';
import type { BuildSpec, SourceSpec } from '../../contracts/bake';
import { findBuildInstance } from './build-instance';
import {
  launchInstance,
  stopInstance,
  terminateRunInstances,
  waitForInstance,
  type InstanceGoal,
  type LaunchRequest,
} from './build-instances';
import { copyImage, type CopyImageRequest } from './copy-image';
import { createImage, removeCreatedImage, type CreateImageRequest } from './create-image';
import { deregisterImage } from './deregister-image';
import { checkLaunchTemplate, disableFastLaunch, enableFastLaunch, waitForFastLaunch, type FastLaunchGoal } from './fast-launch';
import { instanceImages, resolveFleet, type FleetRequest } from './fleet';
import { deprecateImage, disableImage, protectImage, unprotectImage } from './image-lifecycle';
import { findPipelineImages } from './image-lookup';
import { findImagesInUse } from './image-usage';
import type { InstanceSelector } from './instance-lookup';
import { publishLaunchTemplateVersion, type LaunchTemplateVersionRequest } from './launch-template-version';
import { shareImage, type ImageShare } from './launch-permissions';
import { createRootVolumeTask, TASK_NOT_FOUND_GRACE_MS, waitForRootVolumeTask, type RootVolumeTaskRequest } from './root-volume-task';
import { resolveSourceImage } from './source-image';
import { tagImage } from './tag-image';
import { waitForImageAvailable, type ImageWait } from './wait-for-image';

export function createEc2Activities(clients: AwsClients, watchers: Watchers) {
  const ec2 = (place?: Place) => clients.at(place).ec2;
  return {
    resolveSourceImage: (source: SourceSpec, recipe: BuildSpec) => resolveSourceImage(clients.ec2, clients.at().ssm, source, recipe),
    launchInstance: (request: LaunchRequest) => launchInstance(clients.ec2, request),
    waitForInstance: (instanceId: string, goal: InstanceGoal) => waitForInstance(watchers.instances, instanceId, goal),
    stopInstance: (instanceId: string) => stopInstance(clients.ec2, instanceId),
    terminateRunInstances: (tags: Record<string, string>) => terminateRunInstances(clients.ec2, tags),
    describeBuildInstance: (selector: InstanceSelector) => findBuildInstance(clients.ec2, watchers.instances, selector),
    checkLaunchTemplate: (template: FastLaunchTemplate, place?: Place) => checkLaunchTemplate(ec2(place), template),
    resolveFleet: (request: FleetRequest) => resolveFleet(clients.ec2, request),
    instanceImages: (instanceIds: string[]) => instanceImages(clients.ec2, instanceIds),
    createImage: (request: CreateImageRequest) => createImage(clients.ec2, request),
    removeCreatedImage: (request: Pick<CreateImageRequest, 'name' | 'tags' | 'ownershipTag'>, place?: Place) =>
      removeCreatedImage(ec2(place), request),
    waitForImageAvailable: (wait: ImageWait, place?: Place) => waitForImageAvailable(watchers.at(place).images, wait),
    enableFastLaunch: (imageId: string, spec: FastLaunchSpec, place?: Place) => enableFastLaunch(ec2(place), imageId, spec),
    disableFastLaunch: (imageId: string, place?: Place) => disableFastLaunch(ec2(place), imageId),
    waitForFastLaunch: (imageId: string, goal: FastLaunchGoal, place?: Place) =>
      waitForFastLaunch(watchers.at(place).fastLaunch, imageId, goal),
    createRootVolumeTask: (request: RootVolumeTaskRequest) => createRootVolumeTask(clients.ec2, request),
    // The wait is scheduled as soon as its task is created, so the grace runs from then; no workflow has to pass it.
    waitForRootVolumeTask: (taskId: string) =>
      waitForRootVolumeTask(watchers.rootVolumeTasks, taskId, graceFromScheduled(TASK_NOT_FOUND_GRACE_MS)),
    findPipelineImages: (tagKey: string, pipeline: string, requiredTagKey?: string, place?: Place) =>
      findPipelineImages(ec2(place), tagKey, pipeline, requiredTagKey),
    tagImage: (imageId: string, tags: Record<string, string>, place?: Place) => tagImage(ec2(place), imageId, tags),
    deregisterImage: (imageId: string, place?: Place) => deregisterImage(ec2(place), imageId),
    publishLaunchTemplateVersion: (request: LaunchTemplateVersionRequest, place?: Place) =>
      publishLaunchTemplateVersion(ec2(place), request),
    copyImage: (request: CopyImageRequest, place?: Place) => copyImage(ec2(place), request),
    shareImage: (imageId: string, share: ImageShare, place?: Place) => shareImage(ec2(place), imageId, share),
    deprecateImage: (imageId: string, deprecateAt: string, place?: Place) => deprecateImage(ec2(place), imageId, deprecateAt),
    protectImage: (imageId: string, place?: Place) => protectImage(ec2(place), imageId),
    unprotectImage: (imageId: string, place?: Place) => unprotectImage(ec2(place), imageId),
    disableImage: (imageId: string, place?: Place) => disableImage(ec2(place), imageId),
    findImagesInUse: (imageIds: string[], inUse: ImagesInUse, place?: Place) => findImagesInUse(clients, imageIds, inUse, place),
  };
}
