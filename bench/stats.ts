/** Small numeric helpers: nearest-rank percentiles and min/median/max spreads. */
import type { Lag, Spread } from './types';

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function spread(values: number[]): Spread | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: percentile(sorted, 50), max: sorted[sorted.length - 1]!, sampled: sorted.length };
}

export function lagStats(lagsMs: number[]): Lag | null {
  if (!lagsMs.length) return null;
  const sorted = [...lagsMs].sort((a, b) => a - b);
  const s = (ms: number) => Math.round(ms / 10) / 100;
  return { p50S: s(percentile(sorted, 50)), p99S: s(percentile(sorted, 99)), maxS: s(sorted[sorted.length - 1]!), samples: sorted.length };
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
