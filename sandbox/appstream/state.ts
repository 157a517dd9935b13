import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope, Tags } from '../core/state';
import type { Timeline } from '../core/timeline';

/**
 * AppStream 2.0 resources. AppStream addresses images and builders by name, so
 * the name is the key; a deleted resource stays in its map in state DELETED
 * (never shown) until a new one of the same name replaces it.
 */

/** The agent version the sandbox's AppStream ships now; older images report LatestAppstreamAgentVersion FALSE. */
export const LATEST_AGENT_VERSION = '11-10-2026';

/**
 * `DELETED` is internal: the resource is gone and describes no longer return it. COPYING is a
 * CopyImage copy's state in its destination Region until it is AVAILABLE (the source stays AVAILABLE).
 */
export type AppStreamImageState = 'PENDING' | 'COPYING' | 'AVAILABLE' | 'FAILED' | 'DELETING' | 'DELETED';

export type AppStreamVisibility = 'PUBLIC' | 'PRIVATE';

export type AppStreamPlatform = 'WINDOWS_SERVER_2019' | 'WINDOWS_SERVER_2022';

/** What UpdateImagePermissions grants another account for a private image. */
export interface ImagePermissions {
  allowFleet: boolean;
  allowImageBuilder: boolean;
}

/** Why a resource failed, split the way AppStream reports it: a state-change code and an error-list code. */
export interface AppStreamFailure {
  stateChangeCode: string;
  errorCode: string;
  message: string;
}

export interface AppStreamImageRecord {
  /** Creation order; the cursor that pagination tokens point at. */
  seq: number;
  name: string;
  arn: string;
  /** The owning account: AWS's for public images. */
  ownerId: string;
  visibility: AppStreamVisibility;
  platform: AppStreamPlatform;
  displayName?: string;
  description?: string;
  baseImageArn?: string;
  /** The accounts this private image is shared with (UpdateImagePermissions), and what each may do with it. */
  sharedWith: Map<string, ImagePermissions>;
  /** Virtual time (ms), as CreatedTime reports it. */
  createdAt: number;
  /** Wall-clock epoch ms, for the state dump. */
  createdWallAt: number;
  /** PublicBaseImageReleasedDate: the public base's release, inherited by private images. */
  baseReleasedAt: number;
  agentVersion: string;
  tags: Tags;
  /** Replaced by a fresh timeline at each transition (create, fail, delete). */
  lifecycle: Timeline<AppStreamImageState>;
  failure?: AppStreamFailure;
  /** Virtual time (ms) from which describes show a new image: AppStream, too, is eventually consistent. */
  visibleAt?: number;
  /** A CopyImage copy: the source image's ARN. A failed copy reports IMAGE_COPY_FAILURE. */
  copiedFrom?: string;
}

/** `DELETED` is internal, as for images. */
export type BuilderState = 'PENDING' | 'UPDATING_AGENT' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'DELETING' | 'FAILED' | 'DELETED';

export interface ImageBuilderRecord {
  seq: number;
  name: string;
  arn: string;
  imageArn: string;
  instanceType: string;
  platform: AppStreamPlatform;
  displayName?: string;
  description?: string;
  iamRoleArn?: string;
  enableDefaultInternetAccess?: boolean;
  vpcConfig?: { SubnetIds?: string[]; SecurityGroupIds?: string[] };
  createdAt: number;
  createdWallAt: number;
  agentVersion: string;
  tags: Tags;
  /**
   * One timeline per transition (create, start, stop, delete), so each one's
   * states appear once and "when was RUNNING reached" has one answer.
   */
  lifecycle: Timeline<BuilderState>;
  failure?: AppStreamFailure;
  /** An injected agent update that waits for the builder's next start. */
  agentUpdateOnNextStart?: boolean;
}

/** The platforms a fleet may run (botocore's PlatformType); an image's platform is one of them. */
export const FLEET_PLATFORMS = [
  'WINDOWS',
  'WINDOWS_SERVER_2016',
  'WINDOWS_SERVER_2019',
  'WINDOWS_SERVER_2022',
  'WINDOWS_SERVER_2025',
  'AMAZON_LINUX2',
  'RHEL8',
  'ROCKY_LINUX8',
  'UBUNTU_PRO_2404',
] as const;
export type FleetPlatform = (typeof FLEET_PLATFORMS)[number];

export const FLEET_TYPES = ['ALWAYS_ON', 'ON_DEMAND', 'ELASTIC'] as const;
export type FleetType = (typeof FLEET_TYPES)[number];

/** `DELETED` is internal, as for images. */
export type FleetState = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'DELETED';

/** A FleetErrors entry: a FleetErrorCode and a message. */
export interface FleetError {
  errorCode: string;
  message: string;
}

export interface FleetRecord {
  seq: number;
  name: string;
  arn: string;
  fleetType: FleetType;
  /** Always-On and On-Demand fleets stream from an image; Elastic fleets have none. */
  image?: { name: string; arn: string };
  platform: FleetPlatform;
  instanceType: string;
  /** ComputeCapacity.DesiredInstances; Elastic fleets have none. */
  desiredInstances?: number;
  /** Elastic fleets only. */
  maxConcurrentSessions?: number;
  displayName?: string;
  description?: string;
  maxUserDurationInSeconds: number;
  disconnectTimeoutInSeconds: number;
  idleDisconnectTimeoutInSeconds?: number;
  enableDefaultInternetAccess: boolean;
  streamView: 'APP' | 'DESKTOP';
  iamRoleArn?: string;
  vpcConfig?: { SubnetIds?: string[]; SecurityGroupIds?: string[] };
  createdAt: number;
  createdWallAt: number;
  tags: Tags;
  /** One timeline per transition (start, stop, delete), as for builders. */
  lifecycle: Timeline<FleetState>;
  /** Why the last start ended STOPPED; shown once it has, cleared by the next start. */
  errors: FleetError[];
  /** Set through the admin API: the next (or current) start ends STOPPED with this error. */
  startFailure?: FleetError;
}

/** The AppStream resources of one account in one Region. */
export class AppStreamResources {
  readonly images = new Map<string, AppStreamImageRecord>();
  readonly builders = new Map<string, ImageBuilderRecord>();
  private fleetMap?: Map<string, FleetRecord>;

  /** Made on first use, so a state saved before fleets existed (persistence/) restores with none. */
  get fleets(): Map<string, FleetRecord> {
    this.fleetMap ??= new Map();
    return this.fleetMap;
  }
  /** Image names for which CreateUpdatedImage finds updates; set through the admin API, none by default. */
  readonly updatesAvailable = new Set<string>();
}

/** The sandbox's state as one account in one Region sees AppStream: the shared clock and sequence, and its resources. */
export interface AppStreamState extends Chronicle {
  /** The caller's account and Region. */
  readonly scope: Scope;
  /** The caller's own resources in its Region. */
  readonly appStream: AppStreamResources;
  /** Every account's AppStream resources in the caller's Region, by account ID (its own too): where public and shared images are. */
  regionAppStream(): Map<string, AppStreamResources>;
  /** The caller's own AppStream resources in another Region (seeded first, as a Region is when first used): where CopyImage writes. */
  ownAppStreamIn(region: string): AppStreamResources;
}

/** Everything an AppStream action may read or change. */
export type AppStreamContext = ServiceContext<AppStreamState>;
