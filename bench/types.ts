/** The shape of one benchmark row: what `npm run bench` prints, and what results.json holds. */
import type { CallCount } from '@golden-image/aws-sandbox';

export type BenchMode = 'shared' | 'per-run' | 'sdk-waiter';
type ScenarioKind = 'ami' | 'rollout';

export interface Spread {
  min: number;
  median: number;
  max: number;
  sampled: number;
}

export interface ScenarioResult {
  scenario: ScenarioKind;
  mode: BenchMode;
  /** Concurrent AMI pipelines, or instances in the rollout. */
  n: number;
  succeeded: number;
  failed: number;
  /** Every EC2 Describe* request the sandbox received, throttled ones included. */
  describeCalls: number;
  mutatingCalls: number;
  throttledDescribe: number;
  throttledMutating: number;
  /** Throttled describes after the last create finished: the waits' own share. */
  throttledDescribeDuringWaits: number | null;
  calls: Record<string, CallCount>;
  makespanS: number;
  lag: { p50S: number; p99S: number; maxS: number; samples: number } | null;
  historyEvents: Spread | null;
  /** Attempts of the wait activity (polls), from the sampled histories. */
  pollsPerWait: Spread | null;
  workerPeakRssMiB: number | null;
  workerCpuS: number | null;
  serverCpuS: number;
  /** The bench process: the in-process sandbox, the Temporal client, and the SDK waiters in mode c. */
  benchCpuS: number;
  notes: string[];
}

export interface HistoryProbe {
  onePoll: { events: number; polls: number };
  longPoll: { events: number; polls: number };
}

export interface BenchResults {
  startedAt: string;
  durationS: number;
  machine: { cpus: number; memGiB: number; node: string };
  settings: Record<string, unknown>;
  scenarios: ScenarioResult[];
  historyProbe: HistoryProbe | null;
  targets: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}
