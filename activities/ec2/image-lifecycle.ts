/**
 * What a run sets on an image it made to retire or keep it: a deprecation time, deregistration
 * protection (and lifting it, before a run removes its own image), and disabling. Each reads the image
 * first and skips a change already made, so a retry or a replay asks EC2 nothing; and when EC2 refuses
 * the change, it reads again, because the AWS SDK resends a call whose answer was lost inside one
 * attempt: a refusal of that resend means the first one worked.
 */
import {
  DisableImageCommand,
  DisableImageDeregistrationProtectionCommand,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  type EC2Client,
  type Image,
} from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/common';
import { awsCall } from '../aws/call';
import { terminalState } from '../aws/not-ready';
import { describeImagesById } from './image-lookup';

interface ImageChange {
  action: string;
  /** Whether the image (undefined: not found) already is as the change would leave it. */
  done: (image: Image | undefined) => boolean;
  send: () => Promise<unknown>;
}

/** True if this call made the change; false if the image already was so. */
async function changeImage(ec2: EC2Client, imageId: string, change: ImageChange): Promise<boolean> {
  const describe = async () => (await describeImagesById(ec2, [imageId])).get(imageId);
  if (change.done(await describe())) return false;
  try {
    await awsCall(`${change.action} (${imageId})`, change.send);
    return true;
  } catch (err) {
    // A retryable failure is asked again by the retry policy, whose next attempt reads first.
    if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
    if (change.done(await describe())) return true;
    throw err;
  }
}

const MINUTE_MS = 60_000;

/** EnableImageDeprecation; `deprecateAt` is an ISO time, which EC2 rounds to the nearest minute (and so does the comparison). */
export function deprecateImage(ec2: EC2Client, imageId: string, deprecateAt: string): Promise<boolean> {
  const at = Date.parse(deprecateAt);
  if (Number.isNaN(at)) throw terminalState('InvalidDeprecateAt', `deprecateAt "${deprecateAt}" is not a date and time`);
  const rounded = Math.round(at / MINUTE_MS) * MINUTE_MS;
  return changeImage(ec2, imageId, {
    action: 'EnableImageDeprecation',
    done: (image) => image?.DeprecationTime !== undefined && Date.parse(image.DeprecationTime) === rounded,
    send: () => ec2.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(rounded) })),
  });
}

/** DescribeImages says `enabled-with-cooldown` or `enabled-without-cooldown` while protection holds. */
const isProtected = (image: Image | undefined) => image?.DeregistrationProtection?.startsWith('enabled') === true;

/**
 * Without the 24-hour cooldown: a run that fails later, or retention, must be able to lift the
 * protection and deregister the image at once.
 */
export function protectImage(ec2: EC2Client, imageId: string): Promise<boolean> {
  return changeImage(ec2, imageId, {
    action: 'EnableImageDeregistrationProtection',
    done: isProtected,
    send: () => ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId, WithCooldown: false })),
  });
}

/** Lifts deregistration protection; nothing to do for an image that has none, or that is gone. */
export function unprotectImage(ec2: EC2Client, imageId: string): Promise<boolean> {
  return changeImage(ec2, imageId, {
    action: 'DisableImageDeregistrationProtection',
    done: (image) => !image || image.State === 'deregistered' || !isProtected(image),
    send: () => ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId })),
  });
}

/** DisableImage: the image can no longer launch instances, and EC2 removes its launch permissions. */
export function disableImage(ec2: EC2Client, imageId: string): Promise<boolean> {
  return changeImage(ec2, imageId, {
    action: 'DisableImage',
    done: (image) => image?.State === 'disabled',
    send: () => ec2.send(new DisableImageCommand({ ImageId: imageId })),
  });
}
