/**
 * What one service of an account asks of another (Auto Scaling of EC2), defined once here so that
 * neither service imports the other: EC2 uses these types for its own records, and Auto Scaling's
 * neighbours port (autoscaling/neighbours.ts) speaks them. Times are virtual ms.
 */

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export type RootVolumeTaskState = 'pending' | 'in-progress' | 'failing' | 'failing-detached' | 'succeeded' | 'failed' | 'failed-detached';

/** When an instance is launched, how long it stays pending, and how long describes do not see it yet. */
export interface LaunchTiming {
  at: number;
  runningAfterMs: number;
  notFoundWindowMs: number;
}

/** Instances another service has EC2 launch from a launch template version. */
export interface ServiceLaunch extends LaunchTiming {
  templateId: string;
  /** `$Latest`, `$Default` or a version number. */
  version: string;
  count: number;
  /** A mixed instances policy's overrides of the version's data. */
  imageId?: string;
  instanceType?: string;
  /** Tags for the instances, besides the launch template's system tags. */
  tags: Map<string, string>;
}
