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

/** `DELETED` is internal: the resource is gone and describes no longer return it. */
export type AppStreamImageState = 'PENDING' | 'AVAILABLE' | 'FAILED' | 'DELETING' | 'DELETED';

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

/** The AppStream resources of one account in one Region. */
export class AppStreamResources {
  readonly images = new Map<string, AppStreamImageRecord>();
  readonly builders = new Map<string, ImageBuilderRecord>();
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
}

/** Everything an AppStream action may read or change. */
export type AppStreamContext = ServiceContext<AppStreamState>;
