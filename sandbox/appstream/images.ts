import { imageArn } from './arn';
import { failAppStreamImage } from './failures';
import {
  findImage,
  isImageVisible,
  liveBuilders,
  liveFleets,
  requireImage,
  requireVisibleImage,
  requireVisibleImageByArn,
  usableImages,
} from './lookup';
import { pageOf, readAppStreamPage } from './pagination';
import type { JsonParams } from '../core/json-params';
import type { JsonObject } from '../core/structure-protocol';
import { imageJson } from './render';
import {
  LATEST_AGENT_VERSION,
  type AppStreamImageRecord,
  type AppStreamImageState,
  type AppStreamState,
  type AppStreamContext,
} from './state';
import { readTags } from './tags';
import { ApiError } from '../core/errors';

/** AppStream images: CreateUpdatedImage, DescribeImages, DeleteImage. */

/** AWS's pattern for AppStream resource names (images and builders alike). */
export const APPSTREAM_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
const IMAGE_TYPES = ['PUBLIC', 'PRIVATE', 'SHARED'] as const;
const MAX_IMAGES_PAGE = 25;

function operationNotPermitted(message: string): ApiError {
  return new ApiError('OperationNotPermittedException', message);
}

/**
 * Managed updates apply to images this account owns and that are AVAILABLE.
 * CreateUpdatedImage does not model ResourceNotAvailableException, so both
 * refusals use OperationNotPermittedException, which it does model.
 */
function requireUpdatable(image: AppStreamImageRecord, now: number): void {
  if (image.visibility !== 'PRIVATE')
    throw operationNotPermitted(`The image ${image.name} is not owned by this account; only private images can be updated.`);
  const state = image.lifecycle.stateAt(now);
  if (state !== 'AVAILABLE') {
    throw operationNotPermitted(`The image ${image.name} is ${state}. The image must be in an AVAILABLE state for this action to succeed.`);
  }
}

interface NewImage {
  name: string;
  from: AppStreamImageRecord;
  description?: string;
  displayName?: string;
  tags: Map<string, string>;
}

function createImageRecord(state: AppStreamState, spec: NewImage, buildMs: number, notFoundWindowMs: number): AppStreamImageRecord {
  const now = state.clock.now();
  const image: AppStreamImageRecord = {
    seq: state.nextSeq(),
    name: spec.name,
    arn: imageArn(spec.name, 'PRIVATE', state.scope),
    ownerId: state.scope.accountId,
    visibility: 'PRIVATE',
    platform: spec.from.platform,
    displayName: spec.displayName,
    description: spec.description,
    baseImageArn: spec.from.arn,
    sharedWith: new Map(),
    createdAt: now,
    createdWallAt: Date.now(),
    baseReleasedAt: spec.from.baseReleasedAt,
    // The point of a managed update: the newest Windows patches and agent.
    agentVersion: LATEST_AGENT_VERSION,
    tags: spec.tags,
    lifecycle: state.timeline<AppStreamImageState>('PENDING', now).then('AVAILABLE', buildMs),
    visibleAt: now + notFoundWindowMs,
  };
  state.appStream.images.set(image.name, image);
  return image;
}

