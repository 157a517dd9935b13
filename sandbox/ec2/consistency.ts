import type { Chronicle } from '../core/state';
import type { Timeline } from '../core/timeline';

/**
 * EC2's eventual consistency after create: for `notFoundWindowMs` a new image, instance, snapshot,
 * fast-launch setting or replace-root-volume task is not yet seen by describes (an ID names a resource
 * that "does not exist", a listing leaves it out). Mutations see the server's truth at once.
 */
export type Visibility = Timeline<'hidden' | 'visible'>;

export function newVisibility(state: Chronicle, windowMs: number, createdAt = state.clock.now()): Visibility {
  return state.timeline<'hidden' | 'visible'>('hidden', createdAt).then('visible', windowMs);
}

/** For what the sandbox starts with: seen from the start. */
export function visibleSince(state: Chronicle, at: number): Visibility {
  return state.timeline<'hidden' | 'visible'>('visible', at);
}

export function isVisible(resource: { visibility: Visibility }, now: number): boolean {
  return resource.visibility.stateAt(now) === 'visible';
}
