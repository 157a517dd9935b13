/**
 * The duration fields of pipeline configs: a duration within bounds, a wait's settings and the
 * not-found grace, as schemas for the configs to build on.
 */
import { z } from 'zod';
import { DEFAULT_NOT_FOUND_GRACE, DURATION, durationMs, isDuration } from './durations';

/** A duration string between `min` and `max` (both in the same notation). */
export function durationSchema(min: string, max: string) {
  // zod runs every check even after one fails, so the range checks leave malformed text to the regex.
  const inRange = (text: string, ok: (ms: number) => boolean) => !isDuration(text) || ok(durationMs(text));
  return z
    .string()
    .regex(DURATION, 'must be a duration such as "500ms", "15s", "5m", "2h" or "1d"')
    .refine((text) => inRange(text, (ms) => ms >= durationMs(min)), `must be at least ${min}`)
    .refine((text) => inRange(text, (ms) => ms <= durationMs(max)), `must be at most ${max}`);
}

/** How a wait polls: the activity retry policy is the poll (see workflows/activity-options). */
export function waitSchema(interval: string, timeout: string) {
  return z
    .strictObject({
      interval: durationSchema('100ms', '1h').default(interval),
      timeout: durationSchema('1s', '7d').default(timeout),
    })
    .prefault({});
}

/** A pipeline's `waits.notFoundGrace`. */
export const notFoundGraceSchema = () => durationSchema('0s', '1h').default(DEFAULT_NOT_FOUND_GRACE);

/** A wait's settings, its defaults applied: how often to look, and for how long. */
export type WaitSettings = z.output<ReturnType<typeof waitSchema>>;
