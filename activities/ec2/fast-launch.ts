/**
 * Windows fast launch: enable, disable, and one poll of the state. Enable and disable look at the
 * current state first, so a retry or a replay after a crash never asks EC2 twice.
 */
import {
  DescribeLaunchTemplatesCommand,
  DisableFastLaunchCommand,
  EnableFastLaunchCommand,
  paginateDescribeFastLaunchImages,
  type DescribeFastLaunchImagesSuccessItem,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { FastLaunchSpec } from '../../contracts/ami-pipeline';
import { awsCall } from '../aws/call';
import { notReady, terminalState } from '../aws/not-ready';
import { inChunks, type ResourceWatch } from '../aws/state-watcher';

const PAGE_SIZE = 200;

/** Fast-launch states of many images, 200 a request and a page; an image without fast launch is absent. */
export function describeFastLaunch(ec2: EC2Client, imageIds: string[]): Promise<Map<string, DescribeFastLaunchImagesSuccessItem>> {
  return inChunks(imageIds, PAGE_SIZE, (ids) =>
    awsCall('DescribeFastLaunchImages', async () => {
      const found = new Map<string, DescribeFastLaunchImagesSuccessItem>();
      for await (const page of paginateDescribeFastLaunchImages({ client: ec2, pageSize: PAGE_SIZE }, { ImageIds: ids })) {
        for (const item of page.FastLaunchImages ?? []) found.set(item.ImageId ?? '', item);
      }
      return found;
    }),
  );
}

async function fastLaunchState(ec2: EC2Client, imageId: string): Promise<DescribeFastLaunchImagesSuccessItem | undefined> {
  return (await describeFastLaunch(ec2, [imageId])).get(imageId);
}

/** A launch template that does not exist fails here, before any image is created, with EC2's own error. */
export async function checkLaunchTemplate(ec2: EC2Client, template: NonNullable<FastLaunchSpec['launchTemplate']>): Promise<string> {
  const out = await awsCall(`DescribeLaunchTemplates (${template.id ?? template.name})`, () =>
    ec2.send(
      new DescribeLaunchTemplatesCommand(template.id ? { LaunchTemplateIds: [template.id] } : { LaunchTemplateNames: [template.name!] }),
    ),
  );
  return out.LaunchTemplates?.[0]?.LaunchTemplateId ?? '';
}

export async function enableFastLaunch(ec2: EC2Client, imageId: string, spec: FastLaunchSpec): Promise<string> {
  const current = await fastLaunchState(ec2, imageId);
  if (current?.State === 'enabling' || current?.State === 'enabled') return current.State;
  const out = await awsCall('EnableFastLaunch', () =>
    ec2.send(
      new EnableFastLaunchCommand({
        ImageId: imageId,
        ResourceType: 'snapshot',
        SnapshotConfiguration: { TargetResourceCount: spec.targetResourceCount },
        MaxParallelLaunches: spec.maxParallelLaunches,
        LaunchTemplate: spec.launchTemplate && {
          LaunchTemplateId: spec.launchTemplate.id,
          LaunchTemplateName: spec.launchTemplate.name,
          Version: spec.launchTemplate.version,
        },
      }),
    ),
  );
  return out.State ?? 'enabling';
}

/** Returns whether fast launch was on (so the caller knows to wait for `disabled`). */
export async function disableFastLaunch(ec2: EC2Client, imageId: string): Promise<boolean> {
  const current = await fastLaunchState(ec2, imageId);
  if (!current) return false;
  if (current.State !== 'disabling') {
    await awsCall('DisableFastLaunch', () => ec2.send(new DisableFastLaunchCommand({ ImageId: imageId })));
  }
  return true;
}

export type FastLaunchGoal = 'enabled' | 'disabled';

const FAILED_STATES = new Set(['enabling-failed', 'enabled-failed', 'disabling-failed']);

/** One poll: returns at the goal, "not ready" on the way, and fails for good with EC2's reason. */
export async function waitForFastLaunch(
  states: ResourceWatch<DescribeFastLaunchImagesSuccessItem>,
  imageId: string,
  goal: FastLaunchGoal,
): Promise<string> {
  const current = await states.observe(imageId);
  const state = current?.State ?? 'disabled';
  if (state === goal) return state;
  if (FAILED_STATES.has(state)) {
    throw terminalState(
      'FastLaunchFailed',
      `fast launch for ${imageId} is ${state}: ${current?.StateTransitionReason ?? 'no reason given'}`,
      {
        imageId,
        state,
        reason: current?.StateTransitionReason,
      },
    );
  }
  throw notReady(`fast launch for ${imageId} is ${state}`);
}
