/**
 * Paginated DescribeImages lookups. Waits describe by ID filter with MaxResults pages (not ImageIds),
 * because that form pages, batches many IDs into one call, and omits an image that is not visible yet
 * instead of failing the whole call.
 */
import { paginateDescribeImages, type EC2Client, type Filter, type Image } from '@aws-sdk/client-ec2';
import { awsCall } from './aws-errors';

const PAGE_SIZE = 1000;

async function describeAll(ec2: EC2Client, filters: Filter[], owners?: string[]): Promise<Image[]> {
  return awsCall('DescribeImages', async () => {
    const images: Image[] = [];
    const pages = paginateDescribeImages(
      { client: ec2, pageSize: PAGE_SIZE },
      { Filters: filters, Owners: owners, IncludeDeprecated: true, IncludeDisabled: true },
    );
    for await (const page of pages) images.push(...(page.Images ?? []));
    return images;
  });
}

export async function describeImagesById(ec2: EC2Client, imageIds: string[]): Promise<Map<string, Image>> {
  const images = await describeAll(ec2, [{ Name: 'image-id', Values: imageIds }]);
  return new Map(images.map((image) => [image.ImageId ?? '', image]));
}

/** The caller's own image of this exact name, if there is one (AMI names are unique per account and Region). */
export async function findOwnImageByName(ec2: EC2Client, name: string): Promise<Image | undefined> {
  const images = await describeAll(ec2, [{ Name: 'name', Values: [name] }], ['self']);
  return images.find((image) => image.Name === name && image.State !== 'deregistered');
}

export function tagValue(image: Image, key: string): string | undefined {
  return image.Tags?.find((tag) => tag.Key === key)?.Value;
}
