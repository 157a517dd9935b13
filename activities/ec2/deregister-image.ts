/**
 * Deregisters an image together with its snapshots, in one call. Used for an image a run created but
 * did not finish, and by retention for images past the keep count. Already gone counts as done.
 */
import { DeregisterImageCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';

export async function deregisterImage(ec2: EC2Client, imageId: string): Promise<boolean> {
  try {
    await awsCall('DeregisterImage', () => ec2.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true })));
    return true;
  } catch (err) {
    if (isAwsErrorCode(err, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) return false;
    throw err;
  }
}
