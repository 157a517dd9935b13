/**
 * AppStream fleets: DescribeFleets (paged by hand with NextToken; AppStream takes no page size), the
 * wait on a fleet's state, and the changes a pipeline makes to a fleet: UpdateFleet to a new image,
 * StopFleet and StartFleet. Each change reads the fleet first and again when AppStream refuses it, so a
 * resend after a lost answer finds the change made and adopts it instead of failing.
 */
import {
  DescribeFleetsCommand,
  StartFleetCommand,
  StopFleetCommand,
  UpdateFleetCommand,
  type AppStreamClient,
  type Fleet,
} from '@aws-sdk/client-appstream';
import { ApplicationFailure } from '@temporalio/common';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { notReady, terminalState } from '../aws/not-ready';
import { inChunks, type ResourceWatch } from '../aws/state-watcher';
import { byNameTolerant } from './by-name';

/** DescribeFleets takes names in one request; the watcher asks for at most this many at once. */
const NAMES_PER_REQUEST = 25;

/** A fleet as the workflow sees it: what a run records before it changes anything. */
export interface FleetView {
  name: string;
  arn?: string;
  type: string;
  state: string;
  platform?: string;
  imageName?: string;
  imageArn?: string;
}

export const fleetView = (fleet: Fleet): FleetView => ({
  name: fleet.Name ?? '',
  arn: fleet.Arn,
  type: fleet.FleetType ?? 'ALWAYS_ON',
  state: fleet.State ?? 'unknown',
  platform: fleet.Platform,
  imageName: fleet.ImageName,
  imageArn: fleet.ImageArn,
});

async function describeFleetPages(appstream: AppStreamClient, names: string[]): Promise<Fleet[]> {
  const fleets: Fleet[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('DescribeFleets', () => appstream.send(new DescribeFleetsCommand({ Names: names, NextToken: nextToken })));
    fleets.push(...(page.Fleets ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return fleets;
}

/** Fleets by name; an unknown name is absent from the result. */
export function describeFleetsByName(appstream: AppStreamClient, names: string[]): Promise<Map<string, Fleet>> {
  return inChunks(names, NAMES_PER_REQUEST, (chunk) =>
    byNameTolerant(chunk, async (some) => new Map((await describeFleetPages(appstream, some)).map((f) => [f.Name ?? '', f]))),
  );
}

export async function describeFleet(appstream: AppStreamClient, name: string): Promise<FleetView> {
  const fleet = (await describeFleetsByName(appstream, [name])).get(name);
  if (!fleet) throw terminalState('ResourceNotFoundException', `fleet ${name} does not exist`);
  return fleetView(fleet);
}

export type FleetGoal = 'RUNNING' | 'STOPPED';

/**
 * One poll, as botocore's `fleet_started` and `fleet_stopped` waiters judge: done in the goal state. A
 * fleet asked to start that comes back STOPPED with fleet errors failed to start, and that is final.
 */
export async function waitForFleet(fleets: ResourceWatch<Fleet>, name: string, goal: FleetGoal): Promise<FleetView> {
  const fleet = await fleets.observe(name);
  if (!fleet) throw terminalState('ResourceNotFoundException', `fleet ${name} does not exist (deleted while the run waited for it?)`);
  const view = fleetView(fleet);
  if (view.state === goal) return view;
  const errors = fleet.FleetErrors ?? [];
  if (goal === 'RUNNING' && view.state === 'STOPPED' && errors.length) {
    const listed = errors.map((e) => `${e.ErrorCode ?? 'no code'}: ${e.ErrorMessage ?? ''}`).join('; ');
    throw terminalState('FleetStartFailed', `fleet ${name} did not start: ${listed}`, { state: view.state, errors });
  }
  throw notReady(`fleet ${name} is ${view.state}, waiting for ${goal}`);
}

/** States from which a start or stop has already taken effect. */
const ALREADY = { start: new Set(['STARTING', 'RUNNING']), stop: new Set(['STOPPING', 'STOPPED']) } as const;
export type FleetTransition = keyof typeof ALREADY;

/** StartFleet or StopFleet; true when this call made the change, false when it had been made already. */
export async function changeFleet(appstream: AppStreamClient, name: string, action: FleetTransition): Promise<boolean> {
  if (ALREADY[action].has((await describeFleet(appstream, name)).state)) return false;
  try {
    await awsCall(action === 'start' ? 'StartFleet' : 'StopFleet', () =>
      appstream.send(action === 'start' ? new StartFleetCommand({ Name: name }) : new StopFleetCommand({ Name: name })),
    );
    return true;
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
    // Refused: perhaps because a resend of this call, whose answer was lost, had already made the change.
    if (ALREADY[action].has((await describeFleet(appstream, name)).state)) return false;
    throw err;
  }
}

/**
 * UpdateFleet to an image, by ARN (which names a copy or a shared image as surely as the build Region's).
 * A fleet already on the image is left alone; a fleet STARTING or STOPPING cannot be updated yet, so
 * that is "not ready" and the retry policy asks again.
 */
export async function updateFleetImage(appstream: AppStreamClient, name: string, imageArn: string): Promise<'updated' | 'already'> {
  const fleet = await describeFleet(appstream, name);
  if (fleet.imageArn === imageArn) return 'already';
  if (fleet.state === 'STARTING' || fleet.state === 'STOPPING')
    throw notReady(`fleet ${name} is ${fleet.state}; it can take an image once it is not`);
  try {
    await awsCall('UpdateFleet', () => appstream.send(new UpdateFleetCommand({ Name: name, ImageArn: imageArn })));
    return 'updated';
  } catch (err) {
    if (isAwsErrorCode(err, 'ConcurrentModificationException')) throw notReady(`fleet ${name} is changing: ${(err as Error).message}`);
    throw err;
  }
}
