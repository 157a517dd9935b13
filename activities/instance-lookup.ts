/**
 * Paginated DescribeInstances. Filtered calls with MaxResults draw from EC2's larger describe bucket
 * (an unfiltered, unpaginated DescribeInstances has a bucket half the size), so every lookup pages.
 */
import { paginateDescribeInstances, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { awsCall } from './aws-call';

const PAGE_SIZE = 1000;

export interface InstanceSelector {
  instanceIds?: string[];
  tags?: Record<string, string>;
}

export interface InstanceFacts {
  instanceId: string;
  state: string;
  platform: 'windows' | 'linux';
  architecture: string;
  imageId: string;
}

export function tagFilters(tags: Record<string, string>): Filter[] {
  return Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
}

/** Instances by ID (an unknown ID fails with EC2's InvalidInstanceID.NotFound) or by tags, in the given states. */
export async function describeInstances(ec2: EC2Client, selector: InstanceSelector, states?: string[]): Promise<InstanceFacts[]> {
  const stateFilter = states ? [{ Name: 'instance-state-name', Values: states }] : [];
  // EC2 reports unknown IDs only when they are given as InstanceIds, which cannot be combined with MaxResults.
  const pages = selector.instanceIds
    ? paginateDescribeInstances({ client: ec2 }, { InstanceIds: selector.instanceIds, Filters: stateFilter })
    : paginateDescribeInstances({ client: ec2, pageSize: PAGE_SIZE }, { Filters: [...tagFilters(selector.tags ?? {}), ...stateFilter] });
  return awsCall('DescribeInstances', async () => {
    const found: InstanceFacts[] = [];
    for await (const page of pages) {
      for (const instance of page.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) found.push(facts(instance));
    }
    return found;
  });
}

function facts(instance: Instance): InstanceFacts {
  return {
    instanceId: instance.InstanceId ?? '',
    state: instance.State?.Name ?? 'unknown',
    // EC2 sends `windows` in lower case, whatever the SDK's enum says.
    platform: instance.Platform?.toLowerCase() === 'windows' ? 'windows' : 'linux',
    architecture: instance.Architecture ?? 'x86_64',
    imageId: instance.ImageId ?? '',
  };
}
