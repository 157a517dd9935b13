/**
 * CreateImageBuilder, StartImageBuilder, StopImageBuilder and DeleteImageBuilder, each safe to send
 * any number of times. The AWS SDK resends a call whose answer was lost inside one activity attempt,
 * and Temporal retries the attempt, so neither the attempt number nor "this is my first call" says
 * whether AppStream already took the change. Each transition therefore reads the builder first, and
 * when AppStream refuses the call ("… is STOPPING. It cannot be stopped in this state."), reads it
 * again: a builder already on its way to (or at) the asked-for state means the change was made.
 * Create looks the name up first, and adopts a builder of that name only when it carries this run's tag
 * (see ../aws/create-or-adopt.ts).
 */
import {
  CreateImageBuilderCommand,
  DeleteImageBuilderCommand,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
  type AppStreamClient,
  type ImageBuilder,
} from '@aws-sdk/client-appstream';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { describeImageBuilder } from './builder-lookup';
import { appStreamTag } from './tags';
import { awsCall } from '../aws/call';
import { createOrAdopt } from '../aws/create-or-adopt';
import { notReady, terminalState } from '../aws/not-ready';

/** Whether this activity execution is a retry of one that may already have made its call. */
export function isRetry(): boolean {
  return Context.current().info.attempt > 1;
}

export interface BuilderRequest {
  name: string;
  imageName: string;
  instanceType: string;
  description?: string;
  /** The builder's VPC placement; omitted: AppStream's default network. */
  subnetIds?: string[];
  securityGroupIds?: string[];
  tags: Record<string, string>;
  /** The tag whose value proves an existing builder of this name belongs to this run. */
  ownershipTag: string;
}

interface BuilderCall {
  name: string;
  /** The builder's state right after the call (or as found, when an earlier call had made the change). */
  state: string;
  arn?: string;
  /** True when an earlier call (a lost answer, an earlier attempt, or someone else) had already made the change. */
  alreadyDone: boolean;
}

const result = (builder: ImageBuilder | undefined, name: string, alreadyDone: boolean): BuilderCall => ({
  name,
  state: builder?.State ?? 'unknown',
  arn: builder?.Arn,
  alreadyDone,
});

export async function createImageBuilder(appstream: AppStreamClient, request: BuilderRequest): Promise<BuilderCall> {
  const { value, adopted } = await createOrAdopt({
    kind: 'image builder',
    name: request.name,
    takenCode: 'ResourceAlreadyExistsException',
    owner: request.tags[request.ownershipTag],
    lookUpFirst: true,
    find: async () => {
      const builder = await describeImageBuilder(appstream, request.name);
      return builder && { value: builder, owner: await appStreamTag(appstream, builder.Arn, request.ownershipTag) };
    },
    create: async () => {
      const out = await awsCall('CreateImageBuilder', () =>
        appstream.send(
          new CreateImageBuilderCommand({
            Name: request.name,
            ImageName: request.imageName,
            InstanceType: request.instanceType,
            Description: request.description,
            ...(request.subnetIds ? { VpcConfig: { SubnetIds: request.subnetIds, SecurityGroupIds: request.securityGroupIds } } : {}),
            Tags: request.tags,
          }),
        ),
      );
      return out.ImageBuilder;
    },
    refuse: () =>
      terminalState(
        'ImageBuilderNameTaken',
        `an image builder named ${request.name} already exists and was not created by this run; choose another name`,
      ),
  });
  return result(value, request.name, adopted);
}

/** States that show a start, stop or delete already took effect: the builder is on its way to the goal, or there. */
const ALREADY = {
  start: new Set(['PENDING', 'UPDATING_AGENT', 'RUNNING']),
  stop: new Set(['STOPPING', 'STOPPED']),
  delete: new Set(['DELETING']),
} as const;

export type BuilderTransition = keyof typeof ALREADY;

const ACTION_NAMES = { start: 'StartImageBuilder', stop: 'StopImageBuilder', delete: 'DeleteImageBuilder' } as const;

async function send(appstream: AppStreamClient, name: string, action: BuilderTransition): Promise<ImageBuilder | undefined> {
  switch (action) {
    case 'start':
      return (await appstream.send(new StartImageBuilderCommand({ Name: name }))).ImageBuilder;
    case 'stop':
      return (await appstream.send(new StopImageBuilderCommand({ Name: name }))).ImageBuilder;
    case 'delete':
      return (await appstream.send(new DeleteImageBuilderCommand({ Name: name }))).ImageBuilder;
  }
}

/** The call's outcome when the builder as read shows the change made; undefined when it is still to be made. */
function alreadyMade(builder: ImageBuilder | undefined, name: string, action: BuilderTransition, goneIsDone: boolean) {
  if (!builder) return action === 'delete' && goneIsDone ? { name, state: 'DELETED', alreadyDone: true } : undefined;
  return ALREADY[action].has(builder.State ?? '') ? result(builder, name, true) : undefined;
}

/**
 * One transition. A builder that is gone counts as deleted only when this run may have deleted it: on
 * a retry, or after AppStream refused a resend of our own call; a first delete of a name AppStream
 * does not know fails with its own ResourceNotFoundException, so that a mistyped name is not "done".
 */
export async function changeImageBuilder(
  appstream: AppStreamClient,
  name: string,
  action: BuilderTransition,
  retry: boolean,
): Promise<BuilderCall> {
  const before = await describeImageBuilder(appstream, name);
  const done = alreadyMade(before, name, action, retry);
  if (done) return done;
  try {
    return result(await awsCall(ACTION_NAMES[action], () => send(appstream, name, action)), name, false);
  } catch (err) {
    // A retryable failure is asked again by the retry policy, whose next attempt reads first.
    if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
    // Refused: perhaps because an earlier send of this same call, whose answer was lost, made the change.
    const after = await describeImageBuilder(appstream, name);
    const made = alreadyMade(after, name, action, before !== undefined);
    if (made) return made;
    throw err;
  }
}

/**
 * Removes the builder a cancelled create made: one poll of a clean-up that AppStream lets go only step
 * by step (delete needs STOPPED or FAILED, stop needs RUNNING, and a builder in between allows nothing).
 * A builder of that name that does not carry this run's ownership tag is never touched.
 */
export async function removeOwnImageBuilder(
  appstream: AppStreamClient,
  name: string,
  ownership: { tag: string; value: string },
): Promise<string> {
  const builder = await describeImageBuilder(appstream, name);
  if (!builder) return 'gone';
  if ((await appStreamTag(appstream, builder.Arn, ownership.tag)) !== ownership.value) return 'not made by this run, left alone';
  const state = builder.State ?? 'unknown';
  if (state === 'DELETING') return state;
  if (state === 'STOPPED' || state === 'FAILED') {
    await changeImageBuilder(appstream, name, 'delete', true);
    return 'DELETING';
  }
  if (state === 'RUNNING') await changeImageBuilder(appstream, name, 'stop', true);
  throw notReady(`image builder ${name} is ${state === 'RUNNING' ? 'STOPPING' : state}; it can be deleted once STOPPED`);
}
