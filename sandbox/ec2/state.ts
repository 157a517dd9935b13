import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope, Tags } from '../core/state';
import type { Timeline } from '../core/timeline';
import type { InstanceState, RootVolumeTaskState } from '../core/cross-service';
import type { Visibility } from './consistency';

/** EC2's resources and their records. */

/** Each account's default VPC and its default subnet in the one Availability Zone the sandbox has in a Region (same IDs everywhere). */
export const DEFAULT_VPC_ID = 'vpc-0a1b2c3d4e5f60001';
export const DEFAULT_SUBNET_ID = 'subnet-0a1b2c3d4e5f60001';

export interface StateReason {
  code: string;
  message: string;
}

export interface EbsMapping {
  deviceName: string;
  snapshotId: string;
  volumeSize: number;
  volumeType: string;
  deleteOnTermination: boolean;
  /** MiB/s; echoed back by DescribeImages and DescribeVolumes. */
  volumeInitializationRate?: number;
  /** Set on CopyImage's encrypted copies (and copies of encrypted snapshots). */
  encrypted?: boolean;
}

export type Platform = 'windows' | 'linux';

export type ImageState = 'pending' | 'available' | 'failed';

export type BootMode = 'legacy-bios' | 'uefi' | 'uefi-preferred';

/** One entry of an AMI's launch permission list, as ModifyImageAttribute sets it: exactly one member is present. */
export interface LaunchPermission {
  userId?: string;
  group?: 'all';
  organizationArn?: string;
  organizationalUnitArn?: string;
}

export interface ImageRecord {
  /** Creation order; the cursor that pagination tokens point at. */
  seq: number;
  id: string;
  name: string;
  description?: string;
  ownerId: string;
  ownerAlias?: string;
  /** Who else may launch it: `group: 'all'` makes the image public. */
  launchPermissions: LaunchPermission[];
  platform: Platform;
  architecture: string;
  rootDeviceName: string;
  blockDeviceMappings: EbsMapping[];
  tags: Tags;
  createdAt: number;
  lifecycle: Timeline<ImageState>;
  visibility: Visibility;
  stateReason?: StateReason;
  sourceInstanceId?: string;
  /** Omitted from DescribeImages when unset, as in EC2; CreateImage copies them from the instance's AMI. */
  bootMode?: BootMode;
  tpmSupport?: 'v2.0';
  imdsSupport?: 'v2.0';
  /** When the AMI is (or was) deprecated; AWS sets two years after creation on public AMIs. */
  deprecationTime?: number;
  /** Set by DeregisterImage: DescribeImages by ID still shows the image, `deregistered`, until it is `dropped`. */
  deregistered?: Timeline<'shown' | 'dropped'>;
  disabled: boolean;
  /** EnableImageDeregistrationProtection; DeregisterImage is refused while it holds. */
  deregistrationProtection?: DeregistrationProtection;
  /** CopyImage: where the copy came from. */
  sourceImageId?: string;
  sourceImageRegion?: string;
}

/**
 * Deregistration protection: on (with or without the 24-hour cooldown), or switched off with the cooldown
 * running until `until` (epoch ms), during which DeregisterImage is still refused.
 */
export type DeregistrationProtection = { enabled: true; withCooldown: boolean } | { enabled: false; until: number };

export type SnapshotState = 'pending' | 'completed' | 'error';

export interface SnapshotRecord {
  seq: number;
  id: string;
  volumeId: string;
  volumeSize: number;
  ownerId: string;
  ownerAlias?: string;
  description: string;
  /** Restorable by every account (the public base AMIs' snapshots): describes of other accounts list it. */
  isPublic: boolean;
  encrypted?: boolean;
  /** The KMS key of an encrypted snapshot, as the request named it (ID, alias or ARN). */
  kmsKeyId?: string;
  tags: Tags;
  createdAt: number;
  lifecycle: Timeline<SnapshotState>;
  visibility: Visibility;
}

export interface InstanceDevice {
  deviceName: string;
  volumeId: string;
  deleteOnTermination: boolean;
}

export interface MetadataOptions {
  httpTokens: 'optional' | 'required';
  httpPutResponseHopLimit: number;
  httpEndpoint: 'enabled' | 'disabled';
  httpProtocolIpv6: 'enabled' | 'disabled';
  instanceMetadataTags: 'enabled' | 'disabled';
}

export interface InstanceRecord {
  seq: number;
  id: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  platform: Platform;
  architecture: string;
  rootDeviceName: string;
  launchTime: number;
  amiLaunchIndex: number;
  privateIpAddress: string;
  /** Allocated at launch unless the request declined one; reported only while the instance holds it. */
  publicIpAddress?: string;
  subnetId: string;
  metadataOptions: MetadataOptions;
  clientToken?: string;
  tags: Tags;
  devices: InstanceDevice[];
  lifecycle: Timeline<InstanceState>;
  visibility: Visibility;
}

