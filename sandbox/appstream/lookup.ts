import { parseArn } from './arn';
import type { AppStreamImageRecord, ImageBuilderRecord, AppStreamState } from './state';
import { ApiError } from '../core/errors';

/** Resolving AppStream names and ARNs, with AppStream's ResourceNotFoundException. */

function notFound(what: string): ApiError {
  return new ApiError('ResourceNotFoundException', `The ${what} was not found.`);
}

export function liveImages(state: AppStreamState): AppStreamImageRecord[] {
  const now = state.clock.now();
  return [...state.appStream.images.values()].filter((i) => i.lifecycle.stateAt(now) !== 'DELETED');
}

export function findImage(state: AppStreamState, name: string): AppStreamImageRecord | undefined {
  const image = state.appStream.images.get(name);
  return image && image.lifecycle.stateAt(state.clock.now()) !== 'DELETED' ? image : undefined;
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

export function requireImageByArn(state: AppStreamState, arn: string): AppStreamImageRecord {
  const parsed = parseArn(arn);
  const image = parsed?.type === 'image' ? findImage(state, parsed.name) : undefined;
  // The whole ARN must match: another account's image of the same name is not ours.
  if (!image || image.arn !== arn) throw notFound(`image with ARN ${arn}`);
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
