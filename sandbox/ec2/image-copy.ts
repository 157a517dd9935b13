import { newVisibility } from './consistency';
import { ClientTokens } from './idempotency';
import { failImage, imageState, refuseDuplicateName, validateImageName } from './images';
import { requireRegisteredImage } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, iso } from './render';
import { createSnapshot } from './storage';
import { drawDuration } from '../core/duration-draw';
import { ApiError, invalidParameterValue } from '../core/errors';
import { newId } from '../core/ids';
import type { XmlObject } from '../core/query-protocol';
import type { Tags } from '../core/state';
import type { EbsMapping, Ec2Context, Ec2State, ImageRecord, ImageState } from './state';

/**
 * CopyImage, as the EC2 API reference has it: called in the destination Region (the caller's), it copies
 * an AMI the caller may use (its own, shared with it, or public) from SourceRegion into a new AMI the
 * caller owns, with new snapshots, `pending` for the profile's `copyImage` duration.
 */

/** The AWS managed KMS key for EBS, which encrypts a copy when Encrypted comes without KmsKeyId. */
const DEFAULT_EBS_KEY = 'alias/aws/ebs';
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The source AMI: in SourceRegion, usable by the caller, registered and available. */
function requireSourceImage(state: Ec2State, sourceRegion: string, id: string): ImageRecord {
  const image = requireRegisteredImage(state, id, sourceRegion);
  if (imageState(image, state.clock.now()) !== 'available') {
    throw new ApiError('InvalidAMIID.Unavailable', `The image id '[${id}]' is not available.`);
  }
  return image;
}

/** CopyImageTags copies the source's user-defined tags, but not `aws:` ones, nor any on another account's AMI. */
function copiedTags(source: ImageRecord, copyTags: boolean, caller: string): Tags {
  if (!copyTags || source.ownerId !== caller) return new Map();
  return new Map([...source.tags].filter(([key]) => !key.startsWith('aws:')));
}

function copyImage(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state, config } = ctx;
  const sourceRegion = params.requiredString('SourceRegion');
  const sourceImageId = params.requiredString('SourceImageId');
  const name = params.requiredString('Name');
  validateImageName(name);
  const description = params.string('Description');
  const encrypt = params.bool('Encrypted') ?? false;
  const kmsKeyId = params.string('KmsKeyId');
  if (kmsKeyId !== undefined && !encrypt) {
    throw new ApiError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
  }
  const copyTags = params.bool('CopyImageTags') ?? false;
  const tagSpecs = params.tagSpecifications(['image', 'snapshot']);
  // Accepted as AWS does; the copy still takes the profile's duration.
  params.int('SnapshotCopyCompletionDurationMinutes');
  for (const destination of ['DestinationOutpostArn', 'DestinationAvailabilityZone', 'DestinationAvailabilityZoneId']) {
    if (params.has(destination))
      throw invalidParameterValue(`The sandbox has no Outposts or Local Zones: ${destination} is not supported.`);
  }
  if (!REGION_PATTERN.test(sourceRegion)) throw invalidParameterValue(`Invalid value '${sourceRegion}' for SourceRegion.`);
  const clientToken = params.string('ClientToken');
  const tokens = new ClientTokens(state.ec2.copyImageByClientToken);
  // A retry gets its copy even if the source has gone since, and its name is no duplicate of itself.
  const previous = tokens.previousResult(clientToken, params);
  const source = previous === undefined ? requireSourceImage(state, sourceRegion, sourceImageId) : undefined;
  dryRunGate(params);
  if (!source) return { imageId: previous };
  refuseDuplicateName(state, name);

  const now = state.clock.now();
  const imageId = newId('ami');
  const copyMs = drawDuration(state, config, 'copyImage');
  const snapshotTags = new Map(tagSpecs.filter((t) => t.resourceType === 'snapshot').flatMap((t) => [...t.tags]));
  const mappings: EbsMapping[] = source.blockDeviceMappings.map((mapping) => {
    // A copy of an encrypted snapshot stays encrypted; an unencrypted one is encrypted if asked.
    const encrypted = encrypt || mapping.encrypted === true;
    const snapshot = createSnapshot(state, {
      volumeId: 'vol-ffffffff',
      volumeSize: mapping.volumeSize,
      description: `Copied for DestinationAmi ${imageId} from SourceAmi ${source.id} for SourceSnapshot ${mapping.snapshotId}. Task created on ${iso(now)}.`,
      encrypted,
      kmsKeyId: encrypted ? (kmsKeyId ?? DEFAULT_EBS_KEY) : undefined,
      tags: snapshotTags,
      completesAfterMs: copyMs,
      visibleAfterMs: config.notFoundWindowMs,
    });
    return { ...mapping, snapshotId: snapshot.id, encrypted };
  });
  const tags = copiedTags(source, copyTags, state.scope.accountId);
  for (const spec of tagSpecs.filter((t) => t.resourceType === 'image')) for (const [key, value] of spec.tags) tags.set(key, value);
  const image: ImageRecord = {
    seq: state.nextSeq(),
    id: imageId,
    name,
    description: description ?? `[Copied ${source.id} from ${sourceRegion}] ${source.name}`,
    ownerId: state.scope.accountId,
    // Launch permissions, deprecation and deregistration protection stay with the source.
    launchPermissions: [],
    platform: source.platform,
    architecture: source.architecture,
    rootDeviceName: source.rootDeviceName,
    blockDeviceMappings: mappings,
    tags,
    createdAt: now,
    lifecycle: state.timeline<ImageState>('pending', now).then('available', copyMs),
    visibility: newVisibility(state, config.notFoundWindowMs),
    bootMode: source.bootMode,
    tpmSupport: source.tpmSupport,
    imdsSupport: source.imdsSupport,
    sourceImageId: source.id,
    sourceImageRegion: sourceRegion,
    disabled: false,
  };
  state.ec2.images.set(imageId, image);
  tokens.remember(clientToken, params, imageId);
  // `POST /_sandbox/fail` with kind `image` in the destination Region fails a copy as it fails a CreateImage.
  const plannedFailure = ctx.failures.takeForNew('image', imageId);
  if (plannedFailure) failImage(state, image, plannedFailure);
  return { imageId };
}

export const imageCopyActions = {
  CopyImage: copyImage,
};
