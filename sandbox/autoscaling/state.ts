import type { SandboxConfig } from '../core/config';
import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope } from '../core/state';
import type { Timeline } from '../core/timeline';
import type { AlarmBoard, InstanceFleet } from './neighbours';

/** EC2 Auto Scaling's groups and instance refreshes in one account and Region. */

/** A launch template as a group or a refresh names it: resolved to its ID and name, the version as given. */
export interface TemplateRef {
  templateId: string;
  templateName: string;
  /** `$Latest`, `$Default` or a version number, as given. */
  version: string;
}

/** One of a mixed instances policy's overrides (the members the sandbox acts on). */
export interface TemplateOverride {
  instanceType?: string;
  /** The AMI instances of this override launch from, and a ReplaceRootVolume refresh puts on their root volumes. */
  imageId?: string;
  weightedCapacity?: string;
}

/** Where a group's instances come from: a launch template, or a mixed instances policy (its template and overrides). */
export interface LaunchSource {
  template: TemplateRef;
  /** Present for a mixed instances policy (possibly empty), absent for a plain launch template. */
  overrides?: TemplateOverride[];
  /** A mixed instances policy's InstancesDistribution, as given (echoed back; the sandbox launches On-Demand only). */
  distribution?: Record<string, string | number>;
}

export interface GroupTag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

export type HealthStatus = 'Healthy' | 'Unhealthy';

/** An instance of a group, as Auto Scaling tracks it; EC2 holds the instance itself. */
export interface GroupMember {
  instanceId: string;
  instanceType: string;
  /** The template and the version number the instance runs (launched from, or moved to by a root volume replacement). */
  template: { templateId: string; templateName: string; versionNumber: number };
  /**
   * The AMI the instance was launched with (an override's) or given by a root volume replacement: set only for
   * those, the instances DescribeAutoScalingGroups reports an ImageId for.
   */
  imageId?: string;
  /** Virtual ms from which the instance fails its health check (the admin API's `autoscaling/unhealthy`). */
  unhealthySince?: number;
  /** The EC2 replace-root-volume task a ReplaceRootVolume refresh runs on the instance. */
  rootVolumeTaskId?: string;
}

export interface GroupRecord {
  /** Creation order: DescribeAutoScalingGroups' pagination cursor. */
  seq: number;
  name: string;
  arn: string;
  createdAt: number;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launch: LaunchSource;
  availabilityZones: string[];
  vpcZoneIdentifier?: string;
  healthCheckType: string;
  healthCheckGracePeriod: number;
  defaultInstanceWarmup?: number;
  tags: GroupTag[];
  /** In launch order. */
  members: GroupMember[];
}

export const REFRESH_STATUSES = [
  'Pending',
  'InProgress',
  'Successful',
  'Failed',
  'Cancelling',
  'Cancelled',
  'RollbackInProgress',
  'RollbackFailed',
  'RollbackSuccessful',
  'Baking',
] as const;
export type RefreshStatus = (typeof REFRESH_STATUSES)[number];

/** The statuses in which a refresh still acts: a group has at most one such refresh. */
export const ACTIVE_REFRESH_STATUSES: ReadonlySet<RefreshStatus> = new Set([
  'Pending',
  'InProgress',
  'Cancelling',
  'RollbackInProgress',
  'Baking',
]);

export type RefreshStrategy = 'Rolling' | 'ReplaceRootVolume';

/** StartInstanceRefresh's Preferences, with AWS's defaults filled in where it has them. */
export interface RefreshPreferences {
  minHealthyPercentage: number;
  maxHealthyPercentage?: number;
  instanceWarmup?: number;
  checkpointPercentages?: number[];
  checkpointDelay?: number;
  skipMatching: boolean;
  autoRollback: boolean;
  alarms?: string[];
  scaleInProtectedInstances: 'Refresh' | 'Ignore' | 'Wait';
  standbyInstances: 'Terminate' | 'Ignore' | 'Wait';
  bakeTime?: number;
}

/** How long a refresh's steps take (ms), fixed from the profile when it starts. */
export interface RefreshTiming {
  startMs: number;
  /** pending → running, and shutting-down → terminated (the profile's `instance`). */
  instanceMs: number;
  rootVolumePendingMs: number;
  rootVolumeInProgressMs: number;
  /** One second of InstanceWarmup, CheckpointDelay and BakeTime. */
  secondMs: number;
  notFoundWindowMs: number;
}

