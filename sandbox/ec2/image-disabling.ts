import { requireOwnImage } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate } from './render';
import { ApiError } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import type { Ec2Context, ImageRecord } from './state';

/**
 * DisableImage and EnableImage, as the EC2 API reference has them. A disabled AMI is in state `disabled`:
 * it can't be launched or copied, DescribeImages leaves it out unless IncludeDisabled, and it can't be
 * shared. Disabling removes every launch permission (a public AMI becomes private, accounts, organizations
 * and OUs lose access); enabling makes it `available` again without giving any of them back. Only the
 * owner may do either. AWS does not say what disabling an AMI that is already disabled (or enabling one
 * that is not) answers: both succeed here, leaving the AMI as it is.
 */

function disableImage(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const image = requireOwnImage(state, params.requiredString('ImageId'));
  dryRunGate(params);
  image.disabled = true;
  image.launchPermissions = [];
  return { return: true };
}

function enableImage(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const image = requireOwnImage(state, params.requiredString('ImageId'));
  dryRunGate(params);
  image.disabled = false;
  return { return: true };
}

/**
 * ModifyImageAttribute's check before it adds a launch permission. AWS documents that a disabled AMI
 * can't be shared but not the error; this is EC2's common one for a resource in the wrong state.
 */
export function refuseSharingIfDisabled(image: ImageRecord): void {
  if (image.disabled) {
    throw new ApiError('IncorrectState', `The AMI ${image.id} is disabled and can't be shared. Enable it (EnableImage) first.`);
  }
}

export const imageDisablingActions = {
  DisableImage: disableImage,
  EnableImage: enableImage,
};
