/**
 * The SSM agent on an instance the run launched: a step can only be sent once the agent has registered
 * and pings (DescribeInstanceInformation's PingStatus `Online`). Many instances, one paginated call.
 */
import { paginateDescribeInstanceInformation, type InstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/call';
import { notReady } from '../aws/not-ready';
import { inChunks, type ResourceWatch } from '../aws/state-watcher';
import { describeKnown } from '../aws/unknown-ids';

/** DescribeInstanceInformation takes at most 50 instance IDs in its filter. */
const IDS_PER_CALL = 50;

/**
 * SSM fails the whole call for an instance it does not know (terminated, or from another account), so
 * those are left out and the rest asked again: a run's terminated instance must not hide the others'.
 */
export function describeAgents(ssm: SSMClient, instanceIds: string[]): Promise<Map<string, InstanceInformation>> {
  return inChunks(instanceIds, IDS_PER_CALL, async (ids) => {
    const { found } = await describeKnown(ids, 'InvalidInstanceId', (asking) =>
      awsCall('DescribeInstanceInformation', async () => {
        const agents = new Map<string, InstanceInformation>();
        const pages = paginateDescribeInstanceInformation(
          { client: ssm, pageSize: 50 },
          { Filters: [{ Key: 'InstanceIds', Values: asking }] },
        );
        for await (const page of pages) for (const info of page.InstanceInformationList ?? []) agents.set(info.InstanceId ?? '', info);
        return agents;
      }),
    );
    return found;
  });
}

/**
 * One poll: the agent is Online, or not yet. An agent that never registers is "not yet" until the
 * wait's deadline, whose failure names the usual causes.
 */
export async function waitForAgent(agents: ResourceWatch<InstanceInformation>, instanceId: string): Promise<void> {
  const info = await agents.observe(instanceId);
  if (!info)
    throw notReady(`the SSM agent on ${instanceId} has not registered (does the instance profile allow SSM, and can it reach SSM?)`);
  if (info.PingStatus !== 'Online') throw notReady(`the SSM agent on ${instanceId} is ${info.PingStatus ?? 'not online'}`);
}
