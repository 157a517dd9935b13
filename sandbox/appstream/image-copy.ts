import { imageArn } from './arn';
import { failAppStreamImage } from './failures';
import { APPSTREAM_NAME_PATTERN } from './images';
import { requireOwnPrivateImage } from './image-permissions';
import type { AppStreamContext, AppStreamImageRecord, AppStreamImageState } from './state';
import { ApiError } from '../core/errors';
import type { JsonParams } from '../core/json-params';
import { regionOptInStatus } from '../core/regions';
import type { JsonObject } from '../core/structure-protocol';

/**
 * CopyImage, as the AppStream API reference has it: called in the source Region, it copies one of the
 * caller's own private images, within that Region or to another, into the same account. The copy is
 * COPYING in the destination Region for `durations.appStreamCopy`, then AVAILABLE; the source stays
 * AVAILABLE. The copy keeps the source's platform, base image and agent, not its tags (AWS copies none),
 * and is not shared with anyone. A failure for the copy is injected with `POST /_sandbox/fail`, kind
 * `appStreamImage`, `id` the destination name: in the destination Region once the copy exists, or
 * planned in the Region CopyImage is called in; it ends FAILED with IMAGE_COPY_FAILURE.
 */

const REGION_NAME = { maxLength: 32 };

function copyImage(params: JsonParams, ctx: AppStreamContext): JsonObject {
  const { state, config } = ctx;
  const sourceName = params.requiredString('SourceImageName', { pattern: APPSTREAM_NAME_PATTERN });
  const destinationName = params.requiredString('DestinationImageName', { pattern: APPSTREAM_NAME_PATTERN });
  const region = params.requiredString('DestinationRegion', REGION_NAME);
  const description = params.string('DestinationImageDescription', { maxLength: 256 });

  const source = requireOwnPrivateImage(state, sourceName);
  const current = source.lifecycle.stateAt(state.clock.now());
  if (current !== 'AVAILABLE') {
    throw new ApiError(
      'ResourceNotAvailableException',
      `The image ${source.name} is ${current}. The image must be in an AVAILABLE state for this action to succeed.`,
    );
  }
  const optIn = regionOptInStatus(region, config.optedInRegions);
  if (optIn === undefined) throw new ApiError('ValidationException', `The destination Region ${region} is not an AppStream Region.`);
  if (optIn === 'not-opted-in') {
    throw new ApiError('ValidationException', `The destination Region ${region} is not enabled for this account.`);
  }
  const destination = state.ownAppStreamIn(region);
  const existing = destination.images.get(destinationName);
  if (existing && existing.lifecycle.stateAt(state.clock.now()) !== 'DELETED') {
    throw new ApiError('ResourceAlreadyExistsException', `The image ${destinationName} already exists in ${region}.`);
  }

  const now = state.clock.now();
  const copy: AppStreamImageRecord = {
    ...source,
    seq: state.nextSeq(),
    name: destinationName,
    arn: imageArn(destinationName, 'PRIVATE', { accountId: state.scope.accountId, region }),
    description: description ?? source.description,
    sharedWith: new Map(),
    createdAt: now,
    createdWallAt: Date.now(),
    tags: new Map(),
    lifecycle: state.timeline<AppStreamImageState>('COPYING', now).then('AVAILABLE', config.durations.appStreamCopy),
    failure: undefined,
    visibleAt: now + config.notFoundWindowMs,
    copiedFrom: source.arn,
  };
  destination.images.set(destinationName, copy);
  const plannedFailure = ctx.failures.takeForNew('appStreamImage', destinationName);
  if (plannedFailure) failAppStreamImage(state, copy, plannedFailure);
  return { DestinationImageName: destinationName };
}

export const appStreamImageCopyActions = { CopyImage: copyImage };
