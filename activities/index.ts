/**
 * The activities, bound to their AWS clients. Workflows import only the type of this factory's result
 * and call the activities through proxyActivities.
 */
import type { AwsClients } from './aws-clients';
import { describeBuildInstance } from './build-instance';
import { createImage, type CreateImageRequest } from './create-image';
import { discardImage } from './discard-image';
import { waitForImageAvailable, type ImageWait } from './wait-for-image';

export function createActivities({ ec2 }: AwsClients) {
  return {
    describeBuildInstance: (instanceId: string) => describeBuildInstance(ec2, instanceId),
    createImage: (request: CreateImageRequest) => createImage(ec2, request),
    waitForImageAvailable: (wait: ImageWait) => waitForImageAvailable(ec2, wait),
    discardImage: (imageId: string) => discardImage(ec2, imageId),
  };
}

export type Activities = ReturnType<typeof createActivities>;
