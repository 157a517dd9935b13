/**
 * Resolves a rollout's targets: given instance IDs (all of which must be running, because
 * CreateReplaceRootVolumeTask needs a running instance), every running instance with the given tags,
 * or every running instance launched from a launch template (EC2 tags each one with the template's ID).
 * Targets must match the image's platform and architecture, or EC2 would refuse each task later.
 */
import { LAUNCH_TEMPLATE_ID_TAG } from '../../contracts/tags';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RolloutSpec } from '../../contracts/ami-pipeline';
import { checkLaunchTemplate } from './fast-launch';
import { describeInstances, describeInstancesById, type InstanceSelector } from './instance-lookup';
import { terminalState } from '../aws/not-ready';

export interface FleetRequest extends InstanceSelector {
  launchTemplate?: RolloutSpec['launchTemplate'];
  platform: string;
  architecture: string;
}

export async function resolveFleet(ec2: EC2Client, request: FleetRequest): Promise<string[]> {
  const template = request.launchTemplate;
  // The template is looked up first (an unknown one fails with EC2's error); instances carry its ID, not its name.
  const templateId = template && (await checkLaunchTemplate(ec2, template));
  const selector: InstanceSelector = templateId === undefined ? request : { tags: { [LAUNCH_TEMPLATE_ID_TAG]: templateId } };
  const instances = await describeInstances(ec2, selector, selector.instanceIds ? undefined : ['running']);
  const problems = instances.flatMap((i) => [
    ...(i.state !== 'running' ? [`${i.instanceId} is ${i.state}, not running`] : []),
    ...(i.platform !== request.platform ? [`${i.instanceId} runs ${i.platform}, the image is ${request.platform}`] : []),
    ...(i.architecture !== request.architecture ? [`${i.instanceId} is ${i.architecture}, the image is ${request.architecture}`] : []),
  ]);
  if (problems.length) throw terminalState('InvalidRolloutTarget', `rollout targets that cannot take the image: ${problems.join('; ')}`);
  if (!instances.length) {
    const which = template
      ? `was launched from launch template ${template.name ? `${template.name} (${templateId})` : templateId}`
      : `has the tags ${JSON.stringify(request.tags)}`;
    throw terminalState('EmptyFleet', `no running instance ${which}; the rollout has no targets`);
  }
  return instances.map((i) => i.instanceId).sort();
}

/**
 * The image each instance runs from now, recorded by a rollout that may have to put it back
 * (`onFailure: rollback`) before it replaces any of them. An instance EC2 no longer knows is left out:
 * its replacement fails on its own, and there is nothing to put back.
 */
export async function instanceImages(ec2: EC2Client, instanceIds: string[]): Promise<Record<string, string>> {
  const found = await describeInstancesById(ec2, instanceIds);
  return Object.fromEntries([...found.values()].map((i) => [i.instanceId, i.imageId]));
}
