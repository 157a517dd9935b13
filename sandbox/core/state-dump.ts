import { dumpAppStream, type AppStreamDump } from '../appstream/dump';
import { dumpFastLaunch, dumpLaunchTemplates, dumpReplaceRootVolumeTasks, type FastLaunchDump, type LaunchTemplateDump, type ReplaceRootVolumeTaskDump } from '../ec2/dump';
import { imageState } from '../ec2/images';
import { isImageVisible, isVolumeVisible } from '../ec2/lookup';
import { settleReplaceRootVolumeTasks } from '../ec2/root-volume-swap';
import { volumeState } from '../ec2/storage';
import type { SandboxState, Tags } from './state';

/**
 * A JSON view of every resource for tests and benchmarks. Times are wall-clock
 * epoch milliseconds; `readyAt` is null until the resource has finished its
 * transition (benchmarks measure detection lag from it).
 */
export interface StateDump {
  now: number;
  clockOffsetMs: number;
  images: {
    id: string;
    name: string;
    state: string;
    ownerId: string;
    visible: boolean;
    deregistered: boolean;
    tags: Record<string, string>;
    snapshotIds: string[];
    stateReason?: { code: string; message: string };
    createdAt: number;
    readyAt: number | null;
  }[];
  snapshots: { id: string; state: string; ownerId: string; volumeId: string; volumeSize: number; tags: Record<string, string>; createdAt: number; readyAt: number | null }[];
  instances: { id: string; state: string; imageId: string; instanceType: string; tags: Record<string, string>; volumeIds: string[]; launchedAt: number; readyAt: number | null }[];
  volumes: { id: string; state: string; size: number; snapshotId?: string; instanceId?: string; volumeInitializationRate?: number; tags: Record<string, string> }[];
  launchTemplates: LaunchTemplateDump[];
  fastLaunch: FastLaunchDump[];
  replaceRootVolumeTasks: ReplaceRootVolumeTaskDump[];
  appstream: AppStreamDump;
}

const tagObject = (tags: Tags): Record<string, string> => Object.fromEntries(tags);

export function dumpState(state: SandboxState): StateDump {
  // Finished root-volume tasks change instances and volumes; apply that before showing them.
  settleReplaceRootVolumeTasks(state);
  const { clock } = state;
  const now = clock.now();
  return {
    now: Date.now(),
    clockOffsetMs: clock.offsetMs,
    images: [...state.images.values()].map((i) => ({
      id: i.id,
      name: i.name,
      state: i.deregistered ? 'deregistered' : imageState(i, now),
      ownerId: i.ownerId,
      visible: isImageVisible(i, now),
      deregistered: i.deregistered,
      tags: tagObject(i.tags),
      snapshotIds: i.blockDeviceMappings.map((m) => m.snapshotId),
      stateReason: i.stateReason,
      createdAt: i.lifecycle.reachedAtWall('pending', clock) ?? i.createdAt,
      readyAt: i.lifecycle.reachedAtWall(i.lifecycle.finalState(), clock) ?? null,
    })),
    snapshots: [...state.snapshots.values()].map((s) => ({
      id: s.id,
      state: s.lifecycle.stateAt(now),
      ownerId: s.ownerId,
      volumeId: s.volumeId,
      volumeSize: s.volumeSize,
      tags: tagObject(s.tags),
      createdAt: s.lifecycle.reachedAtWall('pending', clock) ?? s.createdAt,
      readyAt: s.lifecycle.reachedAtWall(s.lifecycle.finalState(), clock) ?? null,
    })),
    instances: [...state.instances.values()].map((i) => ({
      id: i.id,
      state: i.lifecycle.stateAt(now),
      imageId: i.imageId,
      instanceType: i.instanceType,
      tags: tagObject(i.tags),
      volumeIds: i.devices.map((d) => d.volumeId),
      launchedAt: i.lifecycle.reachedAtWall('pending', clock) ?? i.launchTime,
      readyAt: i.lifecycle.reachedAtWall('running', clock) ?? null,
    })),
    volumes: [...state.volumes.values()]
      .filter((v) => isVolumeVisible(state, v, now))
      .map((v) => ({
        id: v.id,
        state: volumeState(state, v),
        size: v.size,
        snapshotId: v.snapshotId,
        instanceId: v.attachment?.instanceId,
        volumeInitializationRate: v.volumeInitializationRate,
        tags: tagObject(v.tags),
      })),
    launchTemplates: dumpLaunchTemplates(state),
    fastLaunch: dumpFastLaunch(state),
    replaceRootVolumeTasks: dumpReplaceRootVolumeTasks(state),
    appstream: dumpAppStream(state),
  };
}
