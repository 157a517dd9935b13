/** The AppStream 2.0 activities, bound to their client; activities/index.ts merges them in. */
import type { AppStreamClient } from '@aws-sdk/client-appstream';
import type { BuilderGoal } from '../../contracts/appstream-image-builder';
import {
  changeImageBuilder,
  createImageBuilder,
  isRetry,
  removeOwnImageBuilder,
  type BuilderRequest,
  type BuilderTransition,
} from './builder-actions';
import { waitForImageBuilder } from './builder-lookup';
import { deleteAppStreamImage, tagAppStreamImage } from './image-changes';
import { findPipelineAppStreamImages } from './image-lookup';
import { checkUpdateAvailable, createUpdatedImage, type UpdatedImageRequest } from './updated-image';
import { waitForAppStreamImage } from './wait-for-image';
import type { Watchers } from '../watchers';

export function createAppStreamActivities(appstream: AppStreamClient, watchers: Watchers) {
  return {
    checkUpdateAvailable: (existingImageName: string, newImageName: string) =>
      checkUpdateAvailable(appstream, existingImageName, newImageName),
    createUpdatedImage: (request: UpdatedImageRequest) => createUpdatedImage(appstream, request),
    waitForAppStreamImage: (name: string, notFoundGraceUntil?: string) =>
      waitForAppStreamImage(watchers.appStreamImages, name, notFoundGraceUntil),
    tagAppStreamImage: (arn: string, tags: Record<string, string>) => tagAppStreamImage(appstream, arn, tags),
    findPipelineAppStreamImages: (tagKey: string, pipeline: string, requiredTagKey?: string) =>
      findPipelineAppStreamImages(appstream, tagKey, pipeline, requiredTagKey),
    deleteAppStreamImage: (name: string) => deleteAppStreamImage(appstream, name),
    createImageBuilder: (request: BuilderRequest) => createImageBuilder(appstream, request),
    changeImageBuilder: (name: string, action: BuilderTransition) => changeImageBuilder(appstream, name, action, isRetry()),
    waitForImageBuilder: (name: string, goal: BuilderGoal) => waitForImageBuilder(watchers.builders, name, goal),
    removeOwnImageBuilder: (name: string, ownership: { tag: string; value: string }) => removeOwnImageBuilder(appstream, name, ownership),
  };
}
