/** Checks on what the sandbox holds after a run, made through the AWS SDK or the admin API. */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { Stack } from './stack';

export async function imagesOfPipeline(stack: Stack, name: string) {
  const out = await stack.ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:golden-image:pipeline', Values: [name] }] }),
  );
  return out.Images ?? [];
}

/** EC2 calls that change something, by action, since the counts were last reset. */
export async function mutatingCalls(stack: Stack): Promise<Record<string, number>> {
  const calls = await stack.admin.calls();
  return Object.fromEntries(
    Object.entries(calls.ec2)
      .filter(([action, count]) => !/^Describe/.test(action) && count.total > 0)
      .map(([action, count]) => [action, count.total]),
  );
}
