import { requireImage, requireImageByArn } from './lookup';
import type { JsonParams } from '../core/json-params';
import type { AppStreamImageRecord, AppStreamState, ImagePermissions } from './state';
import { ApiError } from '../core/errors';

/**
 * The image an image builder or a fleet is made from (ImageName or ImageArn, not both): the caller's own,
 * AWS's public one, or one shared with it whose owner allowed this use (UpdateImagePermissions), and AVAILABLE.
 */

const USES: Record<keyof ImagePermissions, string> = { allowImageBuilder: 'create image builders', allowFleet: 'use it in fleets' };

/** The ImageName or ImageArn member, or undefined when neither is given; both together are refused. */
export function readImageRef(params: JsonParams): { name: string } | { arn: string } | undefined {
  const name = params.string('ImageName');
  const arn = params.string('ImageArn');
  if (name !== undefined && arn !== undefined) {
    throw new ApiError('InvalidParameterCombinationException', 'Specify either ImageName or ImageArn, but not both.');
  }
  if (name !== undefined) return { name };
  return arn === undefined ? undefined : { arn };
}

export function requireUsableImage(
  state: AppStreamState,
  ref: { name: string } | { arn: string },
  use: keyof ImagePermissions,
): AppStreamImageRecord {
  const image = 'name' in ref ? requireImage(state, ref.name) : requireImageByArn(state, ref.arn);
  if (image.visibility === 'PRIVATE' && image.ownerId !== state.scope.accountId && !image.sharedWith.get(state.scope.accountId)?.[use]) {
    throw new ApiError(
      'OperationNotPermittedException',
      `The image ${image.name} is shared with this account without permission to ${USES[use]}.`,
    );
  }
  const current = image.lifecycle.stateAt(state.clock.now());
  if (current !== 'AVAILABLE') {
    throw new ApiError(
      'ResourceNotAvailableException',
      `The image ${image.name} is ${current}. The image must be in an AVAILABLE state for this action to succeed.`,
    );
  }
  return image;
}
