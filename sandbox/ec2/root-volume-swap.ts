import { findUsableImage } from './image-access';
import { createVolume } from './storage';
import type { InstanceDevice, InstanceRecord, ReplaceRootVolumeTaskRecord, Ec2State, VolumeRecord } from './state';

/**
 * What a finished replace-root-volume task does to its instance and volumes.
 * Task states are computed from the clock on read, so nothing fires when a task
 * finishes; instead every request first settles the tasks that have finished.
 */

export function settleReplaceRootVolumeTasks(state: Ec2State): void {
  const now = state.clock.now();
  for (const task of state.ec2.replaceRootVolumeTasks.values()) {
    if (task.settled || !task.lifecycle.isSettled(now)) continue;
    task.settled = true;
    const instance = state.ec2.instances.get(task.instanceId);
    if (!instance) continue;
    const outcome = task.lifecycle.finalState();
    if (outcome === 'succeeded') swapRootVolume(state, task, instance);
    else if (outcome === 'failed-detached') detachRootVolume(state, instance);
    // `failed`: the original root volume simply stays attached.
  }
}

function rootDevice(instance: InstanceRecord): InstanceDevice | undefined {
  return instance.devices.find((d) => d.deviceName === instance.rootDeviceName);
}

interface VolumeSource {
  snapshotId?: string;
  size: number;
  volumeType: string;
  volumeInitializationRate?: number;
}

/** The image's root snapshot, the given snapshot, or (neither given) the volume's launch state. */
function replacementSource(state: Ec2State, task: ReplaceRootVolumeTaskRecord, old: VolumeRecord | undefined): VolumeSource {
  const fallback = { size: old?.size ?? 8, volumeType: old?.volumeType ?? 'gp3' };
  const image = task.imageId === undefined ? undefined : findUsableImage(state, task.imageId);
  if (image) {
    const root = image.blockDeviceMappings.find((m) => m.deviceName === image.rootDeviceName) ?? image.blockDeviceMappings[0];
    if (root)
      return {
        snapshotId: root.snapshotId,
        size: root.volumeSize,
        volumeType: root.volumeType,
        volumeInitializationRate: root.volumeInitializationRate,
      };
  }
  if (task.snapshotId !== undefined) {
    const snapshot = state.ec2.snapshots.get(task.snapshotId);
    return { ...fallback, snapshotId: task.snapshotId, size: Math.max(fallback.size, snapshot?.volumeSize ?? 0) };
  }
  return { ...fallback, snapshotId: old?.snapshotId };
}

function swapRootVolume(state: Ec2State, task: ReplaceRootVolumeTaskRecord, instance: InstanceRecord): void {
  const attachedAt = task.lifecycle.plannedAt('succeeded') ?? state.clock.now();
  const device = rootDevice(instance);
  const old = device && state.ec2.volumes.get(device.volumeId);
  const source = replacementSource(state, task, old);
  const deleteOnTermination = device?.deleteOnTermination ?? true;
  const volume = createVolume(state, {
    size: source.size,
    volumeType: source.volumeType,
    snapshotId: source.snapshotId,
    volumeInitializationRate: task.volumeInitializationRate ?? source.volumeInitializationRate,
    tags: new Map(),
    attachment: { instanceId: instance.id, device: instance.rootDeviceName, deleteOnTermination, attachTime: attachedAt },
  });
  // EC2 builds the replacement while the task is pending.
  volume.createdAt = task.startedAt;
  if (old) {
    if (task.deleteReplacedRootVolume) state.ec2.volumes.delete(old.id);
    else old.attachment = undefined;
  }
  if (device) device.volumeId = volume.id;
  else instance.devices.unshift({ deviceName: instance.rootDeviceName, volumeId: volume.id, deleteOnTermination });
  if (task.imageId !== undefined) instance.imageId = task.imageId;
  task.newVolumeId = volume.id;
}

/** failed-detached: the original volume came off and nothing went back on. */
function detachRootVolume(state: Ec2State, instance: InstanceRecord): void {
  const device = rootDevice(instance);
  if (!device) return;
  const old = state.ec2.volumes.get(device.volumeId);
  if (old) old.attachment = undefined;
  instance.devices.splice(instance.devices.indexOf(device), 1);
}
