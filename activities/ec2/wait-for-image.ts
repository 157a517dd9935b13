/**
 * One poll of an AMI's state. It returns when the image is available, throws "not ready" while it is
 * pending (the activity's retry policy is the poll loop), and fails for good with AWS's StateReason
 * when the image ends in a bad state.
 */
import type { Image } from '@aws-sdk/client-ec2';
import { notFound, notReady, terminalState } from '../aws/not-ready';
import type { ResourceWatch } from '../aws/state-watcher';

export interface ImageWait {
  imageId: string;
  /** ISO time until which "not found" means "not visible yet" (EC2 is eventually consistent). */
  notFoundGraceUntil: string;
}

interface AvailableImage {
  imageId: string;
  name: string;
  snapshotIds: string[];
}

const FAILED_STATES = new Set(['failed', 'error', 'invalid']);

export async function waitForImageAvailable(images: ResourceWatch<Image>, wait: ImageWait): Promise<AvailableImage> {
  return judgeImage(wait, await images.observe(wait.imageId));
}

function judgeImage(wait: ImageWait, image: Image | undefined): AvailableImage {
  if (!image) throw notFound('InvalidAMIID.NotFound', `image ${wait.imageId}`, wait.notFoundGraceUntil);
  const state = image.State ?? 'unknown';
  // EC2 still shows a deregistered image by ID for a while: it is gone, never going to be available.
  if (state === 'deregistered')
    throw terminalState('InvalidAMIID.NotFound', `image ${wait.imageId} was deregistered`, { imageId: wait.imageId });
  if (state === 'available') {
    return {
      imageId: wait.imageId,
      name: image.Name ?? '',
      snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
    };
  }
  if (FAILED_STATES.has(state)) {
    const reason = image.StateReason;
    throw terminalState(
      'ImageFailed',
      `image ${wait.imageId} is ${state}: ${reason?.Code ?? 'no code'}: ${reason?.Message ?? 'no reason given'}`,
      { imageId: wait.imageId, state, stateReason: reason },
    );
  }
  throw notReady(`image ${wait.imageId} is ${state}`);
}
