/**
 * CreateImage, made safe to retry. EC2 has no client token for it, so the name is the idempotency key:
 * the workflow derives it deterministically, and EC2 refuses a second image of that name. When it does,
 * this activity adopts the image of that name if this same run created it (a retry after a lost
 * response, or a retry after a worker crash). An image of that name from anyone else is refused rather
 * than silently taken over.
 *
 * The name is looked up only after EC2 says it is taken, not before every attempt: at fleet scale,
 * CreateImage is throttled and retried many times, and a look-up per attempt would drain the describe
 * bucket that the waits need.
 */
import { CreateImageCommand, type EC2Client, type VolumeType } from '@aws-sdk/client-ec2';
import type { BlockDeviceMappingSpec } from '../../contracts/ami-pipeline';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { findOwnImageByName, tagValue } from './image-lookup';
import { notReady, terminalState } from '../aws/not-ready';

export interface CreateImageRequest {
  instanceId: string;
  name: string;
  description?: string;
  noReboot: boolean;
  blockDeviceMappings: BlockDeviceMappingSpec[];
  tags: Record<string, string>;
  /** The tag whose value proves an existing image of this name belongs to this run. */
  ownershipTag: string;
}

export interface CreatedImage {
  imageId: string;
  adopted: boolean;
}

export async function createImage(ec2: EC2Client, request: CreateImageRequest): Promise<CreatedImage> {
  try {
    const out = await awsCall('CreateImage', () => ec2.send(new CreateImageCommand(toCommandInput(request))));
    if (!out.ImageId) throw terminalState('CreateImageNoId', 'CreateImage returned no ImageId');
    return { imageId: out.ImageId, adopted: false };
  } catch (err) {
    if (!isAwsErrorCode(err, 'InvalidAMIName.Duplicate')) throw err;
    // Our earlier attempt may have succeeded; if it is not visible yet, the retry policy asks again.
    const existing = await adoptExisting(ec2, request);
    if (existing) return existing;
    throw notReady(`an image named ${request.name} exists but is not visible yet`);
  }
}

async function adoptExisting(ec2: EC2Client, request: CreateImageRequest): Promise<CreatedImage | undefined> {
  const image = await findOwnImageByName(ec2, request.name);
  if (!image?.ImageId) return undefined;
  if (tagValue(image, request.ownershipTag) !== request.tags[request.ownershipTag]) {
    throw terminalState(
      'ImageNameTaken',
      `an image named ${request.name} (${image.ImageId}) already exists and was not created by this run; choose another image name`,
    );
  }
  return { imageId: image.ImageId, adopted: true };
}

function toCommandInput(request: CreateImageRequest) {
  const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    InstanceId: request.instanceId,
    Name: request.name,
    Description: request.description,
    NoReboot: request.noReboot,
    BlockDeviceMappings: request.blockDeviceMappings.length
      ? request.blockDeviceMappings.map((m) => ({
          DeviceName: m.deviceName,
          Ebs: {
            VolumeSize: m.volumeSize,
            VolumeType: m.volumeType as VolumeType | undefined,
            DeleteOnTermination: m.deleteOnTermination,
            VolumeInitializationRate: m.volumeInitializationRate,
          },
        }))
      : undefined,
    TagSpecifications: [
      { ResourceType: 'image' as const, Tags: tags },
      { ResourceType: 'snapshot' as const, Tags: tags },
    ],
  };
}
