/**
 * Finds the build instance before anything is created: by ID, or by tags that must match exactly one
 * instance, in a state CreateImage accepts. "Unknown instance" thus fails with zero mutating calls.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describeInstances, type InstanceFacts, type InstanceSelector } from './instance-lookup';
import { terminalState } from './not-ready';

/** CreateImage works from a running or a stopped instance; anything else is a user error. */
const IMAGEABLE_STATES = ['running', 'stopped'];

export async function findBuildInstance(ec2: EC2Client, selector: InstanceSelector): Promise<InstanceFacts> {
  const [instance, ...others] = await describeInstances(ec2, selector, selector.tags ? IMAGEABLE_STATES : undefined);
  if (!instance) {
    throw terminalState('InvalidInstanceID.NotFound', `no running or stopped instance has the tags ${JSON.stringify(selector.tags)}`);
  }
  if (others.length) {
    const ids = [instance, ...others].map((i) => i.instanceId).join(', ');
    throw terminalState('AmbiguousBuildInstance', `the tags ${JSON.stringify(selector.tags)} match ${others.length + 1} instances (${ids}); a build needs exactly one`);
  }
  if (!IMAGEABLE_STATES.includes(instance.state)) {
    throw terminalState('IncorrectInstanceState', `instance ${instance.instanceId} is ${instance.state}; CreateImage needs a running or stopped instance`);
  }
  return instance;
}