function createUpdatedImage(params: JsonParams, ctx: AppStreamContext): JsonObject {
  const { state, config } = ctx;
  const existingName = params.requiredString('existingImageName');
  const newName = params.requiredString('newImageName', { pattern: APPSTREAM_NAME_PATTERN });
  const description = params.string('newImageDescription', { maxLength: 256 });
  const displayName = params.string('newImageDisplayName', { maxLength: 100 });
  const tags = readTags(params, 'newImageTags');
  const dryRun = params.bool('dryRun') ?? false;

  const now = state.clock.now();
  const existing = requireImage(state, existingName);
  requireUpdatable(existing, now);
  const canUpdateImage = state.appStream.updatesAvailable.has(existing.name);
  // A dry run only answers the question; it does not reserve or check the new name.
  if (dryRun) return { image: imageJson(existing, now, state.scope.accountId), canUpdateImage };

  if (findImage(state, newName)) throw new ApiError('ResourceAlreadyExistsException', `The image ${newName} already exists.`);
  // AWS documents no error for "no update available"; the call is refused as not permitted.
  if (!canUpdateImage) throw operationNotPermitted(`No updates are available for the image ${existing.name}.`);

  const image = createImageRecord(
    state,
    { name: newName, from: existing, description, displayName, tags },
    config.durations.appStreamImage,
    config.notFoundWindowMs,
  );
  const plannedFailure = ctx.failures.takeForNew('appStreamImage', newName);
  if (plannedFailure) failAppStreamImage(state, image, plannedFailure);
  return { image: imageJson(image, now, state.scope.accountId), canUpdateImage };
}

function selectImages(state: AppStreamState, names: string[], arns: string[]): AppStreamImageRecord[] {
  if (names.length > 0 && arns.length > 0) {
    throw new ApiError(
      'InvalidParameterCombinationException',
      'Names and Arns cannot be specified together. Specify either Names or Arns.',
    );
  }
  const now = state.clock.now();
  if (names.length > 0) return [...new Set(names)].map((name) => requireVisibleImage(state, name));
  if (arns.length > 0) return [...new Set(arns)].map((arn) => requireVisibleImageByArn(state, arn));
  return usableImages(state).filter((i) => isImageVisible(i, now));
}

function describeImages(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const names = params.stringList('Names');
  const arns = params.stringList('Arns');
  const type = params.string('Type', { oneOf: IMAGE_TYPES });
  const page = readAppStreamPage(params, MAX_IMAGES_PAGE);

  const now = state.clock.now();
  const rendered = selectImages(state, names, arns).map((i) => ({ seq: i.seq, json: imageJson(i, now, state.scope.accountId) }));
  const selected = rendered.filter((i) => type === undefined || i.json.Visibility === type);
  const { items, nextToken } = pageOf(selected, page, 'DescribeImages');
  return { Images: items.map((i) => i.json), NextToken: nextToken };
}

/**
 * Refusals where AWS names no specific error: an image still being built or copied (or
 * already being deleted) gets ConcurrentModificationException ("wait and try
 * again"), which DeleteImage models; an image a builder or fleet still uses gets
 * ResourceInUseException.
 */
function deleteImage(params: JsonParams, { state, config }: AppStreamContext): JsonObject {
  const image = requireImage(state, params.requiredString('Name'));
  const now = state.clock.now();
  const current = image.lifecycle.stateAt(now);
  if (image.visibility === 'PUBLIC') throw operationNotPermitted(`The image ${image.name} is a public image and cannot be deleted.`);
  if (current === 'PENDING' || current === 'COPYING' || current === 'DELETING') {
    throw new ApiError(
      'ConcurrentModificationException',
      `The image ${image.name} is ${current}. Wait until it is AVAILABLE or FAILED and try again.`,
    );
  }
  const builder = liveBuilders(state).find((b) => b.imageArn === image.arn);
  if (builder) throw new ApiError('ResourceInUseException', `The image ${image.name} is in use by the image builder ${builder.name}.`);
  // AWS: "You cannot delete an image when it is in use", and a fleet uses its image whether running or stopped.
  const fleet = liveFleets(state).find((f) => f.image?.arn === image.arn);
  if (fleet) throw new ApiError('ResourceInUseException', `The image ${image.name} is in use by the fleet ${fleet.name}.`);

  // Deletion takes as long as a builder transition; the profile has no separate figure for it.
  image.lifecycle = state.timeline<AppStreamImageState>('DELETING', now).then('DELETED', config.durations.builderTransition);
  return { Image: imageJson(image, now, state.scope.accountId) };
}

export const appStreamImageActions = {
  CreateUpdatedImage: createUpdatedImage,
  DescribeImages: describeImages,
  DeleteImage: deleteImage,
};
