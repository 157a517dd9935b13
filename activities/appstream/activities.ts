/**
 * The AppStream 2.0 activities, bound to their clients; activities/index.ts merges them in. Those that
 * work on copies and fleets take an optional Region last: omitted, they act in the build Region.
 */
import type { BuilderGoal } from '../../contracts/appstream-builder-actions';
import type { AwsClients } from '../aws/clients';
import type { Watchers } from '../watchers';
import {
  changeImageBuilder,
  createImageBuilder,
  isRetry,
  removeOwnImageBuilder,
  type BuilderRequest,
  type BuilderTransition,
} from './builder-actions';
import { waitForImageBuilder } from './builder-lookup';
import { copyAppStreamImage, type AppStreamCopyRequest } from './copy-image';
import { changeFleet, describeFleet, updateFleetImage, waitForFleet, type FleetGoal, type FleetTransition } from './fleets';
import { deleteAppStreamImage, tagAppStreamImage } from './image-changes';
import { findPipelineAppStreamImages } from './image-lookup';
import { shareAppStreamImage, type AppStreamShare } from './image-permissions';
import { checkUpdateAvailable, createUpdatedImage, type UpdatedImageRequest } from './updated-image';
import { waitForAppStreamImage } from './wait-for-image';

export function createAppStreamActivities(clients: AwsClients, watchers: Watchers) {
  const { appstream } = clients;
  const at = (region?: string) => clients.at(region ? { region } : {}).appstream;
  const watch = (region?: string) => watchers.at(region ? { region } : {});
  return {
    checkUpdateAvailable: (existingImageName: string, newImageName: string) =>
      checkUpdateAvailable(appstream, existingImageName, newImageName),
    createUpdatedImage: (request: UpdatedImageRequest) => createUpdatedImage(appstream, request),
    waitForAppStreamImage: (name: string, notFoundGraceUntil?: string, region?: string) =>
      waitForAppStreamImage(watch(region).appStreamImages, name, notFoundGraceUntil),
    tagAppStreamImage: (arn: string, tags: Record<string, string>, region?: string) => tagAppStreamImage(at(region), arn, tags),
    findPipelineAppStreamImages: (tagKey: string, pipeline: string, requiredTagKey?: string, region?: string) =>
      findPipelineAppStreamImages(at(region), tagKey, pipeline, requiredTagKey),
    deleteAppStreamImage: (name: string, region?: string) => deleteAppStreamImage(at(region), name),
    copyAppStreamImage: (request: AppStreamCopyRequest) => copyAppStreamImage(appstream, at(request.destinationRegion), request),
    shareAppStreamImage: (share: AppStreamShare, region?: string) => shareAppStreamImage(at(region), share),
    describeFleet: (name: string, region?: string) => describeFleet(at(region), name),
    updateFleetImage: (name: string, imageArn: string, region?: string) => updateFleetImage(at(region), name, imageArn),
    changeFleet: (name: string, action: FleetTransition, region?: string) => changeFleet(at(region), name, action),
    waitForFleet: (name: string, goal: FleetGoal, region?: string) => waitForFleet(watch(region).fleets, name, goal),
    createImageBuilder: (request: BuilderRequest) => createImageBuilder(appstream, request),
    changeImageBuilder: (name: string, action: BuilderTransition) => changeImageBuilder(appstream, name, action, isRetry()),
    waitForImageBuilder: (name: string, goal: BuilderGoal) => waitForImageBuilder(watchers.builders, name, goal),
    removeOwnImageBuilder: (name: string, ownership: { tag: string; value: string }) => removeOwnImageBuilder(appstream, name, ownership),
  };
}
