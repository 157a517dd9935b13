import { createHash } from 'node:crypto';
import { createLaunchTemplate } from './launch-templates';
import { createSnapshot } from './storage';
import { visibleSince } from './consistency';
import { newId } from '../core/ids';
import { AWS_ACCOUNT_ID, DEFAULT_REGION } from '../core/state';
import type { BootMode, ImageRecord, ImageState, Platform, Ec2State } from './state';

/**
 * The public base AMIs every Region has (owned by Amazon's account, seeded when a Region is first
 * used), so RunInstances works out of the box, and the newer releases the admin API publishes; and the
 * default account's demo launch template.
 */

export const AMAZON_OWNER_ID = AWS_ACCOUNT_ID;

export const WINDOWS_BASE_AMI_ID = 'ami-0a1b2c3d4e5f60001';
const WINDOWS_BASE_SNAPSHOT_ID = 'snap-0a1b2c3d4e5f60001';

export const LINUX_BASE_AMI_ID = 'ami-0a1b2c3d4e5f60002';
const LINUX_BASE_SNAPSHOT_ID = 'snap-0a1b2c3d4e5f60002';

/** A launch template for EnableFastLaunch, so a Windows pipeline works without creating one. */
export const FAST_LAUNCH_TEMPLATE_ID = 'lt-0a1b2c3d4e5f60001';
export const FAST_LAUNCH_TEMPLATE_NAME = 'fast-launch-windows';

/** One of Amazon's base AMI lines, released again and again: the sandbox seeds one release and can publish newer ones. */
interface BaseImageLine {
  platform: Platform;
  rootDeviceName: string;
  volumeSize: number;
  bootMode: BootMode;
  tpmSupport?: 'v2.0';
  imdsSupport?: 'v2.0';
  /** Amazon's name and description for the release built on `date` (UTC). */
  nameOn(date: Date): string;
  descriptionOn(date: Date): string;
  /** The release every Region starts with (its IDs are us-east-1's; see regionalId). */
  seeded: { id: string; snapshotId: string; createdAt: string };
}

/** AWS sets every public AMI to be deprecated two years after its creation. */
const PUBLIC_AMI_LIFETIME_MS = 2 * 365 * 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const ymd = (date: Date) => date.toISOString().slice(0, 10).split('-');

const BASE_IMAGE_LINES: Readonly<Record<Platform, BaseImageLine>> = {
  windows: {
    platform: 'windows',
    rootDeviceName: '/dev/sda1',
    volumeSize: 30,
    // As Amazon's current Windows Server AMIs: UEFI with NitroTPM.
    bootMode: 'uefi',
    tpmSupport: 'v2.0',
    nameOn: (date) => `Windows_Server-2022-English-Full-Base-${ymd(date).join('.')}`,
    descriptionOn: () => 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon',
    seeded: { id: WINDOWS_BASE_AMI_ID, snapshotId: WINDOWS_BASE_SNAPSHOT_ID, createdAt: '2026-11-12T08:12:41.000Z' },
  },
  linux: {
    platform: 'linux',
    rootDeviceName: '/dev/xvda',
    volumeSize: 8,
    // As Amazon Linux 2023's AMIs: UEFI where the instance type has it, IMDSv2 only.
    bootMode: 'uefi-preferred',
    imdsSupport: 'v2.0',
    nameOn: (date) => `al2023-ami-2023.9.${ymd(date).join('')}.0-kernel-6.1-x86_64`,
    descriptionOn: (date) => `Amazon Linux 2023 AMI 2023.9.${ymd(date).join('')}.0 x86_64 HVM kernel-6.1`,
    seeded: { id: LINUX_BASE_AMI_ID, snapshotId: LINUX_BASE_SNAPSHOT_ID, createdAt: '2026-11-10T21:03:17.000Z' },
  },
};

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

/** Registers a release of `line` in the Region of `state` (Amazon's account there): public, available, with its snapshot. */
function registerRelease(state: Ec2State, line: BaseImageLine, createdAt: number, ids: { id?: string; snapshotId?: string }): ImageRecord {
  const date = new Date(createdAt);
  const name = line.nameOn(date);
  const snapshot = createSnapshot(state, {
    id: ids.snapshotId,
    volumeId: 'vol-ffffffff',
    volumeSize: line.volumeSize,
    description: `Snapshot of ${name}`,
    ownerId: AMAZON_OWNER_ID,
    ownerAlias: 'amazon',
    isPublic: true,
    completesAfterMs: 0,
  });
  snapshot.createdAt = createdAt;
  const id = ids.id ?? newId('ami');
  const image: ImageRecord = {
    seq: state.nextSeq(),
    id,
    name,
    description: line.descriptionOn(date),
    ownerId: AMAZON_OWNER_ID,
    ownerAlias: 'amazon',
    launchPermissions: [{ group: 'all' }],
    platform: line.platform,
    architecture: 'x86_64',
    rootDeviceName: line.rootDeviceName,
    blockDeviceMappings: [
      {
        deviceName: line.rootDeviceName,
        snapshotId: snapshot.id,
        volumeSize: line.volumeSize,
        volumeType: 'gp3',
        deleteOnTermination: true,
      },
    ],
    tags: new Map(),
    createdAt,
    lifecycle: state.timeline<ImageState>('available', Math.min(createdAt, state.clock.now())),
    visibility: visibleSince(state, Math.min(createdAt, state.clock.now())),
    bootMode: line.bootMode,
    tpmSupport: line.tpmSupport,
    imdsSupport: line.imdsSupport,
    deprecationTime: createdAt + PUBLIC_AMI_LIFETIME_MS,
    disabled: false,
  };
  state.ec2.images.set(id, image);
  return image;
}

/** `state` is the view of Amazon's account in the Region being seeded: its base AMIs, by platform. */
export function seedBaseImages(state: Ec2State): Record<Platform, ImageRecord> {
  const { region } = state.scope;
  const seed = (line: BaseImageLine) =>
    registerRelease(state, line, Date.parse(line.seeded.createdAt), {
      id: regionalId(line.seeded.id, region),
      snapshotId: regionalId(line.seeded.snapshotId, region),
    });
  return { windows: seed(BASE_IMAGE_LINES.windows), linux: seed(BASE_IMAGE_LINES.linux) };
}

/**
 * A newer release of `platform`'s base AMI in the Region of `state` (Amazon's account there), as Amazon
 * publishes them: a new public AMI of the same line, created now, or a day after the line's newest if
 * that is later, so that it is always the newest by CreationDate and its dated name is new.
 */
export function publishBaseImage(state: Ec2State, platform: Platform): ImageRecord {
  const line = BASE_IMAGE_LINES[platform];
  const newest = Math.max(...[...state.ec2.images.values()].filter((i) => i.platform === platform).map((i) => i.createdAt));
  // CreationDate is reported in whole seconds.
  const createdAt = Math.floor(Math.max(state.clock.now(), newest + DAY_MS) / 1000) * 1000;
  return registerRelease(state, line, createdAt, {});
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
