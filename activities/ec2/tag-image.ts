/**
 * CreateTags on one of the pipeline's own images: how a run marks its image released once it has
 * finished, so that only then may a later run's retention count it. Setting a tag is idempotent.
 */
import { CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';

export async function tagImage(ec2: EC2Client, imageId: string, tags: Record<string, string>): Promise<void> {
  await awsCall('CreateTags', () =>
    ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })),
  );
}
