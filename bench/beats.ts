/**
 * Describes per beat, from a call count sampled about once a second while the waits run: the samples
 * that saw new calls, and how many fell into each poll interval. The copy waits' DescribeImages and the
 * refresh waits' DescribeInstanceRefreshes are both counted this way.
 */

import { sleep } from './bounded';

const SAMPLE_MS = 1_000;

/**
 * Reads `read` about once a second until `stop`, or until a reading meets `until` (or, should a
 * failing scenario never call stop, until `timeoutMs` has passed), and gives every reading with its time.
 */
export function sampleEverySecond<T>(read: () => Promise<T>, timeoutMs: number, until?: (reading: T) => boolean) {
  const samples: (T & { at: number })[] = [];
  let stopped = false;
  const deadline = Date.now() + timeoutMs;
  const done = (async () => {
    while (!stopped && Date.now() < deadline) {
      const reading = await read();
      samples.push({ ...reading, at: Date.now() });
      if (until?.(reading)) return;
      await sleep(SAMPLE_MS);
    }
  })();
  // A scenario that fails never calls stop(), and its stack goes away under the sampler: that error
  // is the scenario's to report, not a crash of the whole bench. stop() still rethrows it.
  done.catch(() => undefined);
  return {
    async stop(): Promise<(T & { at: number })[]> {
      stopped = true;
      await done;
      return samples;
    },
  };
}

/** A cumulative count of calls, sampled at `at`. */
export interface CountSample {
  at: number;
  count: number;
}

/** The samples that saw new calls, and how many. */
export function risesOf(samples: CountSample[]): { at: number; added: number }[] {
  return samples.flatMap((s, i) => {
    const added = s.count - (samples[i - 1]?.count ?? 0);
    return added > 0 ? [{ at: s.at, added }] : [];
  });
}

/**
 * The calls of each poll interval that saw any, counting intervals from the first one. The shared
 * watcher's beats are a little more than an interval apart, so each falls into an interval of its own;
 * per-run waits describe all through each interval.
 */
export function callsPerInterval(rises: { at: number; added: number }[], intervalMs: number): number[] {
  const perInterval = new Map<number, number>();
  for (const { at, added } of rises) {
    const interval = Math.floor((at - rises[0]!.at) / intervalMs);
    perInterval.set(interval, (perInterval.get(interval) ?? 0) + added);
  }
  return [...perInterval.values()];
}

/** Calls per beat over the samples: how many beats saw a call, the mean per beat, and the busiest. */
export function beatStats(
  samples: CountSample[],
  intervalMs: number,
): { beats: number; describesPerBeat: number; peakDescribesPerBeat: number } | null {
  const perBeat = callsPerInterval(risesOf(samples), intervalMs);
  if (!perBeat.length) return null;
  const total = perBeat.reduce((a, b) => a + b, 0);
  return {
    beats: perBeat.length,
    describesPerBeat: Math.round((total / perBeat.length) * 10) / 10,
    peakDescribesPerBeat: Math.max(...perBeat),
  };
}
