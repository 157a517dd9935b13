/**
 * Windows fast launch: enable, disable, and one poll of the state. Enable and disable look at the
 * current state first, so a retry or a replay after a crash does not ask EC2 again; and when EC2
 * refuses the call, they look again, because the AWS SDK resends a call whose answer was lost inside
 * one attempt: a refusal of that resend ("already enabled", "not enabled") means the first one worked.
 */
import {
  DescribeLaunchTemplatesCommand,
  DisableFastLaunchCommand,
  EnableFastLaunchCommand,
  paginateDescribeFastLaunchImages,
  type DescribeFastLaunchImagesSuccessItem,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/common';
import type { FastLaunchSpec } from '../../contracts/ami-pipeline';
import { awsCall } from '../aws/call';
import { notReady, terminalState } from '../aws/not-ready';
import { inChunks, type PollAttempt, type ResourceWatch } from '../aws/state-watcher';
import { describeKnown } from '../aws/unknown-ids';

const PAGE_SIZE = 200;

/** An image's fast-launch settings; an image without fast launch has none, one that no longer exists is `missing`. */
export type FastLaunchStatus = DescribeFastLaunchImagesSuccessItem | { ImageId: string; missing: true };

const isMissing = (status: FastLaunchStatus | undefined): status is { ImageId: string; missing: true } =>
  status !== undefined && 'missing' in status;

/**
 * Fast-launch states of many images, 200 a request and a page. EC2 fails the whole request when one
 * image no longer exists (InvalidAMIID.NotFound, naming the images), so those are marked missing and
 * the rest asked again: a deregistered image must not hide the state of every other image in the batch.
 */
export function describeFastLaunch(ec2: EC2Client, imageIds: string[]): Promise<Map<string, FastLaunchStatus>> {
  return inChunks(imageIds, PAGE_SIZE, async (ids) => {
    const { found, unknown } = await describeKnown(ids, 'InvalidAMIID.NotFound', (asking) =>
      awsCall('DescribeFastLaunchImages', async () => {
        const items = new Map<string, FastLaunchStatus>();
        for await (const page of paginateDescribeFastLaunchImages({ client: ec2, pageSize: PAGE_SIZE }, { ImageIds: asking })) {
          for (const item of page.FastLaunchImages ?? []) items.set(item.ImageId ?? '', item);
        }
        return items;
      }),
    );
    for (const id of unknown) found.set(id, { ImageId: id, missing: true });
    return found;
  });
}

async function fastLaunchState(ec2: EC2Client, imageId: string): Promise<DescribeFastLaunchImagesSuccessItem | undefined> {
  const status = (await describeFastLaunch(ec2, [imageId])).get(imageId);
  return isMissing(status) ? undefined : status;
}

/** A launch template that does not exist fails here, before any image is created, with EC2's own error; else its ID. */
export async function checkLaunchTemplate(
  ec2: EC2Client,
  template: Pick<NonNullable<FastLaunchSpec['launchTemplate']>, 'id' | 'name'>,
): Promise<string> {
  const out = await awsCall(`DescribeLaunchTemplates (${template.id ?? template.name})`, () =>
    ec2.send(
      new DescribeLaunchTemplatesCommand(template.id ? { LaunchTemplateIds: [template.id] } : { LaunchTemplateNames: [template.name!] }),
    ),
  );
  return out.LaunchTemplates?.[0]?.LaunchTemplateId ?? '';
}

const ENABLED = new Set(['enabling', 'enabled']);
const DISABLED = new Set(['disabling', 'disabled']);

/**
 * Sends a state-changing call; when EC2 refuses it for good, reads the state again and returns it if
 * the change is already made or under way (`done`), else rethrows EC2's refusal.
 */
async function changeOrFind<T>(ec2: EC2Client, imageId: string, call: () => Promise<T>, done: Set<string>): Promise<T | string> {
  try {
    return await call();
  } catch (err) {
    // A retryable failure is asked again by the retry policy, whose next attempt reads first.
    if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
    const now = await fastLaunchState(ec2, imageId);
    const state = now?.State ?? 'disabled';
    if (done.has(state)) return state;
    throw err;
  }
}

export async function enableFastLaunch(ec2: EC2Client, imageId: string, spec: FastLaunchSpec): Promise<string> {
  const current = await fastLaunchState(ec2, imageId);
  if (current?.State && ENABLED.has(current.State)) return current.State;
  const out = await changeOrFind(
    ec2,
    imageId,
    () =>
      awsCall('EnableFastLaunch', () =>
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
      ),
    ENABLED,
  );
  return typeof out === 'string' ? out : (out.State ?? 'enabling');
}

/** Returns whether fast launch was on (so the caller knows to wait for `disabled`). */
export async function disableFastLaunch(ec2: EC2Client, imageId: string): Promise<boolean> {
  const current = await fastLaunchState(ec2, imageId);
  if (!current) return false;
  if (!DISABLED.has(current.State ?? 'disabled')) {
    await changeOrFind(
      ec2,
      imageId,
      () => awsCall('DisableFastLaunch', () => ec2.send(new DisableFastLaunchCommand({ ImageId: imageId }))),
      DISABLED,
    );
  }
  return true;
}

export type FastLaunchGoal = 'enabled' | 'disabled';

const FAILED_STATES = new Set(['enabling-failed', 'enabled-failed', 'disabling-failed']);

/** One poll: returns at the goal, "not ready" on the way, and fails for good with EC2's reason. */
export async function waitForFastLaunch(
  states: ResourceWatch<FastLaunchStatus>,
  imageId: string,
  goal: FastLaunchGoal,
  attempt?: PollAttempt,
): Promise<string> {
  const current = await states.observe(imageId, attempt);
  if (isMissing(current)) {
    // A deregistered image launches nothing, so fast launch is as off as it gets.
    if (goal === 'disabled') return 'disabled';
    throw terminalState('InvalidAMIID.NotFound', `image ${imageId} no longer exists, so its fast launch cannot be enabled`, { imageId });
  }
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
