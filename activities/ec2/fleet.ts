/**
 * Resolves a rollout's targets: given instance IDs (all of which must be running, because
 * CreateReplaceRootVolumeTask needs a running instance) or every running instance with the given tags.
 * Targets must match the image's platform and architecture, or EC2 would refuse each task later.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describeInstances, type InstanceSelector } from './instance-lookup';
import { terminalState } from '../aws/not-ready';

export interface FleetRequest extends InstanceSelector {
  platform: string;
  architecture: string;
}

export async function resolveFleet(ec2: EC2Client, request: FleetRequest): Promise<string[]> {
  const instances = await describeInstances(ec2, request, request.instanceIds ? undefined : ['running']);
  const problems = instances.flatMap((i) => [
    ...(i.state !== 'running' ? [`${i.instanceId} is ${i.state}, not running`] : []),
    ...(i.platform !== request.platform ? [`${i.instanceId} runs ${i.platform}, the image is ${request.platform}`] : []),
    ...(i.architecture !== request.architecture ? [`${i.instanceId} is ${i.architecture}, the image is ${request.architecture}`] : []),
  ]);
  if (problems.length) throw terminalState('InvalidRolloutTarget', `rollout targets that cannot take the image: ${problems.join('; ')}`);
  if (!instances.length)
    throw terminalState('EmptyFleet', `no running instance has the tags ${JSON.stringify(request.tags)}; the rollout has no targets`);
  return instances.map((i) => i.instanceId).sort();
}
