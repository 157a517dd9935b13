/**
 * DescribeImageBuilders, paged by hand (the JS SDK has no paginator for it) with MaxResults and
 * NextToken, and the wait on a builder's state built on it.
 */
import { DescribeImageBuildersCommand, type AppStreamClient, type ImageBuilder } from '@aws-sdk/client-appstream';
import type { BuilderGoal } from '../../contracts/appstream-builder-actions';
import { failedState } from './failed-state';
import { awsCall } from '../aws/call';
import { byNameTolerant } from './by-name';
import { notReady, terminalState } from '../aws/not-ready';
import { inChunks, type ResourceWatch } from '../aws/state-watcher';

const PAGE_SIZE = 25;

async function describeImageBuilders(appstream: AppStreamClient, names?: string[]): Promise<ImageBuilder[]> {
  const builders: ImageBuilder[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('DescribeImageBuilders', () =>
      appstream.send(new DescribeImageBuildersCommand({ Names: names, MaxResults: PAGE_SIZE, NextToken: nextToken })),
    );
    builders.push(...(page.ImageBuilders ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return builders;
}

/** The builder of this name, or undefined when AppStream does not know it (never created, or deleted). */
export async function describeImageBuilder(appstream: AppStreamClient, name: string): Promise<ImageBuilder | undefined> {
  return (await describeImageBuildersByName(appstream, [name])).get(name);
}

/** Many builders by name, 25 a request; an unknown name is absent from the result. */
export function describeImageBuildersByName(appstream: AppStreamClient, names: string[]): Promise<Map<string, ImageBuilder>> {
  return inChunks(names, PAGE_SIZE, (chunk) =>
    byNameTolerant(chunk, async (some) => new Map((await describeImageBuilders(appstream, some)).map((b) => [b.Name ?? '', b]))),
  );
}

interface BuilderArrival {
  name: string;
  state: BuilderGoal;
  arn?: string;
}

/** One poll: done when the builder is in `goal` (for DELETED: gone), terminal when it is FAILED. */
export async function waitForImageBuilder(builders: ResourceWatch<ImageBuilder>, name: string, goal: BuilderGoal): Promise<BuilderArrival> {
  const builder = await builders.observe(name);
  if (!builder) {
    if (goal === 'DELETED') return { name, state: goal };
    throw terminalState(
      'ResourceNotFoundException',
      `image builder ${name} does not exist (deleted while the run waited for it to be ${goal}?)`,
    );
  }
  const state = builder.State ?? 'unknown';
  if (state === goal) return { name, state: goal, arn: builder.Arn };
  if (state === 'FAILED') {
    throw failedState('ImageBuilderFailed', `image builder ${name}`, state, builder.StateChangeReason, builder.ImageBuilderErrors);
  }
  throw notReady(`image builder ${name} is ${state}, waiting for ${goal}`);
}
