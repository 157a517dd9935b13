/**
 * Clean-up for a cancelled run: deregister the image this run created but never finished, with its
 * snapshots, so nothing is left half-made. Already gone counts as done.
 */
import { DeregisterImageCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall, isAwsErrorCode } from './aws-errors';

export async function discardImage(ec2: EC2Client, imageId: string): Promise<{ imageId: string; deregistered: boolean }> {
  try {
    await awsCall('DeregisterImage', () =>
      ec2.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true })),
    );
    return { imageId, deregistered: true };
  } catch (err) {
    if (isAwsErrorCode(err, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) return { imageId, deregistered: false };
    throw err;
  }
}
