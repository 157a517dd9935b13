/**
 * AppStream image look-ups. DescribeImages pages through the SDK's paginator (at most 25 a page), and
 * a name AppStream does not know is "no such image", not an error. DescribeImages returns no tags, so
 * ownership is read with ListTagsForResource (tags.ts).
 */
import { DescribeImagesCommand, paginateDescribeImages, type AppStreamClient, type Image } from '@aws-sdk/client-appstream';
import { awsCall } from '../aws/call';
import { byNameTolerant } from './by-name';
import { appStreamTags } from './tags';
import { inChunks } from '../aws/state-watcher';
import { newestReleasedFirst } from '../retention-order';

const PAGE_SIZE = 25;

export async function describeAppStreamImage(appstream: AppStreamClient, name: string): Promise<Image | undefined> {
  return (await describeAppStreamImages(appstream, [name])).get(name);
}

/** Many images by name, 25 a request; an unknown name is absent from the result. */
export function describeAppStreamImages(appstream: AppStreamClient, names: string[]): Promise<Map<string, Image>> {
  return inChunks(names, PAGE_SIZE, (chunk) =>
    byNameTolerant(chunk, async (some) => {
      const out = await awsCall('DescribeImages', () => appstream.send(new DescribeImagesCommand({ Names: some })));
      return new Map((out.Images ?? []).map((image) => [image.Name ?? '', image]));
    }),
  );
}

async function privateImages(appstream: AppStreamClient): Promise<Image[]> {
  return awsCall('DescribeImages', async () => {
    const images: Image[] = [];
    for await (const page of paginateDescribeImages({ client: appstream, pageSize: PAGE_SIZE }, { Type: 'PRIVATE' }))
      images.push(...(page.Images ?? []));
    return images;
  });
}

interface PipelineAppStreamImage {
  name: string;
  arn: string;
  state: string;
  createdTime: string;
}

/**
 * This account's images carrying the pipeline's tag, newest released first (retention-order.ts).
 * DescribeImages cannot filter by tag, so this lists the tags of every private image that is not being
 * deleted: one call per image, which is fine for the tens of images an account keeps. Public and shared images are never listed;
 * with `requiredTagKey`, neither are images without that tag.
 */
export async function findPipelineAppStreamImages(
  appstream: AppStreamClient,
  tagKey: string,
  pipeline: string,
  requiredTagKey?: string,
): Promise<PipelineAppStreamImage[]> {
  const found: { image: PipelineAppStreamImage; tags: Record<string, string> }[] = [];
  for (const image of await privateImages(appstream)) {
    if (!image.Arn || !image.Name || image.State === 'DELETING') continue;
    const tags = await appStreamTags(appstream, image.Arn);
    if (tags[tagKey] !== pipeline || (requiredTagKey && tags[requiredTagKey] === undefined)) continue;
    const createdTime = image.CreatedTime?.toISOString() ?? '';
    found.push({ image: { name: image.Name, arn: image.Arn, state: image.State ?? 'unknown', createdTime }, tags });
  }
  return found
    .sort(newestReleasedFirst(({ image, tags }) => ({ id: image.name, created: image.createdTime, tags })))
    .map(({ image }) => image);
}
