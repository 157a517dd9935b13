import { volumePerformance } from './block-devices';
import { describeAction } from './describe';
import { isVisible, newVisibility } from './consistency';
import { isVolumeVisible, requireDescribableSnapshots, requireSnapshots, requireVolumes } from './lookup';
import { Ec2Params } from './params';
import { dryRunGate, iso, tagSetXml } from './render';
import { ApiError } from '../core/errors';
import type { FilterTable } from './filters';
import { newId } from '../core/ids';
import type { XmlObject } from '../core/query-protocol';
import { availabilityZone, type Tags } from '../core/state';
import { usableSnapshots } from './image-access';
import { type Ec2State, type SnapshotRecord, type SnapshotState, type VolumeRecord, type Ec2Context } from './state';

/** EBS snapshots and volumes: created as side effects of images and instances. */

export interface NewSnapshot {
  id?: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  /** The caller's account unless given (the public base AMIs' snapshots are Amazon's). */
  ownerId?: string;
  ownerAlias?: string;
  isPublic?: boolean;
  encrypted?: boolean;
  kmsKeyId?: string;
  tags?: Tags;
  /** How long until the snapshot completes (it tracks its image). */
  completesAfterMs: number;
  /** EC2's eventual consistency (notFoundWindowMs); 0 for what the sandbox starts with. */
  visibleAfterMs?: number;
}

export function createSnapshot(state: Ec2State, s: NewSnapshot): SnapshotRecord {
  const now = state.clock.now();
  const snapshot: SnapshotRecord = {
    seq: state.nextSeq(),
    id: s.id ?? newId('snap'),
    volumeId: s.volumeId,
    volumeSize: s.volumeSize,
    ownerId: s.ownerId ?? state.scope.accountId,
    ownerAlias: s.ownerAlias,
    description: s.description,
    isPublic: s.isPublic ?? false,
    encrypted: s.encrypted,
    kmsKeyId: s.kmsKeyId,
    tags: new Map(s.tags),
    createdAt: now,
    lifecycle: state.timeline<SnapshotState>('pending', now).then('completed', s.completesAfterMs),
    visibility: newVisibility(state, s.visibleAfterMs ?? 0),
  };
  state.ec2.snapshots.set(snapshot.id, snapshot);
  return snapshot;
}

export function createVolume(state: Ec2State, v: Omit<VolumeRecord, 'seq' | 'id' | 'createdAt'>): VolumeRecord {
  const volume: VolumeRecord = { seq: state.nextSeq(), id: newId('vol'), createdAt: state.clock.now(), ...v };
  state.ec2.volumes.set(volume.id, volume);
  return volume;
}

function snapshotProgress(snapshot: SnapshotRecord, now: number): string {
  if (snapshot.lifecycle.isSettled(now)) return '100%';
  const done = snapshot.lifecycle.plannedAt(snapshot.lifecycle.finalState()) ?? now;
  const fraction = (now - snapshot.createdAt) / Math.max(1, done - snapshot.createdAt);
  return `${Math.min(99, Math.floor(fraction * 100))}%`;
}

function snapshotXml(s: SnapshotRecord, now: number): XmlObject {
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    status: s.lifecycle.stateAt(now),
    startTime: iso(s.createdAt),
    progress: snapshotProgress(s, now),
    ownerId: s.ownerId,
    ownerAlias: s.ownerAlias,
    volumeSize: s.volumeSize,
    description: s.description,
    encrypted: s.encrypted ?? false,
    kmsKeyId: s.kmsKeyId,
    storageTier: 'standard',
    tagSet: tagSetXml(s.tags),
  };
}

export function volumeState(state: Ec2State, v: VolumeRecord): string {
  const instance = v.attachment && state.ec2.instances.get(v.attachment.instanceId);
  return instance && instance.lifecycle.stateAt(state.clock.now()) !== 'terminated' ? 'in-use' : 'available';
}

function volumeXml(state: Ec2State, v: VolumeRecord): XmlObject {
  const a = v.attachment;
  return {
    volumeId: v.id,
    size: v.size,
    snapshotId: v.snapshotId ?? '',
    availabilityZone: availabilityZone(state.scope.region),
    status: volumeState(state, v),
    createTime: iso(v.createdAt),
    attachmentSet: a
      ? [
          {
            volumeId: v.id,
            instanceId: a.instanceId,
            device: a.device,
            status: 'attached',
            attachTime: iso(a.attachTime),
            deleteOnTermination: a.deleteOnTermination,
          },
        ]
      : [],
    volumeType: v.volumeType,
    ...volumePerformance(v.volumeType),
    encrypted: false,
    multiAttachEnabled: false,
    tagSet: tagSetXml(v.tags),
    volumeInitializationRate: v.volumeInitializationRate,
  };
}

