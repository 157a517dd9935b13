import { requireImage } from './lookup';
import { pageOf } from './pagination';
import { validationError, type JsonParams } from '../core/json-params';
import type { JsonObject } from '../core/structure-protocol';
import type { AppStreamContext, AppStreamImageRecord, AppStreamState, ImagePermissions } from './state';
import { ApiError } from '../core/errors';

/**
 * Sharing a private AppStream image with other accounts: UpdateImagePermissions,
 * DescribeImagePermissions and DeleteImagePermissions, with the members and errors of botocore's model.
 * The account it is shared with sees the image (by ARN and in DescribeImages) as SHARED.
 */

const ACCOUNT_ID = /^\d+$/;
const MAX_PERMISSIONS_PAGE = 500;

/** Only the owner's own private image can be shared; a public image or another account's is not found. */
export function requireOwnPrivateImage(state: AppStreamState, name: string): AppStreamImageRecord {
  const image = requireImage(state, name);
  if (image.ownerId !== state.scope.accountId || image.visibility !== 'PRIVATE') {
    throw new ApiError('ResourceNotFoundException', `The image ${name} was not found.`);
  }
  return image;
}

function readAccountId(params: JsonParams, member: string): string {
  return params.requiredString(member, { pattern: ACCOUNT_ID });
}

function updateImagePermissions(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const name = params.requiredString('Name');
  const accountId = readAccountId(params, 'SharedAccountId');
  const permissions = params.struct('ImagePermissions');
  if (!permissions) throw validationError(params.path('ImagePermissions'), undefined, 'Member must not be null');
  const image = requireOwnPrivateImage(state, name);
  const current = image.lifecycle.stateAt(state.clock.now());
  if (current !== 'AVAILABLE') {
    throw new ApiError(
      'ResourceNotAvailableException',
      `The image ${name} is ${current}. The image must be in an AVAILABLE state for this action to succeed.`,
    );
  }
  const previous = image.sharedWith.get(accountId);
  const granted: ImagePermissions = {
    allowFleet: permissions.bool('allowFleet') ?? previous?.allowFleet ?? false,
    allowImageBuilder: permissions.bool('allowImageBuilder') ?? previous?.allowImageBuilder ?? false,
  };
  image.sharedWith.set(accountId, granted);
  return {};
}

function describeImagePermissions(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const name = params.requiredString('Name');
  const wanted = params.stringList('SharedAwsAccountIds');
  const maxResults = params.int('MaxResults', { min: 0, max: MAX_PERMISSIONS_PAGE });
  const nextToken = params.string('NextToken');
  const image = requireOwnPrivateImage(state, name);
  // Pages are ordered by account ID; the shared cursor wants a number, so an account's rank stands in for it.
  const grants = [...image.sharedWith]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([sharedAccountId, imagePermissions], index) => ({ seq: index + 1, sharedAccountId, imagePermissions }))
    .filter((g) => wanted.length === 0 || wanted.includes(g.sharedAccountId));
  const page = pageOf(grants, { maxResults: maxResults || undefined, nextToken: nextToken || undefined }, 'DescribeImagePermissions');
  return {
    Name: image.name,
    SharedImagePermissionsList: page.items.map((g) => ({
      sharedAccountId: g.sharedAccountId,
      imagePermissions: { ...g.imagePermissions },
    })),
    NextToken: page.nextToken,
  };
}

function deleteImagePermissions(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const name = params.requiredString('Name');
  const accountId = readAccountId(params, 'SharedAccountId');
  const image = requireOwnPrivateImage(state, name);
  if (!image.sharedWith.delete(accountId)) {
    throw new ApiError('ResourceNotFoundException', `The image ${name} is not shared with the account ${accountId}.`);
  }
  return {};
}

export const appStreamImagePermissionActions = {
  UpdateImagePermissions: updateImagePermissions,
  DescribeImagePermissions: describeImagePermissions,
  DeleteImagePermissions: deleteImagePermissions,
};
