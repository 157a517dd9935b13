import { createLaunchTemplate } from './launch-templates';
import { createSnapshot } from './storage';
import { visibleSince } from './consistency';
import type { BootMode, ImageState, Platform, Ec2State } from './state';

/** The public base AMIs every sandbox starts with, so RunInstances works out of the box. */

export const AMAZON_OWNER_ID = '801119661308';

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

export function seedBaseImages(state: Ec2State): void {
  for (const base of BASE_IMAGES) {
    const createdAt = Date.parse(base.createdAt);
    const snapshot = createSnapshot(state, {
      id: base.snapshotId,
      volumeId: 'vol-ffffffff',
      volumeSize: base.volumeSize,
      description: `Snapshot of ${base.name}`,
      ownerId: AMAZON_OWNER_ID,
      ownerAlias: 'amazon',
      completesAfterMs: 0,
    });
    snapshot.createdAt = createdAt;
    state.ec2.images.set(base.id, {
      seq: state.nextSeq(),
      id: base.id,
      name: base.name,
      description: base.description,
      ownerId: AMAZON_OWNER_ID,
      ownerAlias: 'amazon',
      isPublic: true,
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

export function seedLaunchTemplates(state: Ec2State): void {
  createLaunchTemplate(state, {
    id: FAST_LAUNCH_TEMPLATE_ID,
    name: FAST_LAUNCH_TEMPLATE_NAME,
    imageId: WINDOWS_BASE_AMI_ID,
    instanceType: 't3.xlarge',
    createdAt: Date.parse('2026-11-12T09:00:00.000Z'),
  });
}
