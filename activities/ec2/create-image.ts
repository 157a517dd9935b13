/**
 * CreateImage, made safe to retry by its name (see ../aws/create-or-adopt.ts). The name is looked up
 * only after EC2 says it is taken, not before every attempt: at fleet scale, CreateImage is throttled
 * and retried many times, and a look-up per attempt would drain the describe bucket that the waits need.
 */
import { CreateImageCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { BlockDeviceMappingSpec } from '../../contracts/block-devices';
import { awsCall } from '../aws/call';
import { ec2BlockDeviceMappings } from './block-devices';
import { createOrAdopt } from '../aws/create-or-adopt';
import { deregisterImage } from './deregister-image';
import { findOwnImageByName, tagValue } from './image-lookup';
import { terminalState } from '../aws/not-ready';

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

interface CreatedImage {
  imageId: string;
  adopted: boolean;
}

export async function createImage(ec2: EC2Client, request: CreateImageRequest): Promise<CreatedImage> {
  const { value: imageId, adopted } = await createOrAdoptImage(ec2, request, 'exists', async () => {
    const out = await awsCall('CreateImage', () => ec2.send(new CreateImageCommand(toCommandInput(request))));
    if (!out.ImageId) throw terminalState('CreateImageNoId', 'CreateImage returned no ImageId');
    return out.ImageId;
  });
  return { imageId, adopted };
}

/**
 * An AMI made by `create` (CreateImage, CopyImage), safe to retry by its name: when EC2 says the name
 * is taken, the image of that name is adopted if it carries this run's ownership tag and refused if not.
 * `where` says where the taken name was found, for the refusal.
 */
export function createOrAdoptImage(
  ec2: EC2Client,
  request: Pick<CreateImageRequest, 'name' | 'tags' | 'ownershipTag'>,
  where: string,
  create: () => Promise<string>,
): Promise<{ value: string; adopted: boolean }> {
  return createOrAdopt({
    kind: 'image',
    name: request.name,
    takenCode: 'InvalidAMIName.Duplicate',
    owner: request.tags[request.ownershipTag],
    create,
    find: async () => {
      const image = await findOwnImageByName(ec2, request.name);
      return image?.ImageId ? { value: image.ImageId, owner: tagValue(image, request.ownershipTag) } : undefined;
    },
    refuse: (existingId) =>
      terminalState(
        'ImageNameTaken',
        `an image named ${request.name} (${existingId}) already ${where} and was not created by this run; choose another image name`,
      ),
  });
}

/**
 * The undo of a create that did not finish: EC2 may have made the image although the run never learnt
 * its ID (the answer was lost, then the activity failed). It is found by its name and removed only when
 * it carries this run's ownership tag. Returns the ID removed, if any.
 */
export async function removeCreatedImage(
  ec2: EC2Client,
  request: Pick<CreateImageRequest, 'name' | 'tags' | 'ownershipTag'>,
): Promise<string | undefined> {
  const image = await findOwnImageByName(ec2, request.name);
  if (!image?.ImageId || tagValue(image, request.ownershipTag) !== request.tags[request.ownershipTag]) return undefined;
  await deregisterImage(ec2, image.ImageId);
  return image.ImageId;
}

function toCommandInput(request: CreateImageRequest) {
  const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    InstanceId: request.instanceId,
    Name: request.name,
    Description: request.description,
    NoReboot: request.noReboot,
    BlockDeviceMappings: ec2BlockDeviceMappings(request.blockDeviceMappings),
    TagSpecifications: [
      { ResourceType: 'image' as const, Tags: tags },
      { ResourceType: 'snapshot' as const, Tags: tags },
    ],
  };
}
