/**
 * CreateImageBuilder, StartImageBuilder, StopImageBuilder and DeleteImageBuilder, each safe to retry.
 * A first attempt sends the call and lets AppStream refuse an illegal transition (stop a STOPPED
 * builder, say) with its own error. A retry first looks at the builder: if an earlier attempt's call
 * already took effect (the response was lost, or the worker died), there is nothing left to do.
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
import { Context } from '@temporalio/activity';
import { describeImageBuilder } from './builder-lookup';
import { appStreamTag } from './tags';
import { awsCall } from '../aws/call';
import { createOrAdopt } from '../aws/create-or-adopt';
import { terminalState } from '../aws/not-ready';

/** Whether this activity execution is a retry of one that may already have made its call. */
export function isRetry(): boolean {
  return Context.current().info.attempt > 1;
}

export interface BuilderRequest {
  name: string;
  imageName: string;
  instanceType: string;
  description?: string;
  tags: Record<string, string>;
  /** The tag whose value proves an existing builder of this name belongs to this run. */
  ownershipTag: string;
}

interface BuilderCall {
  name: string;
  /** The builder's state right after the call (or as found, when an earlier attempt had made it). */
  state: string;
  arn?: string;
  /** True when an earlier attempt's call had already taken effect. */
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

/** States that show an earlier start, stop or delete of this run already took effect. */
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

export async function changeImageBuilder(
  appstream: AppStreamClient,
  name: string,
  action: BuilderTransition,
  retry: boolean,
): Promise<BuilderCall> {
  if (retry) {
    const builder = await describeImageBuilder(appstream, name);
    if (!builder && action === 'delete') return { name, state: 'DELETED', alreadyDone: true };
    if (builder && ALREADY[action].has(builder.State ?? '')) return result(builder, name, true);
  }
  return result(await awsCall(ACTION_NAMES[action], () => send(appstream, name, action)), name, false);
}
