/**
 * Checks the build instance before anything is created: that it exists and is in a state CreateImage
 * accepts. This turns "unknown instance" into a clear failure with zero mutating calls.
 */
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from './aws-errors';
import { terminalState } from './not-ready';

export interface BuildInstance {
  instanceId: string;
  state: string;
  platform: 'windows' | 'linux';
  architecture: string;
  sourceImageId: string;
}

/** CreateImage works from a running or a stopped instance; anything else is a user error. */
const IMAGEABLE_STATES = new Set(['running', 'stopped']);

export async function describeBuildInstance(ec2: EC2Client, instanceId: string): Promise<BuildInstance> {
  const out = await awsCall('DescribeInstances', () => ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
  const instance = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!instance) throw terminalState('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  const state = instance.State?.Name ?? 'unknown';
  if (!IMAGEABLE_STATES.has(state)) {
    throw terminalState('IncorrectInstanceState', `instance ${instanceId} is ${state}; CreateImage needs a running or stopped instance`);
  }
  return {
    instanceId,
    state,
    // EC2 sends `windows` in lower case, whatever the SDK's enum says.
    platform: instance.Platform?.toLowerCase() === 'windows' ? 'windows' : 'linux',
    architecture: instance.Architecture ?? 'x86_64',
    sourceImageId: instance.ImageId ?? '',
  };
}
