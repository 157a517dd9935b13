import { SERVICE_NAMES, type ServiceName } from './faults';

export interface CallCount {
  total: number;
  throttled: number;
  faulted: number;
}

export type CallCounts = Record<ServiceName, Record<string, CallCount>>;

function emptyCounts(): CallCounts {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, {}])) as CallCounts;
}

/**
 * Per-action request counts, so tests and benchmarks can measure AWS call volume: in all, and per
 * account and Region (the key of `scopeKey`), to show what a run asked of each Region.
 */
export class CallCounter {
  private counts = emptyCounts();
  private perScope = new Map<string, CallCounts>();

  record(service: ServiceName, action: string, outcome: 'total' | 'throttled' | 'faulted', scope: string): void {
    for (const counts of [this.counts, this.scoped(scope)]) {
      const count = (counts[service][action] ??= { total: 0, throttled: 0, faulted: 0 });
      count[outcome] += 1;
    }
  }

  /** All calls, or those of one account and Region. */
  snapshot(scope?: string): CallCounts {
    return structuredClone(scope === undefined ? this.counts : (this.perScope.get(scope) ?? emptyCounts()));
  }

  reset(): void {
    this.counts = emptyCounts();
    this.perScope.clear();
  }

  private scoped(scope: string): CallCounts {
    let counts = this.perScope.get(scope);
    if (!counts) this.perScope.set(scope, (counts = emptyCounts()));
    return counts;
  }
}