const SNAPSHOT_FILTERS = (now: number): FilterTable<SnapshotRecord> => ({
  'snapshot-id': (s) => [s.id],
  status: (s) => [s.lifecycle.stateAt(now)],
  'owner-id': (s) => [s.ownerId],
  'owner-alias': (s) => [s.ownerAlias],
  'volume-id': (s) => [s.volumeId],
  'volume-size': (s) => [String(s.volumeSize)],
  description: (s) => [s.description],
  encrypted: () => ['false'],
});

function ownerMatches(snapshot: SnapshotRecord, owners: string[], caller: string): boolean {
  if (owners.length === 0) return true;
  return owners.some((o) => (o === 'self' ? snapshot.ownerId === caller : o === snapshot.ownerId || o === snapshot.ownerAlias));
}

const describeSnapshots = describeAction<SnapshotRecord>({
  action: 'DescribeSnapshots',
  idParameter: 'SnapshotId',
  // "between 5 and 1,000; if this value is larger than 1,000, only 1,000 results are returned" (EC2 API reference).
  maxResults: { min: 5, max: 1000, largerReturnsMax: true, exclusiveWithIds: 'snapshotIds' },
  require: requireDescribableSnapshots,
  all: (state, now) => usableSnapshots(state).filter((s) => isVisible(s, now)),
  filters: (_state, now) => SNAPSHOT_FILTERS(now),
  narrow: (params, state) => {
    const owners = params.stringList('Owner');
    return (s) => ownerMatches(s, owners, state.scope.accountId);
  },
  render: (items, _state, now) => ({ snapshotSet: items.map((s) => snapshotXml(s, now)) }),
});

function deleteSnapshot(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state } = ctx;
  const [snapshot] = requireSnapshots(state, [params.requiredString('SnapshotId')]);
  dryRunGate(params);
  const user = [...state.ec2.images.values()].find(
    (image) => !image.deregistered && image.blockDeviceMappings.some((m) => m.snapshotId === snapshot!.id),
  );
  if (user) {
    throw new ApiError('InvalidSnapshot.InUse', `The snapshot ${snapshot!.id} is currently in use by ${user.id}`);
  }
  if (snapshot!.ownerId !== state.scope.accountId) {
    throw new ApiError('UnauthorizedOperation', `You are not authorized to delete snapshot ${snapshot!.id}.`, 403);
  }
  state.ec2.snapshots.delete(snapshot!.id);
  return { return: true };
}

const VOLUME_FILTERS = (state: Ec2State): FilterTable<VolumeRecord> => ({
  'volume-id': (v) => [v.id],
  'attachment.instance-id': (v) => [v.attachment?.instanceId],
  'attachment.device': (v) => [v.attachment?.device],
  'attachment.status': (v) => [v.attachment ? 'attached' : undefined],
  'attachment.delete-on-termination': (v) => [v.attachment ? String(v.attachment.deleteOnTermination) : undefined],
  status: (v) => [volumeState(state, v)],
  'snapshot-id': (v) => [v.snapshotId],
  size: (v) => [String(v.size)],
  'volume-type': (v) => [v.volumeType],
  'availability-zone': () => [availabilityZone(state.scope.region)],
});

const describeVolumes = describeAction<VolumeRecord>({
  action: 'DescribeVolumes',
  idParameter: 'VolumeId',
  // "between 5 and 500; if you specify a value larger than 500, only 500 items are returned": awscli sends 1000.
  maxResults: { min: 5, max: 500, largerReturnsMax: true, exclusiveWithIds: 'volumeIds' },
  require: requireVolumes,
  all: (state, now) => [...state.ec2.volumes.values()].filter((v) => isVolumeVisible(state, v, now)),
  filters: (state) => VOLUME_FILTERS(state),
  render: (items, state) => ({ volumeSet: items.map((v) => volumeXml(state, v)) }),
});

export const storageActions = {
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  DescribeVolumes: describeVolumes,
};
