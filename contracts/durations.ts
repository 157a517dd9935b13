/**
 * Durations in pipeline configs are written the way Temporal accepts them ("15s", "2h", "500ms"),
 * so they can be handed to activity options unchanged. This parses them once, at the edge.
 * Workflows read durations here; the config schemas that check them are in duration-fields.ts, so
 * that workflow code builds no schema (see workflow-bundle.ts).
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration as configs write it: a number and a unit. */
export const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

export function durationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const isDuration = (text: string): boolean => DURATION.test(text.trim());

/**
 * How long "not found" right after a create means "not visible yet" (EC2 and AppStream are eventually
 * consistent): the pipelines' `waits.notFoundGrace`, and the fixed grace of waits no config sets.
 */
export const DEFAULT_NOT_FOUND_GRACE = '2m';
