/**
 * What Auto Scaling asks of EC2 and CloudWatch in its own account and Region. The sandbox's composition
 * (sandbox.ts) answers from their state, so that this folder imports neither service. Times are virtual ms;
 * an `at` before now means Auto Scaling catches up with what it would have done by then.
 */

import type { InstanceState, RootVolumeTaskState, ServiceLaunch } from '../core/cross-service';

export interface ResolvedTemplate {
  templateId: string;
  templateName: string;
  versionNumber: number;
  /** The version's AMI and instance type, where it names them. */
  imageId?: string;
  instanceType?: string;
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
  launch(request: ServiceLaunch): LaunchedInstance[];
  terminate(instanceId: string, at: number, shutdownMs: number): void;
  stateOf(instanceId: string, now: number): InstanceState | undefined;
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
