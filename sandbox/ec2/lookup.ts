import { ApiError } from '../core/errors';
import { isWellFormedId, type IdPrefix } from '../core/ids';
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

/** Images as a describe sees them: not deregistered, and past the eventual-consistency window. */
export function isImageVisible(image: ImageRecord, now: number): boolean {
  return !image.deregistered && image.visibility.stateAt(now) === 'visible';
}

const visibleImages: Kind<ImageRecord> = {
  prefix: 'ami',
  malformedCode: 'InvalidAMIID.Malformed',
  notFoundCode: 'InvalidAMIID.NotFound',
  notFoundMessage: (ids) => `The image id '[${ids.join(', ')}]' does not exist`,
  find: (state, id, now) => {
    const image = state.ec2.images.get(id);
    return image && isImageVisible(image, now) ? image : undefined;
  },
};

/** For mutations: server-side truth, not subject to the describe consistency window. */
const registeredImages: Kind<ImageRecord> = {
  ...visibleImages,
  find: (state, id) => {
    const image = state.ec2.images.get(id);
    return image && !image.deregistered ? image : undefined;
  },
};

export function isInstanceVisible(instance: InstanceRecord, now: number): boolean {
  const terminatedAt = instance.lifecycle.plannedAt('terminated');
  return terminatedAt === undefined || now < terminatedAt + TERMINATED_VISIBLE_MS;
}

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
  find: (state, id) => state.ec2.snapshots.get(id),
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
export const requireRegisteredImage = (state: Ec2State, id: string) => resolve(registeredImages, state, [id])[0]!;
export const requireInstances = (state: Ec2State, ids: string[]) => resolve(instances, state, ids);
export const requireSnapshots = (state: Ec2State, ids: string[]) => resolve(snapshots, state, ids);
export const requireVolumes = (state: Ec2State, ids: string[]) => resolve(volumes, state, ids);
export const requireLaunchTemplates = (state: Ec2State, ids: string[]) => resolve(launchTemplates, state, ids);
export const requireReplaceRootVolumeTasks = (state: Ec2State, ids: string[]) => resolve(replaceRootVolumeTasks, state, ids);
