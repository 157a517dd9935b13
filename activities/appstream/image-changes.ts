/**
 * The changes a pipeline makes to an image it owns after creating it: tagging, and deleting (an
 * unfinished image, or one past the retention count). Both are safe to repeat.
 */
import { DeleteImageCommand, TagResourceCommand, type AppStreamClient } from '@aws-sdk/client-appstream';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { notReady } from '../aws/not-ready';

/** TagResource adds and overwrites; it never removes, so a retry leaves the same tags. */
export async function tagAppStreamImage(appstream: AppStreamClient, arn: string, tags: Record<string, string>): Promise<void> {
  await awsCall('TagResource', () => appstream.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags })));
}

type ImageDeletion = 'deleted' | 'gone' | 'in-use';

/**
 * Already gone counts as done. An image still being built cannot be deleted yet, so that is "not
 * ready" (the caller polls); an image a builder or fleet uses is left alone and reported as in use.
 */
export async function deleteAppStreamImage(appstream: AppStreamClient, name: string): Promise<ImageDeletion> {
  try {
    await awsCall('DeleteImage', () => appstream.send(new DeleteImageCommand({ Name: name })));
    return 'deleted';
  } catch (err) {
    if (isAwsErrorCode(err, 'ResourceNotFoundException')) return 'gone';
    if (isAwsErrorCode(err, 'ResourceInUseException')) return 'in-use';
    if (isAwsErrorCode(err, 'ConcurrentModificationException'))
      throw notReady(`image ${name} cannot be deleted yet: ${(err as Error).message}`);
    throw err;
  }
}
