/**
 * A bake's base image: read from an SSM parameter (AWS's /aws/service/... ones, say), the newest image
 * matching a name, or given by ID. Also the recipe's fingerprint: what the new image is made of (the
 * base image and every build setting and step), so a scheduled run can tell that nothing changed.
 */
import { createHash } from 'node:crypto';
import type { EC2Client, Image } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { BuildSpec, SourceSpec } from '../../contracts/bake';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { terminalState } from '../aws/not-ready';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { paginateDescribeImages } from '@aws-sdk/client-ec2';
import { describeImagesById } from './image-lookup';

export interface SourceImage {
  imageId: string;
  name: string;
  platform: 'windows' | 'linux';
  architecture: string;
  /** A fingerprint of the base image and the build recipe: equal fingerprints make equal images. */
  recipeHash: string;
}

const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

const badSource = (message: string) => terminalState('InvalidInput', `source: ${message}`);

async function fromParameter(ssm: SSMClient, name: string): Promise<string> {
  try {
    const out = await awsCall(`GetParameter (${name})`, () => ssm.send(new GetParameterCommand({ Name: name })));
    const value = out.Parameter?.Value ?? '';
    if (!AMI_ID.test(value)) throw badSource(`the SSM parameter ${name} holds ${JSON.stringify(value.slice(0, 40))}, not an AMI ID`);
    return value;
  } catch (err) {
    if (isAwsErrorCode(err, 'ParameterNotFound')) throw badSource(`the SSM parameter ${name} does not exist in this Region`);
    throw err;
  }
}

async function newestMatching(ec2: EC2Client, match: NonNullable<SourceSpec['image']>): Promise<Image> {
  const images = await awsCall('DescribeImages (source)', async () => {
    const found: Image[] = [];
    const filters = [
      // The name filter keeps EC2's wildcards: a source name is a pattern by design.
      { Name: 'name', Values: [match.name] },
      { Name: 'state', Values: ['available'] },
      ...(match.architecture ? [{ Name: 'architecture', Values: [match.architecture] }] : []),
    ];
    for await (const page of paginateDescribeImages({ client: ec2, pageSize: 1000 }, { Owners: match.owners, Filters: filters })) {
      found.push(...(page.Images ?? []));
    }
    return found;
  });
  const newest = images.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest) throw badSource(`no available image named ${match.name} from ${match.owners.join(', ')}`);
  return newest;
}

export async function resolveSourceImage(ec2: EC2Client, ssm: SSMClient, source: SourceSpec, recipe: BuildSpec): Promise<SourceImage> {
  let image: Image | undefined;
  if (source.image) image = await newestMatching(ec2, source.image);
  else {
    const imageId = source.imageId ?? (await fromParameter(ssm, source.ssmParameter!));
    image = (await describeImagesById(ec2, [imageId])).get(imageId);
    if (!image || image.State !== 'available')
      throw badSource(`the image ${imageId} is ${image ? image.State : 'not found or not usable by this account'}`);
  }
  const imageId = image.ImageId!;
  return {
    imageId,
    name: image.Name ?? '',
    // EC2 sends `windows` in lower case, whatever the SDK's enum says.
    platform: image.Platform?.toLowerCase() === 'windows' ? 'windows' : 'linux',
    architecture: image.Architecture ?? 'x86_64',
    recipeHash: recipeHash(imageId, recipe),
  };
}

/** 16 hex characters of SHA-256 over the base image and the recipe, keys sorted so that config order does not matter. */
export function recipeHash(sourceImageId: string, recipe: BuildSpec): string {
  const canonical = JSON.stringify({ sourceImageId, recipe }, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
