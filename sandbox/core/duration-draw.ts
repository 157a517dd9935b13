/**
 * Per-resource durations drawn from `config.durationRanges`, for benchmarks where every AMI should take
 * its own time (20–60 s, say) rather than all finish in the same instant. Without a range for a kind,
 * the fixed `config.durations` value is used, exactly as before.
 *
 * Draws are deterministic: the k-th resource of a kind since the last reset gets the k-th value of a
 * seeded sequence, so two benchmark runs (or two modes of one run) see the same durations.
 */
import type { SandboxConfig } from './config';
import type { DurationKind } from './profiles';
import type { Chronicle, SharedState } from './state';

/** Counters live beside the state, not in it: a reset makes a new state, which restarts the sequence. */
const drawsByState = new WeakMap<SharedState, Map<DurationKind, number>>();

export function drawDuration(state: Chronicle, config: SandboxConfig, kind: DurationKind): number {
  const range = config.durationRanges?.[kind];
  if (!range) return config.durations[kind];
  const draws = drawsByState.get(state.shared) ?? new Map<DurationKind, number>();
  drawsByState.set(state.shared, draws);
  const k = draws.get(kind) ?? 0;
  draws.set(kind, k + 1);
  const [min, max] = range;
  return Math.round(min + unitInterval(config.durationSeed ?? 0, kind, k) * (max - min));
}

/** A uniform number in [0, 1) from (seed, kind, k): a string hash mixed by splitmix32. */
function unitInterval(seed: number, kind: string, k: number): number {
  let h = seed >>> 0;
  for (const ch of `${kind}#${k}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1) >>> 0;
  h = (h + 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}
