import { liveBuilders, liveFleets, ownImages } from './lookup';
import type { AppStreamState } from './state';

/**
 * AppStream's part of `GET /_sandbox/state`. Times are wall-clock epoch ms;
 * `readyAt` is null while the resource's current transition is under way.
 */
export interface AppStreamDump {
  images: {
    name: string;
    arn: string;
    state: string;
    visibility: string;
    /** The accounts it is shared with (UpdateImagePermissions). */
    sharedWith: string[];
    tags: Record<string, string>;
    createdAt: number;
    readyAt: number | null;
  }[];
  builders: {
    name: string;
    arn: string;
    state: string;
    imageArn: string;
    instanceType: string;
    tags: Record<string, string>;
    createdAt: number;
    readyAt: number | null;
  }[];
  fleets: {
    name: string;
    arn: string;
    fleetType: string;
    state: string;
    /** Undefined for Elastic fleets. */
    imageName?: string;
    imageArn?: string;
    platform: string;
    /** FleetErrors codes, once a failed start has ended. */
    errors: string[];
    createdAt: number;
    readyAt: number | null;
  }[];
  updatesAvailable: string[];
}

export function dumpAppStream(state: AppStreamState): AppStreamDump {
  const { clock } = state;
  const now = clock.now();
  return {
    images: ownImages(state).map((i) => ({
      name: i.name,
      arn: i.arn,
      state: i.lifecycle.stateAt(now),
      visibility: i.visibility,
      sharedWith: [...i.sharedWith.keys()].sort(),
      tags: Object.fromEntries(i.tags),
      createdAt: i.createdWallAt,
      readyAt: i.lifecycle.settledAtWall(clock),
    })),
    builders: liveBuilders(state).map((b) => ({
      name: b.name,
      arn: b.arn,
      state: b.lifecycle.stateAt(now),
      imageArn: b.imageArn,
      instanceType: b.instanceType,
      tags: Object.fromEntries(b.tags),
      createdAt: b.createdWallAt,
      readyAt: b.lifecycle.settledAtWall(clock),
    })),
    fleets: liveFleets(state).map((f) => ({
      name: f.name,
      arn: f.arn,
      fleetType: f.fleetType,
      state: f.lifecycle.stateAt(now),
      imageName: f.image?.name,
      imageArn: f.image?.arn,
      platform: f.platform,
      errors: f.lifecycle.isSettled(now) ? f.errors.map((e) => e.errorCode) : [],
      createdAt: f.createdWallAt,
      readyAt: f.lifecycle.settledAtWall(clock),
    })),
    updatesAvailable: [...state.appStream.updatesAvailable].sort(),
  };
}
