/**
 * What Auto Scaling asks of EC2 and CloudWatch in its own account and Region. The sandbox's composition
 * (sandbox.ts) answers from their state, so that this folder imports neither service. Times are virtual ms;
 * an `at` before now means Auto Scaling catches up with what it would have done by then.
 */

export type Ec2InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export type RootVolumeTaskState = 'pending' | 'in-progress' | 'failing' | 'failing-detached' | 'succeeded' | 'failed' | 'failed-detached';

export interface ResolvedTemplate {
  templateId: string;
  templateName: string;
  versionNumber: number;
  /** The version's AMI and instance type, where it names them. */
  imageId?: string;
  instanceType?: string;
}

export interface FleetLaunch {
  templateId: string;
  /** `$Latest`, `$Default` or a number. */
  version: string;
  count: number;
  /** A mixed instances policy override's, instead of the version's. */
  imageId?: string;
  instanceType?: string;
  tags: Map<string, string>;
  at: number;
  runningAfterMs: number;
  notFoundWindowMs: number;
}

export interface LaunchedInstance {
  instanceId: string;
  imageId: string;
  instanceType: string;
}

export interface RootVolumeReplacement {
  at: number;
  pendingMs: number;
  inProgressMs: number;
  notFoundWindowMs: number;
}

export interface InstanceFleet {
  /** The launch template named by ID or name, with `version` resolved; undefined if either does not exist. */
  resolveTemplate(spec: { templateId?: string; templateName?: string; version: string }): ResolvedTemplate | undefined;
  /** An AMI the account can launch: how many block devices it maps (a ReplaceRootVolume refresh needs one); undefined if none such. */
  image(imageId: string): { volumes: number } | undefined;
  /** Throws EC2's ApiError if it cannot launch. */
  launch(request: FleetLaunch): LaunchedInstance[];
  terminate(instanceId: string, at: number, shutdownMs: number): void;
  stateOf(instanceId: string, now: number): Ec2InstanceState | undefined;
  /** The AMI of the instance's current root volume. */
  imageOf(instanceId: string): string | undefined;
  /** Starts an EC2 replace-root-volume task (the replaced volume deleted); its ID. */
  replaceRootVolume(instanceId: string, imageId: string, replacement: RootVolumeReplacement): string;
  rootVolumeTask(taskId: string, now: number): RootVolumeTaskState | undefined;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmBoard {
  /** The alarm's state and when it was last set; undefined if there is no such alarm. */
  alarm(name: string): { state: AlarmStateValue; updatedAt: number } | undefined;
}
