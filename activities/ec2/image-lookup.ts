/**
 * Paginated DescribeImages lookups. Waits describe by ID filter with MaxResults pages (not ImageIds),
 * because that form pages, batches many IDs into one call, and omits an image that is not visible yet
 * instead of failing the whole call.
 */
import { paginateDescribeImages, type EC2Client, type Filter, type Image } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';
import { exactFilter, FILTER_VALUES, tagFilters } from './filters';
import { inChunks } from '../aws/state-watcher';
import { RECIPE_TAG, SOURCE_IMAGE_TAG } from '../../contracts/tags';
import { newestReleasedFirst } from '../retention-order';

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

/** Many images by ID in as few calls as EC2 allows: 200 values a filter, 1000 images a page. */
export function describeImagesById(ec2: EC2Client, imageIds: string[]): Promise<Map<string, Image>> {
  return inChunks(imageIds, FILTER_VALUES, async (ids) => {
    const images = await describeAll(ec2, [exactFilter('image-id', ids)]);
    return new Map(images.map((image) => [image.ImageId ?? '', image]));
  });
}

/** The caller's own image of this exact name, if there is one (AMI names are unique per account and Region). */
export async function findOwnImageByName(ec2: EC2Client, name: string): Promise<Image | undefined> {
  const images = await describeAll(ec2, [exactFilter('name', [name])], ['self']);
  return images.find((image) => image.Name === name && image.State !== 'deregistered');
}

interface PipelineImage {
  imageId: string;
  name: string;
  creationDate: string;
  /** `available`, `disabled`, …: retention leaves an image it already disabled alone. */
  state: string;
  /** When EC2 deprecates (or deprecated) the image, if it is set to. */
  deprecationTime?: string;
  /** A baked image's base image and recipe fingerprint (its tags), for skip-if-unchanged. */
  sourceImageId?: string;
  recipe?: string;
}

/**
 * This account's images carrying the pipeline's tag (and `requiredTagKey`, when given), newest released
 * first (retention-order.ts). Images without the tag are never listed, nor deregistered ones, which EC2
 * still shows for a while: they are gone.
 */
export async function findPipelineImages(
  ec2: EC2Client,
  tagKey: string,
  pipeline: string,
  requiredTagKey?: string,
): Promise<PipelineImage[]> {
  const required = requiredTagKey ? [exactFilter('tag-key', [requiredTagKey])] : [];
  const images = await describeAll(ec2, [...tagFilters({ [tagKey]: pipeline }), ...required], ['self']);
  return images
    .filter((image) => image.State !== 'deregistered' && tagValue(image, tagKey) === pipeline)
    .filter((image) => !requiredTagKey || tagValue(image, requiredTagKey) !== undefined)
    .sort(
      newestReleasedFirst((image) => ({
        id: image.ImageId ?? '',
        created: image.CreationDate ?? '',
        tags: Object.fromEntries((image.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value])),
      })),
    )
    .map((image) => ({
      imageId: image.ImageId ?? '',
      name: image.Name ?? '',
      creationDate: image.CreationDate ?? '',
      state: image.State ?? '',
      ...(image.DeprecationTime ? { deprecationTime: image.DeprecationTime } : {}),
      ...(tagValue(image, SOURCE_IMAGE_TAG) ? { sourceImageId: tagValue(image, SOURCE_IMAGE_TAG) } : {}),
      ...(tagValue(image, RECIPE_TAG) ? { recipe: tagValue(image, RECIPE_TAG) } : {}),
    }));
}

export function tagValue(image: Image, key: string): string | undefined {
  return image.Tags?.find((tag) => tag.Key === key)?.Value;
}
