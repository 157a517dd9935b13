import { applyMappingRequest, ebsMappingXml, readMappingRequests, type MappingRequest } from './block-devices';
import { describeAction } from './describe';
import { isImageVisible, requireDescribableImages, requireInstances, requireRegisteredImage } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, isoSeconds, platformDetails, tagSetXml } from './render';
import { newVisibility } from './consistency';
import { drawDuration } from '../core/duration-draw';
import { createSnapshot } from './storage';
import { ApiError } from '../core/errors';
import type { FailureReason } from '../core/failures';
import type { FilterTable } from './filters';
import { newId } from '../core/ids';
import type { XmlObject } from '../core/query-protocol';
import { findUsableImage, isPublicImage, isSharedWith, usableImages } from './image-access';
import type { EbsMapping, ImageRecord, ImageState, InstanceRecord, Ec2State, Ec2Context, SnapshotRecord } from './state';
import { deregistrationProtectionText, refuseIfProtected } from './image-protection';

/** AMIs: CreateImage, DescribeImages, DeregisterImage (CopyImage is in image-copy.ts). */

const IMAGE_NAME_PATTERN = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;

export function validateImageName(name: string): void {
  if (!IMAGE_NAME_PATTERN.test(name)) {
    throw new ApiError(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/', '_', '[', ']', ' ', "'" and '@'. Got: ${name}`,
    );
  }
}

export function imageState(image: ImageRecord, now: number): ImageState | 'disabled' | 'deregistered' {
  if (image.deregistered) return 'deregistered';
  return image.disabled ? 'disabled' : image.lifecycle.stateAt(now);
}

function imageXml(image: ImageRecord, now: number): XmlObject {
  const state = imageState(image, now);
  return {
    imageId: image.id,
    imageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
    imageState: state,
    imageOwnerId: image.ownerId,
    creationDate: isoSeconds(image.createdAt),
    isPublic: isPublicImage(image),
    architecture: image.architecture,
    imageType: 'machine',
    platform: image.platform === 'windows' ? 'windows' : undefined,
    ...platformDetails(image.platform),
    imageOwnerAlias: image.ownerAlias,
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDeviceMappings.map(ebsMappingXml),
    virtualizationType: 'hvm',
    tagSet: tagSetXml(image.tags),
    hypervisor: 'xen',
    enaSupport: true,
    sriovNetSupport: 'simple',
    bootMode: image.bootMode,
    tpmSupport: image.tpmSupport,
    deprecationTime: image.deprecationTime === undefined ? undefined : isoSeconds(image.deprecationTime),
    imdsSupport: image.imdsSupport,
    sourceInstanceId: image.sourceInstanceId,
    deregistrationProtection: deregistrationProtectionText(image, now),
    sourceImageId: image.sourceImageId,
    sourceImageRegion: image.sourceImageRegion,
    stateReason: state === 'failed' && image.stateReason ? { ...image.stateReason } : undefined,
  };
}

/** Makes an image end in `failed` (and its snapshots in `error`) when its build finishes. */
export function failImage(state: Ec2State, image: ImageRecord, reason: FailureReason): void {
  image.lifecycle.setFinalState('failed');
  image.stateReason = { ...reason };
  for (const mapping of image.blockDeviceMappings) {
    const snapshot = state.ec2.snapshots.get(mapping.snapshotId);
    // The image's own snapshots (made by its CreateImage or CopyImage), not a shared one.
    if (snapshot && madeForImage(snapshot, image.id)) snapshot.lifecycle.setFinalState('error');
  }
}

/** The descriptions EC2 gives the snapshots CreateImage and CopyImage make for a new AMI. */
export function madeForImage(snapshot: SnapshotRecord, imageId: string): boolean {
  return snapshot.description.endsWith(`for ${imageId}`) || snapshot.description.startsWith(`Copied for DestinationAmi ${imageId} `);
}

/** The instance's devices as an image would capture them, with the request's changes applied. */
function capturedDevices(state: Ec2State, instance: InstanceRecord, requests: MappingRequest[]): Omit<EbsMapping, 'snapshotId'>[] {
  const byDevice = new Map(requests.map((r) => [r.deviceName, r]));
  const fromInstance = instance.devices.map((d) => {
    const volume = state.ec2.volumes.get(d.volumeId);
    const device = {
      deviceName: d.deviceName,
      volumeSize: volume?.size ?? 8,
      volumeType: volume?.volumeType ?? 'gp3',
      deleteOnTermination: d.deleteOnTermination,
    };
    return applyMappingRequest(device, byDevice.get(d.deviceName));
  });
  const added = requests
    .filter((r) => !r.noDevice && !instance.devices.some((d) => d.deviceName === r.deviceName))
    .map((r) =>
      applyMappingRequest({ deviceName: r.deviceName, volumeSize: r.volumeSize ?? 8, volumeType: 'gp3', deleteOnTermination: true }, r),
    );
  const removed = new Set(requests.filter((r) => r.noDevice).map((r) => r.deviceName));
  return [...fromInstance, ...added].filter((d) => !removed.has(d.deviceName));
}

