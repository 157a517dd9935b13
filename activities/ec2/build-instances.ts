/**
 * The instances a bake launches (the build instance, the test instance): RunInstances with a
 * ClientToken from the work, so a retry, a lost answer or a replay after a crash launches one instance;
 * IMDSv2 required; the pipeline's and the run's tags on the instance and its volumes. And their end:
 * stopped before imaging, terminated when done, in every failure and cancel path.
 */
import { createHash } from 'node:crypto';
import { RunInstancesCommand, StopInstancesCommand, TerminateInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { BlockDeviceMappingSpec } from '../../contracts/block-devices';
import { awsCall } from '../aws/call';
import { ec2BlockDeviceMappings } from './block-devices';
import { isAwsErrorCode } from '../aws/errors';
import { notReady, terminalState } from '../aws/not-ready';
import type { ResourceWatch } from '../aws/state-watcher';
import { exactFilter, tagFilters } from './filters';
import { describeFiltered, type InstanceFacts } from './instance-lookup';

export interface LaunchRequest {
  imageId: string;
  instanceType: string;
  subnetId?: string;
  securityGroupIds?: string[];
  instanceProfile?: string;
  blockDeviceMappings: BlockDeviceMappingSpec[];
  tags: Record<string, string>;
  /** Names the launch among all the work (`<workflowId>/build`): its ClientToken. */
  workKey: string;
}

/** RunInstances' ClientToken is at most 64 ASCII characters: a SHA-256 in hex is exactly that. */
const clientToken = (workKey: string) => createHash('sha256').update(workKey).digest('hex');

export async function launchInstance(ec2: EC2Client, request: LaunchRequest): Promise<string> {
  const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  const profile = request.instanceProfile?.startsWith('arn:') ? { Arn: request.instanceProfile } : { Name: request.instanceProfile };
  const out = await awsCall('RunInstances', () =>
    ec2.send(
      new RunInstancesCommand({
        ImageId: request.imageId,
        InstanceType: request.instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: request.subnetId,
        SecurityGroupIds: request.securityGroupIds,
        IamInstanceProfile: request.instanceProfile ? profile : undefined,
        // IMDSv2 only: a credential-stealing SSRF on the build instance gets no token.
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        ClientToken: clientToken(request.workKey),
        BlockDeviceMappings: ec2BlockDeviceMappings(request.blockDeviceMappings),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
      }),
    ),
  );
  const instanceId = out.Instances?.[0]?.InstanceId;
  if (!instanceId) throw terminalState('RunInstancesNoId', 'RunInstances returned no instance');
  return instanceId;
}

export type InstanceGoal = 'running' | 'stopped';

const GONE = new Set(['shutting-down', 'terminated']);

/** One poll of an instance the run launched until it is `goal`; one that is terminating or gone fails with EC2's reason. */
export async function waitForInstance(instances: ResourceWatch<InstanceFacts>, instanceId: string, goal: InstanceGoal): Promise<void> {
  const instance = await instances.observe(instanceId);
  if (!instance) throw notReady(`instance ${instanceId} is not visible yet`);
  if (instance.state === goal) return;
  if (GONE.has(instance.state))
    throw terminalState('InstanceGone', `instance ${instanceId} is ${instance.state}, never going to be ${goal}`);
  throw notReady(`instance ${instanceId} is ${instance.state}`);
}

/** StopInstances, which EC2 takes again for an instance stopping or stopped. */
export async function stopInstance(ec2: EC2Client, instanceId: string): Promise<void> {
  await awsCall(`StopInstances (${instanceId})`, () => ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] })));
}

/**
 * Terminates every instance of this run with this role tag that is not terminated yet, found by its
 * tags: so an instance whose RunInstances answer never reached the run is terminated too. Returns them.
 */
export async function terminateRunInstances(ec2: EC2Client, tags: Record<string, string>): Promise<string[]> {
  const live = (
    await describeFiltered(ec2, [...tagFilters(tags), exactFilter('instance-state-name', ['pending', 'running', 'stopping', 'stopped'])])
  ).map((i) => i.instanceId);
  if (!live.length) return [];
  try {
    await awsCall(`TerminateInstances (${live.join(', ')})`, () => ec2.send(new TerminateInstancesCommand({ InstanceIds: live })));
  } catch (err) {
    // Terminated meanwhile (by an earlier attempt whose answer was lost): nothing left to do.
    if (!isAwsErrorCode(err, 'InvalidInstanceID.NotFound')) throw err;
  }
  return live;
}
