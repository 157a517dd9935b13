/**
 * Finds the build instance before anything is created: by ID, or by tags that must match exactly one
 * instance, in a state CreateImage accepts. "Unknown instance" thus fails with zero mutating calls.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describeInstances, unknownInstances, type InstanceFacts, type InstanceSelector } from './instance-lookup';
import { terminalState } from '../aws/not-ready';
import type { ResourceWatch } from '../aws/state-watcher';

/** CreateImage works from a running or a stopped instance; anything else is a user error. */
const IMAGEABLE_STATES = ['running', 'stopped'];

/**
 * By ID, the look-up goes through the worker's shared watcher: many pipelines starting at once share
 * one DescribeInstances. By tags, it is a describe of its own.
 */
export async function findBuildInstance(
  ec2: EC2Client,
  instances: ResourceWatch<InstanceFacts>,
  selector: InstanceSelector,
): Promise<InstanceFacts> {
  const [instance, ...others] = selector.instanceIds
    ? await Promise.all(selector.instanceIds.map((id) => byId(instances, id)))
    : await describeInstances(ec2, selector, IMAGEABLE_STATES);
  if (!instance) {
    throw terminalState('InvalidInstanceID.NotFound', `no running or stopped instance has the tags ${JSON.stringify(selector.tags)}`);
  }
  if (others.length) {
    const ids = [instance, ...others].map((i) => i.instanceId).join(', ');
    throw terminalState(
      'AmbiguousBuildInstance',
      `the tags ${JSON.stringify(selector.tags)} match ${others.length + 1} instances (${ids}); a build needs exactly one`,
    );
  }
  if (!IMAGEABLE_STATES.includes(instance.state)) {
    throw terminalState(
      'IncorrectInstanceState',
      `instance ${instance.instanceId} is ${instance.state}; CreateImage needs a running or stopped instance`,
    );
  }
  return instance;
}

async function byId(instances: ResourceWatch<InstanceFacts>, id: string): Promise<InstanceFacts> {
  const instance = await instances.observe(id);
  if (!instance) throw unknownInstances([id]);
  return instance;
}
