/**
 * One poll of an AppStream image's state. It returns when the image is AVAILABLE, throws "not ready"
 * while AppStream is still building it (the activity's retry policy is the poll loop), and fails for
 * good with the image's StateChangeReason and ImageErrors when it ends FAILED. A new image may not be
 * visible to DescribeImages at once, so "not found" means "not yet" until `notFoundGraceUntil`.
 */
import type { Image } from '@aws-sdk/client-appstream';
import { failedState } from './failed-state';
import { notFound, notReady } from '../aws/not-ready';
import type { ResourceWatch } from '../aws/state-watcher';

interface AvailableAppStreamImage {
  name: string;
  arn: string;
}

/** `notFoundGraceUntil` is an ISO time; runs started before it existed pass none, and get no grace. */
export async function waitForAppStreamImage(
  images: ResourceWatch<Image>,
  name: string,
  notFoundGraceUntil?: string,
): Promise<AvailableAppStreamImage> {
  return judgeImage(name, await images.observe(name), notFoundGraceUntil);
}

function judgeImage(name: string, image: Image | undefined, notFoundGraceUntil: string | undefined): AvailableAppStreamImage {
  if (!image) throw notFound('ResourceNotFoundException', `image ${name}`, notFoundGraceUntil);
  const state = image.State ?? 'unknown';
  if (state === 'AVAILABLE') return { name, arn: image.Arn ?? '' };
  if (state === 'FAILED' || state === 'DELETING') {
    throw failedState('AppStreamImageFailed', `image ${name}`, state, image.StateChangeReason, image.ImageErrors);
  }
  throw notReady(`image ${name} is ${state}`);
}