/** AMI names are unique per account and Region: the caller's own images are all in its scope. */
export function refuseDuplicateName(state: Ec2State, name: string): void {
  const duplicate = [...state.ec2.images.values()].find((i) => !i.deregistered && i.name === name);
  if (duplicate) throw new ApiError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${duplicate.id}`);
}

function createImage(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state, config } = ctx;
  const instanceId = params.requiredString('InstanceId');
  const name = params.requiredString('Name');
  validateImageName(name);
  const description = params.string('Description');
  // NoReboot is accepted; the sandbox never reboots the instance either way.
  params.bool('NoReboot');
  const requests = readMappingRequests(params);
  const tagSpecs = params.tagSpecifications(['image', 'snapshot']);
  const [instance] = requireInstances(state, [instanceId]);
  dryRunGate(params);

  const now = state.clock.now();
  const instanceState = instance!.lifecycle.stateAt(now);
  if (instanceState !== 'running' && instanceState !== 'stopped') {
    throw new ApiError('IncorrectInstanceState', `The instance '${instanceId}' is not in a valid state for this operation.`);
  }
  refuseDuplicateName(state, name);
  const sourceImage = findUsableImage(state, instance!.imageId);

  const imageId = newId('ami');
  const buildMs = drawDuration(state, config, 'image');
  const snapshotTags = new Map(tagSpecs.filter((t) => t.resourceType === 'snapshot').flatMap((t) => [...t.tags]));
  const mappings: EbsMapping[] = capturedDevices(state, instance!, requests).map((device) => {
    const sourceVolume = instance!.devices.find((d) => d.deviceName === device.deviceName)?.volumeId ?? 'vol-ffffffff';
    const snapshot = createSnapshot(state, {
      volumeId: sourceVolume,
      volumeSize: device.volumeSize,
      description: `Created by CreateImage(${instanceId}) for ${imageId}`,
      tags: snapshotTags,
      completesAfterMs: buildMs,
      visibleAfterMs: config.notFoundWindowMs,
    });
    return { ...device, snapshotId: snapshot.id };
  });
  const image: ImageRecord = {
    seq: state.nextSeq(),
    id: imageId,
    name,
    description,
    ownerId: state.scope.accountId,
    launchPermissions: [],
    platform: instance!.platform,
    architecture: instance!.architecture,
    rootDeviceName: instance!.rootDeviceName,
    blockDeviceMappings: mappings,
    tags: new Map(tagSpecs.filter((t) => t.resourceType === 'image').flatMap((t) => [...t.tags])),
    createdAt: now,
    lifecycle: state.timeline<ImageState>('pending', now).then('available', buildMs),
    visibility: newVisibility(state, config.notFoundWindowMs),
    sourceInstanceId: instanceId,
    // An image keeps the boot settings of the AMI its instance came from.
    bootMode: sourceImage?.bootMode,
    tpmSupport: sourceImage?.tpmSupport,
    imdsSupport: sourceImage?.imdsSupport,
    disabled: false,
  };
  state.ec2.images.set(imageId, image);
  const plannedFailure = ctx.failures.takeForNew('image', imageId);
  if (plannedFailure) failImage(state, image, plannedFailure);
  return { imageId };
}

const IMAGE_FILTERS = (now: number): FilterTable<ImageRecord> => ({
  name: (i) => [i.name],
  state: (i) => [imageState(i, now)],
  'image-id': (i) => [i.id],
  'owner-id': (i) => [i.ownerId],
  'owner-alias': (i) => [i.ownerAlias],
  platform: (i) => [i.platform === 'windows' ? 'windows' : undefined],
  'is-public': (i) => [String(isPublicImage(i))],
  architecture: (i) => [i.architecture],
  description: (i) => [i.description],
  'image-type': () => ['machine'],
  'root-device-name': (i) => [i.rootDeviceName],
  'root-device-type': () => ['ebs'],
  'virtualization-type': () => ['hvm'],
  hypervisor: () => ['xen'],
  'creation-date': (i) => [isoSeconds(i.createdAt)],
  'source-instance-id': (i) => [i.sourceInstanceId],
  'state-reason-code': (i) => [i.stateReason?.code],
  'state-reason-message': (i) => [i.stateReason?.message],
  'block-device-mapping.snapshot-id': (i) => i.blockDeviceMappings.map((m) => m.snapshotId),
  'block-device-mapping.device-name': (i) => i.blockDeviceMappings.map((m) => m.deviceName),
  'block-device-mapping.volume-size': (i) => i.blockDeviceMappings.map((m) => String(m.volumeSize)),
  'block-device-mapping.volume-type': (i) => i.blockDeviceMappings.map((m) => m.volumeType),
  'block-device-mapping.delete-on-termination': (i) => i.blockDeviceMappings.map((m) => String(m.deleteOnTermination)),
});

/** Owner.N: account IDs, `self` (the caller's account), or an owner alias such as `amazon`. */
function ownedBy(image: ImageRecord, owners: string[], caller: string): boolean {
  if (owners.length === 0) return true;
  return owners.some((o) => (o === 'self' ? image.ownerId === caller : o === image.ownerId || o === image.ownerAlias));
}

/**
 * ExecutableBy.N, as the EC2 API reference documents it: `all` selects public AMIs; `self` or the
 * caller's account ID selects AMIs shared with the caller (an explicit launch permission, so not its
 * own); another account ID selects AMIs shared with that account.
 */
function executableBy(image: ImageRecord, users: string[], caller: string): boolean {
  if (users.length === 0) return true;
  return users.some((u) => (u === 'all' ? isPublicImage(image) : isSharedWith(image, u === 'self' ? caller : u)));
}

/**
 * A deprecated AMI is left out of listings unless asked for (EC2 API reference, IncludeDeprecated); its
 * owner always sees it, and anyone who names it by ID (EC2 User Guide, "Deprecate an AMI").
 */
function deprecationShown(image: ImageRecord, includeDeprecated: boolean, now: number, caller: string): boolean {
  const deprecated = image.deprecationTime !== undefined && image.deprecationTime <= now;
  return !deprecated || includeDeprecated || image.ownerId === caller;
}

/** Owner.N, ExecutableBy.N, IncludeDisabled and IncludeDeprecated as one predicate. */
function imageSelection(params: Ec2Params, state: Ec2State): (image: ImageRecord) => boolean {
  const owners = params.stringList('Owner');
  const users = params.stringList('ExecutableBy');
  const includeDisabled = params.bool('IncludeDisabled') ?? false;
  const includeDeprecated = (params.bool('IncludeDeprecated') ?? false) || params.has('ImageId');
  const now = state.clock.now();
  const caller = state.scope.accountId;
  return (i) =>
    (includeDisabled || !i.disabled) &&
    deprecationShown(i, includeDeprecated, now, caller) &&
    ownedBy(i, owners, caller) &&
    executableBy(i, users, caller);
}

const describeImages = describeAction<ImageRecord>({
  action: 'DescribeImages',
  idParameter: 'ImageId',
  maxResults: { min: 5, max: 1000, exclusiveWithIds: 'imageIds' },
  require: requireDescribableImages,
  all: (state, now) => usableImages(state).filter((i) => isImageVisible(i, now)),
  filters: (_state, now) => IMAGE_FILTERS(now),
  narrow: imageSelection,
  render: (items, _state, now) => ({ imagesSet: items.map((i) => imageXml(i, now)) }),
});

function deregisterImage(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state, config } = ctx;
  const image = requireRegisteredImage(state, params.requiredString('ImageId'));
  const deleteSnapshots = params.bool('DeleteAssociatedSnapshots') ?? false;
  dryRunGate(params);
  if (image.ownerId !== state.scope.accountId) {
    throw new ApiError('UnauthorizedOperation', `You are not authorized to deregister ${image.id}; it is owned by ${image.ownerId}.`, 403);
  }
  refuseIfProtected(image, state.clock.now());
  image.deregistered = state.timeline<'shown' | 'dropped'>('shown').then('dropped', config.deregisteredImageVisibleMs);
  // AWS does not say whether fast launch must be disabled first; the sandbox allows it and forgets the settings.
  state.ec2.fastLaunch.delete(image.id);
  if (!deleteSnapshots) return { return: true };
  // As EC2 documents DeleteSnapshotResults: `skipped` for a snapshot another AMI still uses; a planned
  // `snapshotDeletion` failure leaves the snapshot in place with its return code.
  const results = image.blockDeviceMappings.map(({ snapshotId }) => {
    const stillUsed = [...state.ec2.images.values()].some(
      (i) => !i.deregistered && i.blockDeviceMappings.some((m) => m.snapshotId === snapshotId),
    );
    if (stillUsed) return { snapshotId, returnCode: 'skipped' };
    const failure = state.ec2.snapshots.has(snapshotId) ? ctx.failures.takeForNew('snapshotDeletion', snapshotId) : undefined;
    if (failure) return { snapshotId, returnCode: failure.code };
    if (!state.ec2.snapshots.delete(snapshotId)) return { snapshotId, returnCode: 'client-error' };
    return { snapshotId, returnCode: 'success' };
  });
  return { return: true, deleteSnapshotResultSet: results };
}

export const imageActions = {
  CreateImage: createImage,
  DescribeImages: describeImages,
  DeregisterImage: deregisterImage,
};
