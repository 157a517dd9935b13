/**
 * Paginated DescribeInstances. Filtered calls with MaxResults draw from EC2's larger describe bucket
 * (an unfiltered, unpaginated DescribeInstances has a bucket half the size), so every lookup pages.
 */
import { paginateDescribeInstances, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';
import { exactFilter, FILTER_VALUES, tagFilters } from './filters';
import { terminalState } from '../aws/not-ready';
import { inChunks } from '../aws/state-watcher';

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

/** Instances by ID (an unknown ID fails with InvalidInstanceID.NotFound) or by tags, in the given states. */
export async function describeInstances(ec2: EC2Client, selector: InstanceSelector, states?: string[]): Promise<InstanceFacts[]> {
  if (!selector.instanceIds) {
    const stateFilter = states ? [exactFilter('instance-state-name', states)] : [];
    return describeFiltered(ec2, [...tagFilters(selector.tags ?? {}), ...stateFilter]);
  }
  const found = await describeInstancesById(ec2, selector.instanceIds);
  const unknown = selector.instanceIds.filter((id) => !found.has(id));
  if (unknown.length) throw unknownInstances(unknown);
  return selector.instanceIds.map((id) => found.get(id)!);
}

/**
 * Many instances by ID in as few calls as EC2 allows: 200 values a filter, 1000 instances a page. The
 * `instance-id` filter leaves an unknown ID out, where InstanceIds would fail the whole call for it.
 */
export function describeInstancesById(ec2: EC2Client, instanceIds: string[]): Promise<Map<string, InstanceFacts>> {
  return inChunks(instanceIds, FILTER_VALUES, async (ids) => {
    const instances = await describeFiltered(ec2, [exactFilter('instance-id', ids)]);
    return new Map(instances.map((instance) => [instance.instanceId, instance]));
  });
}

/** EC2's own error for an instance ID it does not know, raised for IDs a filtered describe left out. */
export function unknownInstances(ids: string[]) {
  return terminalState(
    'InvalidInstanceID.NotFound',
    `The instance ID${ids.length > 1 ? 's' : ''} '${ids.join(', ')}' ${ids.length > 1 ? 'do' : 'does'} not exist`,
  );
}

/** Every instance the filters match, all pages. */
export function describeFiltered(ec2: EC2Client, filters: Filter[]): Promise<InstanceFacts[]> {
  return awsCall('DescribeInstances', async () => {
    const found: InstanceFacts[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: PAGE_SIZE }, { Filters: filters })) {
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
