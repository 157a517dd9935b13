import { createHash } from 'node:crypto';
import { createLaunchTemplate } from './launch-templates';
import { createSnapshot } from './storage';
import { visibleSince } from './consistency';
import { AWS_ACCOUNT_ID, DEFAULT_REGION } from '../core/state';
import type { BootMode, ImageState, Platform, Ec2State } from './state';

/**
 * The public base AMIs every Region has (owned by Amazon's account, seeded when a Region is first
 * used), so RunInstances works out of the box; and the default account's demo launch template.
 */

export const AMAZON_OWNER_ID = AWS_ACCOUNT_ID;

export const WINDOWS_BASE_AMI_ID = 'ami-0a1b2c3d4e5f60001';
export const WINDOWS_BASE_AMI_NAME = 'Windows_Server-2022-English-Full-Base-2026.11.12';
export const WINDOWS_BASE_SNAPSHOT_ID = 'snap-0a1b2c3d4e5f60001';

export const LINUX_BASE_AMI_ID = 'ami-0a1b2c3d4e5f60002';
export const LINUX_BASE_AMI_NAME = 'al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64';
export const LINUX_BASE_SNAPSHOT_ID = 'snap-0a1b2c3d4e5f60002';

/** A launch template for EnableFastLaunch, so a Windows pipeline works without creating one. */
export const FAST_LAUNCH_TEMPLATE_ID = 'lt-0a1b2c3d4e5f60001';
export const FAST_LAUNCH_TEMPLATE_NAME = 'fast-launch-windows';

interface BaseImage {
  id: string;
  name: string;
  description: string;
  snapshotId: string;
  platform: Platform;
  rootDeviceName: string;
  volumeSize: number;
  createdAt: string;
  bootMode: BootMode;
  tpmSupport?: 'v2.0';
  imdsSupport?: 'v2.0';
}

/** AWS sets every public AMI to be deprecated two years after its creation. */
const PUBLIC_AMI_LIFETIME_MS = 2 * 365 * 24 * 60 * 60 * 1000;

const BASE_IMAGES: BaseImage[] = [
  {
    id: WINDOWS_BASE_AMI_ID,
    name: WINDOWS_BASE_AMI_NAME,
    description: 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon',
    snapshotId: WINDOWS_BASE_SNAPSHOT_ID,
    platform: 'windows',
    rootDeviceName: '/dev/sda1',
    volumeSize: 30,
    createdAt: '2026-11-12T08:12:41.000Z',
    // As Amazon's current Windows Server AMIs: UEFI with NitroTPM.
    bootMode: 'uefi',
    tpmSupport: 'v2.0',
  },
  {
    id: LINUX_BASE_AMI_ID,
    name: LINUX_BASE_AMI_NAME,
    description: 'Amazon Linux 2023 AMI 2023.9.20261110.0 x86_64 HVM kernel-6.1',
    snapshotId: LINUX_BASE_SNAPSHOT_ID,
    platform: 'linux',
    rootDeviceName: '/dev/xvda',
    volumeSize: 8,
    createdAt: '2026-11-10T21:03:17.000Z',
    // As Amazon Linux 2023's AMIs: UEFI where the instance type has it, IMDSv2 only.
    bootMode: 'uefi-preferred',
    imdsSupport: 'v2.0',
  },
];

/**
 * Amazon's AMIs have other IDs in each Region: us-east-1 has the exported ones, every other Region IDs
 * of the same shape derived from its name, so that they stay the same from one start to the next.
 */
export function regionalId(id: string, region: string): string {
  if (region === DEFAULT_REGION) return id;
  const [prefix, digits] = id.split('-') as [string, string];
  const digest = createHash('sha256').update(region).digest('hex');
  return `${prefix}-${digest.slice(0, digits.length - 4)}${digits.slice(-4)}`;
}

/** `state` is the view of Amazon's account in the Region being seeded. */
export function seedBaseImages(state: Ec2State): void {
  const { region } = state.scope;
  for (const base of BASE_IMAGES) {
    const createdAt = Date.parse(base.createdAt);
    const snapshot = createSnapshot(state, {
      id: regionalId(base.snapshotId, region),
      volumeId: 'vol-ffffffff',
      volumeSize: base.volumeSize,
      description: `Snapshot of ${base.name}`,
      ownerId: AMAZON_OWNER_ID,
      ownerAlias: 'amazon',
      isPublic: true,
      completesAfterMs: 0,
    });
    snapshot.createdAt = createdAt;
    const id = regionalId(base.id, region);
    state.ec2.images.set(id, {
      seq: state.nextSeq(),
      id,
      name: base.name,
      description: base.description,
      ownerId: AMAZON_OWNER_ID,
      ownerAlias: 'amazon',
      launchPermissions: [{ group: 'all' }],
      platform: base.platform,
      architecture: 'x86_64',
      rootDeviceName: base.rootDeviceName,
      blockDeviceMappings: [
        {
          deviceName: base.rootDeviceName,
          snapshotId: snapshot.id,
          volumeSize: base.volumeSize,
          volumeType: 'gp3',
          deleteOnTermination: true,
        },
      ],
      tags: new Map(),
      createdAt,
      lifecycle: state.timeline<ImageState>('available', createdAt),
      visibility: visibleSince(state, createdAt),
      bootMode: base.bootMode,
      tpmSupport: base.tpmSupport,
      imdsSupport: base.imdsSupport,
      deprecationTime: createdAt + PUBLIC_AMI_LIFETIME_MS,
      disabled: false,
    });
  }
}

/** `state` is the view of the default account in the default Region. */
export function seedLaunchTemplates(state: Ec2State): void {
  createLaunchTemplate(state, {
    id: FAST_LAUNCH_TEMPLATE_ID,
    name: FAST_LAUNCH_TEMPLATE_NAME,
    imageId: WINDOWS_BASE_AMI_ID,
    instanceType: 't3.xlarge',
    createdAt: Date.parse('2026-11-12T09:00:00.000Z'),
  });
}
