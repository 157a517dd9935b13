import { fleetArn, imageArn } from './arn';
import { AWS_ACCOUNT_ID } from '../core/state';
import type { AppStreamImageState, AppStreamPlatform, AppStreamVisibility, AppStreamState, FleetRecord, FleetState } from './state';

/**
 * The AppStream images the sandbox starts with: two public AWS base images in every Region (AWS's,
 * seeded when a Region is first used), and one private image of the default account in the default
 * Region (made from the 2022 base), so that CreateUpdatedImage and CreateImageBuilder work out of the box.
 */

export const APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME = 'AppStream-WinServer2022-11-12-2026';
export const APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME = 'AppStream-WinServer2019-11-12-2026';
export const APPSTREAM_GOLDEN_IMAGE_NAME = 'golden-appstream-base';
/** The default account's fleets in the default Region: two RUNNING on the golden image, and an Elastic one (no image). */
export const APPSTREAM_ALWAYS_ON_FLEET = 'golden-always-on';
export const APPSTREAM_ON_DEMAND_FLEET = 'golden-on-demand';
export const APPSTREAM_ELASTIC_FLEET = 'golden-elastic';

interface SeedImage {
  name: string;
  visibility: AppStreamVisibility;
  platform: AppStreamPlatform;
  description: string;
  displayName: string;
  createdAt: string;
  baseReleasedAt: string;
  agentVersion: string;
  baseImageName?: string;
}

const SEED_IMAGES: SeedImage[] = [
  {
    name: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
    visibility: 'PUBLIC',
    platform: 'WINDOWS_SERVER_2022',
    description: 'Windows Server 2022 Base Image with AppStream 2.0 agent',
    displayName: 'AppStream 2.0 Windows Server 2022 Base Image',
    createdAt: '2026-11-12T00:00:00.000Z',
    baseReleasedAt: '2026-11-12T00:00:00.000Z',
    agentVersion: '11-04-2026',
  },
  {
    name: APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
    visibility: 'PUBLIC',
    platform: 'WINDOWS_SERVER_2019',
    description: 'Windows Server 2019 Base Image with AppStream 2.0 agent',
    displayName: 'AppStream 2.0 Windows Server 2019 Base Image',
    createdAt: '2026-11-12T00:00:00.000Z',
    baseReleasedAt: '2026-11-12T00:00:00.000Z',
    agentVersion: '11-04-2026',
  },
  {
    name: APPSTREAM_GOLDEN_IMAGE_NAME,
    visibility: 'PRIVATE',
    platform: 'WINDOWS_SERVER_2022',
    description: 'Golden AppStream image: line-of-business apps on Windows Server 2022',
    displayName: 'Golden AppStream base',
    createdAt: '2026-11-15T09:30:00.000Z',
    baseReleasedAt: '2026-11-12T00:00:00.000Z',
    agentVersion: '11-04-2026',
    baseImageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
  },
];

/** AWS's public images when `state` is AWS's account in a Region; the private demo image for any other (the default account). */
export function seedAppStreamImages(state: AppStreamState): void {
  const publicOnes = state.scope.accountId === AWS_ACCOUNT_ID;
  for (const seed of SEED_IMAGES.filter((s) => (s.visibility === 'PUBLIC') === publicOnes)) {
    const createdAt = Date.parse(seed.createdAt);
    state.appStream.images.set(seed.name, {
      seq: state.nextSeq(),
      name: seed.name,
      arn: imageArn(seed.name, seed.visibility, state.scope),
      ownerId: state.scope.accountId,
      visibility: seed.visibility,
      platform: seed.platform,
      displayName: seed.displayName,
      description: seed.description,
      baseImageArn: seed.baseImageName === undefined ? undefined : imageArn(seed.baseImageName, 'PUBLIC', state.scope),
      sharedWith: new Map(),
      createdAt,
      createdWallAt: createdAt,
      baseReleasedAt: Date.parse(seed.baseReleasedAt),
      agentVersion: seed.agentVersion,
      tags: new Map(),
      lifecycle: state.timeline<AppStreamImageState>('AVAILABLE', createdAt),
    });
  }
}

const FLEETS_CREATED_AT = Date.parse('2026-11-16T08:00:00.000Z');

/** The default account's fleets, RUNNING since their creation; call after seedAppStreamImages, whose golden image they use. */
export function seedAppStreamFleets(state: AppStreamState): void {
  const golden = state.appStream.images.get(APPSTREAM_GOLDEN_IMAGE_NAME)!;
  const common = {
    instanceType: 'stream.standard.medium',
    maxUserDurationInSeconds: 57_600,
    disconnectTimeoutInSeconds: 900,
    enableDefaultInternetAccess: false,
    streamView: 'APP' as const,
    createdAt: FLEETS_CREATED_AT,
    createdWallAt: FLEETS_CREATED_AT,
    errors: [],
  };
  const fleets: Omit<FleetRecord, 'seq' | 'arn' | 'tags' | 'lifecycle'>[] = [
    {
      ...common,
      name: APPSTREAM_ALWAYS_ON_FLEET,
      displayName: 'Golden Always-On',
      fleetType: 'ALWAYS_ON',
      image: { name: golden.name, arn: golden.arn },
      platform: golden.platform,
      desiredInstances: 2,
    },
    {
      ...common,
      name: APPSTREAM_ON_DEMAND_FLEET,
      displayName: 'Golden On-Demand',
      fleetType: 'ON_DEMAND',
      image: { name: golden.name, arn: golden.arn },
      platform: golden.platform,
      desiredInstances: 2,
    },
    {
      ...common,
      name: APPSTREAM_ELASTIC_FLEET,
      displayName: 'Golden Elastic',
      fleetType: 'ELASTIC',
      platform: 'WINDOWS_SERVER_2022',
      maxConcurrentSessions: 10,
    },
  ];
  for (const fleet of fleets) {
    state.appStream.fleets.set(fleet.name, {
      ...fleet,
      seq: state.nextSeq(),
      arn: fleetArn(fleet.name, state.scope),
      tags: new Map(),
      lifecycle: state.timeline<FleetState>('RUNNING', FLEETS_CREATED_AT),
    });
  }
}
