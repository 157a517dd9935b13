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

/** Per-action request counts, so tests and benchmarks can measure AWS call volume. */
export class CallCounter {
  private counts = emptyCounts();

  record(service: ServiceName, action: string, outcome: 'total' | 'throttled' | 'faulted'): void {
    const perService = this.counts[service];
    const count = (perService[action] ??= { total: 0, throttled: 0, faulted: 0 });
    count[outcome] += 1;
  }

  snapshot(): CallCounts {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = emptyCounts();
  }
}
