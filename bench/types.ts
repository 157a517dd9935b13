/** The shape of one benchmark row: what `npm run bench` prints, and what results.json holds. */
import type { CallCount } from '@golden-image/aws-sandbox';
import type { ProcStats } from './proc-stats';

export type BenchMode = 'shared' | 'per-run' | 'sdk-waiter';
type ScenarioKind = 'ami' | 'rollout' | 'groups';

export interface Spread {
  min: number;
  median: number;
  max: number;
  sampled: number;
}

/** Detection lag: from a resource becoming ready in the sandbox to the end of the stage that waited for it. */
export interface Lag {
  p50S: number;
  p99S: number;
  maxS: number;
  samples: number;
}

/** A group of runs' lag in parts, averaged (bench/lag-split.ts says where each part begins and ends). */
export interface LagParts {
  runs: number;
  lagS: number;
  untilPollS: number;
  inPollS: number;
  toWorkflowS: number;
}

/** The lag of the slowest 1% of runs (behind the p99) and of as many around the median, in parts. */
export interface LagSplit {
  tail: LagParts;
  median: LagParts;
}

export interface ScenarioResult {
  scenario: ScenarioKind;
  mode: BenchMode;
  /** Concurrent AMI pipelines, instances in the rollout, or Auto Scaling groups refreshed. */
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
  lag: Lag | null;
  lagSplit: LagSplit | null;
  historyEvents: Spread | null;
  /** Attempts of the wait activity (polls), from the sampled histories. */
  pollsPerWait: Spread | null;
  /** Worker processes on the scenario's task queue (0 in mode c, which has none). */
  workers: number;
  /** Each worker's peak RSS and CPU; workerPeakRssMiB is the largest of them, workerCpuS their sum. */
  perWorker: ProcStats[];
  workerPeakRssMiB: number | null;
  workerCpuS: number | null;
  /**
   * The waits' describes per beat: the image waits' DescribeImages once every create was done (AMI
   * scenarios), or every DescribeReplaceRootVolumeTasks (the rollout); null for the others.
   */
  waitBeats: { beats: number; describesPerBeat: number; peakDescribesPerBeat: number } | null;
  /**
   * The makespan EC2's buckets allow (AMI scenarios): every create sent at the mutating bucket's refill
   * rate after its burst, plus the slowest image, plus one poll interval to see it.
   */
  makespanBoundS: number | null;
  serverCpuS: number;
  /** The bench process: the in-process sandbox, the Temporal client, and the SDK waiters in mode c. */
  benchCpuS: number;
  /** The rollout scenario's histories: the pipeline's run, and each run of its rollout workflow (continue-as-new); null for the others. */
  rolloutHistory: { pipelineEvents: number; runs: number; longestRunEvents: number } | null;
  /** Per copy Region, when the pipelines distribute (`--copy-regions`); null otherwise. */
  copies: RegionCopies[] | null;
  /** From each run's last copy becoming available to the end of its distribute stage; null without copies. */
  copyLag: Lag | null;
  /** The instance refreshes of a rollout onto Auto Scaling groups (`--groups`); null otherwise. */
  refreshes: GroupRefreshes | null;
  notes: string[];
}

/** What the refresh waits of a rollout onto Auto Scaling groups cost, and how late they saw each refresh settle. */
export interface GroupRefreshes {
  /** The same groups refreshed by one pipeline (all at once) or by one pipeline each. */
  pipelines: number;
  groups: number;
  /** Instances in the groups, every one of them replaced. */
  instances: number;
  /** Every DescribeInstanceRefreshes request, throttled ones included: the preflight's and each start's look-up, and the waits'. */
  describeInstanceRefreshes: number;
  /** The waits' share: all but one look-up per group in the preflight and one before each StartInstanceRefresh. */
  waitDescribes: number;
  /** Poll intervals of the waits, counted from their first describe, that saw one. */
  beats: number;
  /** The waits' describes per beat: on average, and in the busiest one. */
  describesPerBeat: number;
  peakDescribesPerBeat: number;
  /** The waits' describes in each beat, in order. */
  describesByBeat: number[];
  /** The waits' describes per group and poll interval waited (each group from its refresh's start to the run seeing it settle). */
  describesPerGroupBeat: number;
  describeAutoScalingGroups: number;
  startInstanceRefresh: number;
  /** Throttled Auto Scaling requests, describes and the rest. */
  throttledDescribe: number;
  throttledMutating: number;
  /** Seconds from the first refresh starting to the last one settling: the floor under the waits. */
  refreshesS: number;
  /** From a refresh settling (the sandbox's end) to the run's wait seeing it (its activity's completion), per group. */
  lag: Lag | null;
  calls: Record<string, CallCount>;
}

/** What the copies cost in one destination Region: the CopyImage calls and the copy waits' DescribeImages. */
export interface RegionCopies {
  region: string;
  /** Every DescribeImages request in this Region (all of them the copy waits'), throttled ones included. */
  describeImages: number;
  /** Poll intervals of the copy waits, counted from the first DescribeImages here, that saw a DescribeImages here. */
  beats: number;
  /** DescribeImages per beat: on average, and in the busiest one. */
  describesPerBeat: number;
  peakDescribesPerBeat: number;
  /** Throttled Describe* requests in this Region, and throttled CopyImage requests (its own bucket: 100, refilled at 1 a second). */
  throttledDescribe: number;
  copyImageCalls: number;
  throttledCopyImage: number;
  /** Seconds from the first DescribeImages here to the last. */
  copyWaitsS: number;
  /**
   * Seconds from the scenario's start to the last copy here becoming available: the floor under the
   * makespan, set by when each run's wait-available ended and which copy durations it drew (in creation order).
   */
  lastReadyS: number;
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
  /** What was measured, or why nothing was. */
  measured: string;
  status: 'met' | 'missed' | 'not measured';
}
