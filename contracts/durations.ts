/**
 * Durations in pipeline configs are written the way Temporal accepts them ("15s", "2h", "500ms"),
 * so they can be handed to activity options unchanged. This parses them once, at the edge.
 */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

export function durationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const isDuration = (text: string): boolean => DURATION.test(text.trim());

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

/**
 * How long "not found" right after a create means "not visible yet" (EC2 and AppStream are eventually
 * consistent): the pipelines' `waits.notFoundGrace`, and the fixed grace of waits no config sets.
 */
export const DEFAULT_NOT_FOUND_GRACE = '2m';
export const notFoundGraceSchema = () => durationSchema('0s', '1h').default(DEFAULT_NOT_FOUND_GRACE);

/** A wait's settings, its defaults applied: how often to look, and for how long. */
export type WaitSettings = z.output<ReturnType<typeof waitSchema>>;
