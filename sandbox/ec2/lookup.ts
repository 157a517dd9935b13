import { ApiError } from '../core/errors';
import { isWellFormedId, type IdPrefix } from '../core/ids';
import { isVisible, type Visibility } from './consistency';
import { findUsableImage, findUsableSnapshot } from './image-access';
import type {
  ImageRecord,
  InstanceRecord,
  LaunchTemplateRecord,
  ReplaceRootVolumeTaskRecord,
  Ec2State,
  SnapshotRecord,
  VolumeRecord,
} from './state';

/** Resolving IDs from a request, with EC2's Malformed / NotFound errors. */

/** Terminated instances stay describable for this long, as in EC2. */
const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;

interface Kind<T> {
  prefix: IdPrefix;
  malformedCode: string;
  notFoundCode: string;
  notFoundMessage(ids: string[]): string;
  find(state: Ec2State, id: string, now: number): T | undefined;
}

function resolve<T>(kind: Kind<T>, state: Ec2State, ids: string[]): T[] {
  for (const id of ids) {
    if (!isWellFormedId(kind.prefix, id)) {
      throw new ApiError(kind.malformedCode, `Invalid id: "${id}" (expecting "${kind.prefix}-...")`);
    }
  }
  const now = state.clock.now();
  const missing = ids.filter((id) => !kind.find(state, id, now));
  if (missing.length > 0) throw new ApiError(kind.notFoundCode, kind.notFoundMessage(missing));
  return [...new Set(ids)].map((id) => kind.find(state, id, now)!);
}

/** A kind as describes see it: what mutations find, once past its eventual-consistency window. */
function seenByDescribes<T extends { visibility: Visibility }>(kind: Kind<T>): Kind<T> {
  return {
    ...kind,
    find: (state, id, now) => {
      const found = kind.find(state, id, now);
      return found && isVisible(found, now) ? found : undefined;
    },
  };
}

/** Images as a listing sees them: registered, and past the eventual-consistency window. */
export function isImageVisible(image: ImageRecord, now: number): boolean {
  return !image.deregistered && isVisible(image, now);
}

/**
 * For mutations: server-side truth, not subject to the describe consistency window. Another account's image
 * only if the caller may use it. In the caller's Region unless `region` names another (CopyImage's source).
 */
const registeredImages = (region?: string): Kind<ImageRecord> => ({
  prefix: 'ami',
  malformedCode: 'InvalidAMIID.Malformed',
  notFoundCode: 'InvalidAMIID.NotFound',
  notFoundMessage: (ids) => `The image id '[${ids.join(', ')}]' does not exist`,
  find: (state, id) => {
    const image = findUsableImage(state, id, region);
    return image && !image.deregistered ? image : undefined;
  },
});

const visibleImages = seenByDescribes(registeredImages());

/**
 * DescribeImages by ID, as the EC2 API reference describes it: a recently deregistered image is still
 * returned (state `deregistered`) for a short interval, then left out of the results; once no instance
 * launched from it is left, its ID is not found at all.
 */
const describableImages: Kind<ImageRecord> = {
  ...registeredImages(),
  find: (state, id, now) => {
    const image = findUsableImage(state, id);
    if (!image?.deregistered) return image && isVisible(image, now) ? image : undefined;
    const launchedFromIt = [...state.ec2.instances.values()].some((i) => i.imageId === id && i.lifecycle.stateAt(now) !== 'terminated');
    return image.deregistered.stateAt(now) === 'shown' || launchedFromIt ? image : undefined;
  },
};

export function isInstanceVisible(instance: InstanceRecord, now: number): boolean {
  const terminatedAt = instance.lifecycle.plannedAt('terminated');
  return terminatedAt === undefined || now < terminatedAt + TERMINATED_VISIBLE_MS;
}

/** Server-side truth for mutations; DescribeInstances also waits out the consistency window. */
const instances: Kind<InstanceRecord> = {
  prefix: 'i',
  malformedCode: 'InvalidInstanceID.Malformed',
  notFoundCode: 'InvalidInstanceID.NotFound',
  notFoundMessage: (ids) =>
    ids.length === 1 ? `The instance ID '${ids[0]}' does not exist` : `The instance IDs '${ids.join(', ')}' do not exist`,
  find: (state, id, now) => {
    const instance = state.ec2.instances.get(id);
    return instance && isInstanceVisible(instance, now) ? instance : undefined;
  },
};

