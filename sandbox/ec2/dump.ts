import { transitionReason } from './fast-launch';
import { isPublicImage } from './image-access';
import { imageState } from './images';
import { isImageVisible, isVolumeVisible } from './lookup';
import { settleReplaceRootVolumeTasks } from './root-volume-swap';
import type { Ec2State } from './state';
import { volumeState } from './storage';
import type { Tags } from '../core/state';

/**
 * EC2's part of `GET /_sandbox/state`. Times are wall-clock epoch ms; `readyAt`
 * is null until the resource has finished its transition, so benchmarks can
 * measure detection lag from it.
 */
export interface Ec2Dump {
  images: {
    id: string;
    name: string;
    state: string;
    ownerId: string;
    /** Accounts with an explicit launch permission (ModifyImageAttribute). */
    sharedWith: string[];
    public: boolean;
    visible: boolean;
    deregistered: boolean;
    tags: Record<string, string>;
    snapshotIds: string[];
    stateReason?: { code: string; message: string };
    createdAt: number;
    readyAt: number | null;
  }[];
  snapshots: {
    id: string;
    state: string;
    ownerId: string;
    volumeId: string;
    volumeSize: number;
    tags: Record<string, string>;
    createdAt: number;
    readyAt: number | null;
  }[];
  instances: {
    id: string;
    state: string;
    imageId: string;
    instanceType: string;
    tags: Record<string, string>;
    volumeIds: string[];
    launchedAt: number;
    readyAt: number | null;
  }[];
  volumes: {
    id: string;
    state: string;
    size: number;
    snapshotId?: string;
    instanceId?: string;
    volumeInitializationRate?: number;
    tags: Record<string, string>;
  }[];
  launchTemplates: LaunchTemplateDump[];
  fastLaunch: FastLaunchDump[];
  replaceRootVolumeTasks: ReplaceRootVolumeTaskDump[];
}

interface LaunchTemplateDump {
  id: string;
  name: string;
  /** The default version's data. */
  imageId?: string;
  instanceType?: string;
  defaultVersion: number;
  latestVersion: number;
  tags: Record<string, string>;
}

interface FastLaunchDump {
  imageId: string;
  state: string;
  /** StateTransitionReason; an injected failure's message once failed. */
  reason: string;
  launchTemplateId?: string;
  maxParallelLaunches: number;
  targetResourceCount: number;
  readyAt: number | null;
}

interface ReplaceRootVolumeTaskDump {
  id: string;
  instanceId: string;
  state: string;
  clientToken: string;
  imageId?: string;
  snapshotId?: string;
  /** The replacement root volume, once the task has succeeded. */
  newVolumeId?: string;
  failure?: { code: string; message: string };
  readyAt: number | null;
}

const tagObject = (tags: Tags): Record<string, string> => Object.fromEntries(tags);

export function dumpEc2(state: Ec2State): Ec2Dump {
  // Finished root-volume tasks change instances and volumes; apply that before showing them.
  settleReplaceRootVolumeTasks(state);
  const { clock, ec2 } = state;
  const now = clock.now();
  return {
    images: [...ec2.images.values()].map((i) => ({
      id: i.id,
      name: i.name,
      state: imageState(i, now),
      ownerId: i.ownerId,
      sharedWith: i.launchPermissions.flatMap((p) => (p.userId === undefined ? [] : [p.userId])),
      public: isPublicImage(i),
      visible: isImageVisible(i, now),
      deregistered: i.deregistered !== undefined,
      tags: tagObject(i.tags),
      snapshotIds: i.blockDeviceMappings.map((m) => m.snapshotId),
      stateReason: i.stateReason,
      createdAt: i.lifecycle.reachedAtWall('pending', clock) ?? i.createdAt,
      readyAt: i.lifecycle.reachedAtWall(i.lifecycle.finalState(), clock) ?? null,
    })),
    snapshots: [...ec2.snapshots.values()].map((s) => ({
      id: s.id,
      state: s.lifecycle.stateAt(now),
      ownerId: s.ownerId,
      volumeId: s.volumeId,
      volumeSize: s.volumeSize,
      tags: tagObject(s.tags),
      createdAt: s.lifecycle.reachedAtWall('pending', clock) ?? s.createdAt,
      readyAt: s.lifecycle.reachedAtWall(s.lifecycle.finalState(), clock) ?? null,
    })),
    instances: [...ec2.instances.values()].map((i) => ({
      id: i.id,
      state: i.lifecycle.stateAt(now),
      imageId: i.imageId,
      instanceType: i.instanceType,
      tags: tagObject(i.tags),
      volumeIds: i.devices.map((d) => d.volumeId),
      launchedAt: i.lifecycle.reachedAtWall('pending', clock) ?? i.launchTime,
      readyAt: i.lifecycle.reachedAtWall('running', clock) ?? null,
    })),
    volumes: [...ec2.volumes.values()]
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
    launchTemplates: [...ec2.launchTemplates.values()].map((t) => {
      const byDefault = t.versions[t.defaultVersion - 1]!.data;
      return {
        id: t.id,
        name: t.name,
        imageId: byDefault.imageId,
        instanceType: byDefault.instanceType,
        defaultVersion: t.defaultVersion,
        latestVersion: t.versions.length,
        tags: tagObject(t.tags),
      };
    }),
    fastLaunch: [...ec2.fastLaunch.values()].map((r) => {
      const current = r.lifecycle.stateAt(now);
      return {
        imageId: r.imageId,
        state: current,
        reason: transitionReason(r, current),
        launchTemplateId: r.launchTemplate?.id,
        maxParallelLaunches: r.maxParallelLaunches,
        targetResourceCount: r.targetResourceCount,
        readyAt: r.lifecycle.settledAtWall(clock),
      };
    }),
    replaceRootVolumeTasks: [...ec2.replaceRootVolumeTasks.values()].map((t) => ({
      id: t.id,
      instanceId: t.instanceId,
      state: t.lifecycle.stateAt(now),
      clientToken: t.clientToken,
      imageId: t.imageId,
      snapshotId: t.snapshotId,
      newVolumeId: t.newVolumeId,
      failure: t.failure,
      readyAt: t.lifecycle.settledAtWall(clock),
    })),
  };
}