/**
 * A batch of replacements under way: Rolling launches `launched` and terminates `old` (those in
 * `terminateWhenReady` once the new ones are ready); ReplaceRootVolume replaces the root volume of `old` in place.
 */
export interface RefreshBatch {
  /** Toward the desired configuration, or back to the previous one (a rollback's). */
  direction: 'forward' | 'back';
  old: string[];
  launched: string[];
  terminateWhenReady: string[];
  /** Virtual ms the launches and root volume replacements are done (instances InService). */
  settledAt: number;
  /** Virtual ms the batch's instances have also warmed up. */
  readyAt: number;
}

/**
 * What the refresh does next: `forward` replaces instances toward the desired configuration (waiting at
 * checkpoints and baking at the end), `rollback` puts the replaced ones back, `cancel` lets the batch under
 * way finish and stops, `settle` lets it finish after the refresh failed. `done` once it has ended.
 */
export type RefreshCourse = 'forward' | 'checkpoint' | 'baking' | 'rollback' | 'cancel' | 'settle' | 'done';

export interface RollbackRecord {
  reason: string;
  startedAt: number;
  percentageCompleteOnRollback: number;
  instancesToUpdateOnRollback: number;
}

export interface RefreshRecord {
  seq: number;
  id: string;
  groupName: string;
  strategy: RefreshStrategy;
  status: RefreshStatus;
  statusReason?: string;
  startedAt: number;
  endedAt?: number;
  /** DesiredConfiguration as given (absent: the group's own configuration). */
  desired?: LaunchSource;
  /** The configuration instances move to: `desired`, or the group's at the start. */
  target: LaunchSource;
  /** `target`'s launch template version, resolved when the refresh started. */
  targetVersionNumber: number;
  /** The group's configuration at the start: what a rollback returns to. */
  previous: LaunchSource;
  preferences: RefreshPreferences;
  timing: RefreshTiming;
  /** How many instances the refresh covers: the group's at the start. */
  total: number;
  /** Instances that already matched (SkipMatching). */
  skipped: number;
  /** Old instances still to replace, in order. */
  pending: string[];
  /** Instances on the desired configuration because of this refresh: new ones (Rolling), or the replaced ones (ReplaceRootVolume). */
  updated: string[];
  /** Instances a rollback has put back on the previous configuration. */
  restored: string[];
  /** ReplaceRootVolume: each replaced instance's AMI before, for a rollback. */
  previousImages: Record<string, string>;
  batch?: RefreshBatch;
  /** Index of the next checkpoint not reached yet. */
  nextCheckpoint: number;
  course: RefreshCourse;
  /** Virtual ms of the last step taken: nothing that happens later can reach back before it. */
  actedAt: number;
  /** When the refresh next acts; "advance" moves it like every transition. */
  wake: Timeline<'waiting' | 'due'>;
  rollback?: RollbackRecord;
}

/** Instances to fail their health check once they are launched: by group, or (`group` absent) the next one anywhere. */
export interface UnhealthyPlan {
  group?: string;
}

export class AutoScalingResources {
  readonly groups = new Map<string, GroupRecord>();
  readonly refreshes = new Map<string, RefreshRecord>();
  readonly unhealthyPlans: UnhealthyPlan[] = [];
}

/** The sandbox's state as one account in one Region sees Auto Scaling, with what it asks of EC2 and CloudWatch there. */
export interface AutoScalingState extends Chronicle {
  readonly scope: Scope;
  readonly autoScaling: AutoScalingResources;
  readonly instanceFleet: InstanceFleet;
  readonly alarmBoard: AlarmBoard;
}

export type AutoScalingContext = ServiceContext<AutoScalingState>;

/** The timing a refresh (or a group's first launch) takes from the profile in force. */
export function refreshTiming(config: SandboxConfig): RefreshTiming {
  const d = config.durations;
  return {
    startMs: d.instanceRefreshStart,
    instanceMs: d.instance,
    rootVolumePendingMs: d.replaceRootVolumePending,
    rootVolumeInProgressMs: d.replaceRootVolumeInProgress,
    secondMs: d.instanceRefreshSecond,
    notFoundWindowMs: config.notFoundWindowMs,
  };
}
