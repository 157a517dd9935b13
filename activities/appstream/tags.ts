/**
 * ListTagsForResource: AppStream's describes return no tags, so a pipeline reads them here to tell its
 * own images and builders from anyone else's.
 */
import { ListTagsForResourceCommand, type AppStreamClient } from '@aws-sdk/client-appstream';
import { awsCall } from '../aws/call';

export async function appStreamTags(appstream: AppStreamClient, arn: string): Promise<Record<string, string>> {
  const out = await awsCall('ListTagsForResource', () => appstream.send(new ListTagsForResourceCommand({ ResourceArn: arn })));
  return out.Tags ?? {};
}

/** One tag's value; undefined when there is no ARN to ask about. */
export async function appStreamTag(appstream: AppStreamClient, arn: string | undefined, key: string): Promise<string | undefined> {
  return arn ? (await appStreamTags(appstream, arn))[key] : undefined;
}