const snapshots: Kind<SnapshotRecord> = {
  prefix: 'snap',
  malformedCode: 'InvalidSnapshotID.Malformed',
  notFoundCode: 'InvalidSnapshot.NotFound',
  notFoundMessage: (ids) => `The snapshot '${ids.join(', ')}' does not exist.`,
  // The caller's own snapshots and other accounts' public ones.
  find: (state, id) => findUsableSnapshot(state, id),
};

export function isVolumeVisible(state: Ec2State, volume: VolumeRecord, now: number): boolean {
  const attachment = volume.attachment;
  if (!attachment?.deleteOnTermination) return true;
  // Deleted together with its instance.
  return state.ec2.instances.get(attachment.instanceId)?.lifecycle.stateAt(now) !== 'terminated';
}

const volumes: Kind<VolumeRecord> = {
  prefix: 'vol',
  malformedCode: 'InvalidVolumeID.Malformed',
  notFoundCode: 'InvalidVolume.NotFound',
  notFoundMessage: (ids) => `The volume '${ids.join(', ')}' does not exist.`,
  find: (state, id, now) => {
    const volume = state.ec2.volumes.get(id);
    return volume && isVolumeVisible(state, volume, now) ? volume : undefined;
  },
};

const launchTemplates: Kind<LaunchTemplateRecord> = {
  prefix: 'lt',
  malformedCode: 'InvalidLaunchTemplateId.Malformed',
  notFoundCode: 'InvalidLaunchTemplateId.NotFound',
  notFoundMessage: (ids) => `The specified launch template, with template ID ${ids.join(', ')}, does not exist.`,
  find: (state, id) => state.ec2.launchTemplates.get(id),
};

// AWS documents no error codes for unknown task IDs; these follow EC2's usual pattern.
const replaceRootVolumeTasks: Kind<ReplaceRootVolumeTaskRecord> = {
  prefix: 'replacevol',
  malformedCode: 'InvalidReplaceRootVolumeTaskId.Malformed',
  notFoundCode: 'InvalidReplaceRootVolumeTaskId.NotFound',
  notFoundMessage: (ids) => `The replace root volume task ID '${ids.join(', ')}' does not exist`,
  find: (state, id) => state.ec2.replaceRootVolumeTasks.get(id),
};

export const requireVisibleImages = (state: Ec2State, ids: string[]) => resolve(visibleImages, state, ids);
export function requireDescribableImages(state: Ec2State, ids: string[]): ImageRecord[] {
  const now = state.clock.now();
  return resolve(describableImages, state, ids).filter((image) => image.deregistered?.stateAt(now) !== 'dropped');
}
export const requireRegisteredImage = (state: Ec2State, id: string, region?: string) => resolve(registeredImages(region), state, [id])[0]!;

/** EC2's refusal for an AMI the caller can see but does not own. */
export function notAuthorizedForImage(image: ImageRecord): ApiError {
  return new ApiError('AuthFailure', `Not authorized for image:${image.id}`, 400);
}

/** An AMI only its owner may change or read the settings of: another account's shared or public one is refused. */
export function requireOwnImage(state: Ec2State, id: string): ImageRecord {
  const image = requireRegisteredImage(state, id);
  if (image.ownerId !== state.scope.accountId) throw notAuthorizedForImage(image);
  return image;
}
export const requireInstances = (state: Ec2State, ids: string[]) => resolve(instances, state, ids);
export const requireDescribableInstances = (state: Ec2State, ids: string[]) => resolve(seenByDescribes(instances), state, ids);
export const requireSnapshots = (state: Ec2State, ids: string[]) => resolve(snapshots, state, ids);
export const requireDescribableSnapshots = (state: Ec2State, ids: string[]) => resolve(seenByDescribes(snapshots), state, ids);
export const requireVolumes = (state: Ec2State, ids: string[]) => resolve(volumes, state, ids);
export const requireLaunchTemplates = (state: Ec2State, ids: string[]) => resolve(launchTemplates, state, ids);
export const requireDescribableReplaceRootVolumeTasks = (state: Ec2State, ids: string[]) =>
  resolve(seenByDescribes(replaceRootVolumeTasks), state, ids);