export interface VolumeRecord {
  seq: number;
  id: string;
  size: number;
  volumeType: string;
  snapshotId?: string;
  volumeInitializationRate?: number;
  createdAt: number;
  tags: Tags;
  attachment?: { instanceId: string; device: string; deleteOnTermination: boolean; attachTime: number };
}

/** The launch template data the sandbox keeps (what the pipelines and fast launch read); the rest is accepted and dropped. */
export interface LaunchTemplateData {
  imageId?: string;
  instanceType?: string;
}

export interface LaunchTemplateVersionRecord {
  /** Creation order across every template: DescribeLaunchTemplateVersions' pagination cursor. */
  seq: number;
  number: number;
  description?: string;
  data: LaunchTemplateData;
  createdAt: number;
}

export interface LaunchTemplateRecord {
  seq: number;
  id: string;
  name: string;
  /** Version 1 first; numbers run 1, 2, … in creation order. */
  versions: LaunchTemplateVersionRecord[];
  defaultVersion: number;
  tags: Tags;
  createdAt: number;
}

/** What a ClientToken was first used for, so that a retry gets the same answer and a reuse with other parameters is refused. */
export interface IdempotentRequest {
  /** The request's parameters (ClientToken and DryRun aside), as Ec2Params.fingerprint() writes them. */
  fingerprint: string;
  /** The ID (or version) the first request answered with. */
  result: string;
}

/** `disabled` is the sandbox's end state: EC2 then stops listing the image at all. */
export type FastLaunchState = 'enabling' | 'enabling-failed' | 'enabled' | 'enabled-failed' | 'disabling' | 'disabling-failed' | 'disabled';

export interface FastLaunchRecord {
  seq: number;
  imageId: string;
  ownerId: string;
  targetResourceCount: number;
  maxParallelLaunches: number;
  launchTemplate?: { id: string; name: string; version: string };
  lifecycle: Timeline<FastLaunchState>;
  visibility: Visibility;
  /** StateTransitionReason for each state entered (EC2 reports one per transition). */
  reasons: Partial<Record<FastLaunchState, string>>;
}

export interface ReplaceRootVolumeTaskRecord {
  seq: number;
  id: string;
  instanceId: string;
  clientToken: string;
  imageId?: string;
  snapshotId?: string;
  deleteReplacedRootVolume: boolean;
  volumeInitializationRate?: number;
  tags: Tags;
  startedAt: number;
  lifecycle: Timeline<RootVolumeTaskState>;
  visibility: Visibility;
  /** Why an injected failure failed it (EC2 itself reports no reason for tasks). */
  failure?: StateReason;
  /** True once the task's outcome has been applied to the instance and its volumes. */
  settled: boolean;
  /** The replacement root volume, once the task has succeeded. */
  newVolumeId?: string;
}

/** The EC2 resources of one account in one Region. */
export class Ec2Resources {
  readonly images = new Map<string, ImageRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  /** RunInstances ClientToken → the reservation's ID. */
  readonly reservationsByClientToken = new Map<string, IdempotentRequest>();
  readonly launchTemplates = new Map<string, LaunchTemplateRecord>();
  /** Fast-launch settings by image ID: EC2 keeps one per image. */
  readonly fastLaunch = new Map<string, FastLaunchRecord>();
  readonly replaceRootVolumeTasks = new Map<string, ReplaceRootVolumeTaskRecord>();
  /** CreateReplaceRootVolumeTask ClientToken → the task's ID. */
  readonly replaceRootVolumeTasksByClientToken = new Map<string, IdempotentRequest>();
  /** CopyImage ClientToken → the copy's image ID. */
  readonly copyImageByClientToken = new Map<string, IdempotentRequest>();
  /** CreateLaunchTemplateVersion ClientToken → `<template ID>:<version>`. */
  readonly launchTemplateVersionsByClientToken = new Map<string, IdempotentRequest>();
}

/** The sandbox's state as one account in one Region sees EC2: the shared clock and sequence, and its resources. */
export interface Ec2State extends Chronicle {
  /** The caller's account and Region. */
  readonly scope: Scope;
  /** The caller's own resources in its Region. */
  readonly ec2: Ec2Resources;
  /**
   * The EC2 resources of every account in the caller's Region (its own too): where public and shared
   * images are. Another Region's (CopyImage's source Region), seeded with AWS's public AMIs if new.
   */
  regionEc2(region?: string): Ec2Resources[];
}

/** Everything an EC2 action may read or change. */
export type Ec2Context = ServiceContext<Ec2State>;
