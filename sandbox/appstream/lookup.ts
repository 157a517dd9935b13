import { parseArn } from './arn';
import type { AppStreamImageRecord, FleetRecord, ImageBuilderRecord, AppStreamState } from './state';
import { ApiError } from '../core/errors';
import { AWS_ACCOUNT_ID } from '../core/state';

/**
 * Resolving AppStream names and ARNs, with AppStream's ResourceNotFoundException. A caller sees its
 * own images, AWS's public ones in its Region, and (by ARN and in listings) images shared with it.
 */

function notFound(what: string): ApiError {
  return new ApiError('ResourceNotFoundException', `The ${what} was not found.`);
}

const isLive = (image: AppStreamImageRecord, now: number) => image.lifecycle.stateAt(now) !== 'DELETED';

/** The caller's own images, deleted ones left out. */
export function ownImages(state: AppStreamState): AppStreamImageRecord[] {
  const now = state.clock.now();
  return [...state.appStream.images.values()].filter((i) => isLive(i, now));
}

/** Whether the caller may see another account's image: AWS's public ones and those shared with it. */
function isUsableByOthers(image: AppStreamImageRecord, accountId: string): boolean {
  return image.visibility === 'PUBLIC' || image.sharedWith.has(accountId);
}

/** Everything the caller may describe in its Region, in creation order. */
export function usableImages(state: AppStreamState): AppStreamImageRecord[] {
  const now = state.clock.now();
  const others = [...state.regionAppStream().values()]
    .filter((resources) => resources !== state.appStream)
    .flatMap((resources) => [...resources.images.values()].filter((i) => isLive(i, now) && isUsableByOthers(i, state.scope.accountId)));
  return [...ownImages(state), ...others].sort((a, b) => a.seq - b.seq);
}

/** By name, as AppStream names "public or private images": the caller's own, else AWS's public one. */
export function findImage(state: AppStreamState, name: string): AppStreamImageRecord | undefined {
  const now = state.clock.now();
  const own = state.appStream.images.get(name);
  if (own && isLive(own, now)) return own;
  const provided = state.regionAppStream().get(AWS_ACCOUNT_ID)?.images.get(name);
  return provided && provided.visibility === 'PUBLIC' && isLive(provided, now) ? provided : undefined;
}

export function requireImage(state: AppStreamState, name: string): AppStreamImageRecord {
  const image = findImage(state, name);
  if (!image) throw notFound(`image ${name}`);
  return image;
}

/** As describes see it: a new image is hidden for the eventual-consistency window; mutations see it at once. */
export function requireVisibleImage(state: AppStreamState, name: string): AppStreamImageRecord {
  const image = requireImage(state, name);
  if (!isImageVisible(image, state.clock.now())) throw notFound(`image ${name}`);
  return image;
}

export function isImageVisible(image: AppStreamImageRecord, now: number): boolean {
  return image.visibleAt === undefined || now >= image.visibleAt;
}

/** By ARN, which names the Region and the owner: the caller's own, AWS's public, or one shared with the caller. */
export function requireImageByArn(state: AppStreamState, arn: string): AppStreamImageRecord {
  const parsed = parseArn(arn);
  const owner = parsed?.accountId ?? AWS_ACCOUNT_ID;
  const resources = parsed?.type === 'image' && parsed.region === state.scope.region ? state.regionAppStream().get(owner) : undefined;
  const image = resources?.images.get(parsed!.name);
  const usable =
    image !== undefined &&
    image.arn === arn &&
    isLive(image, state.clock.now()) &&
    (owner === state.scope.accountId || isUsableByOthers(image, state.scope.accountId));
  if (!usable) throw notFound(`image with ARN ${arn}`);
  return image;
}

export function requireVisibleImageByArn(state: AppStreamState, arn: string): AppStreamImageRecord {
  const image = requireImageByArn(state, arn);
  if (!isImageVisible(image, state.clock.now())) throw notFound(`image with ARN ${arn}`);
  return image;
}

export function liveBuilders(state: AppStreamState): ImageBuilderRecord[] {
  const now = state.clock.now();
  return [...state.appStream.builders.values()].filter((b) => b.lifecycle.stateAt(now) !== 'DELETED');
}

export function findBuilder(state: AppStreamState, name: string): ImageBuilderRecord | undefined {
  const builder = state.appStream.builders.get(name);
  return builder && builder.lifecycle.stateAt(state.clock.now()) !== 'DELETED' ? builder : undefined;
}

export function requireBuilder(state: AppStreamState, name: string): ImageBuilderRecord {
  const builder = findBuilder(state, name);
  if (!builder) throw notFound(`image builder ${name}`);
  return builder;
}

export function liveFleets(state: AppStreamState): FleetRecord[] {
  const now = state.clock.now();
  return [...state.appStream.fleets.values()].filter((f) => f.lifecycle.stateAt(now) !== 'DELETED');
}

export function findFleet(state: AppStreamState, name: string): FleetRecord | undefined {
  const fleet = state.appStream.fleets.get(name);
  return fleet && fleet.lifecycle.stateAt(state.clock.now()) !== 'DELETED' ? fleet : undefined;
}

export function requireFleet(state: AppStreamState, name: string): FleetRecord {
  const fleet = findFleet(state, name);
  if (!fleet) throw notFound(`fleet ${name}`);
  return fleet;
}
