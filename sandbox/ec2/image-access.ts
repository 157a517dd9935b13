import type { Ec2State, ImageRecord, SnapshotRecord } from './state';

/**
 * Which AMIs and snapshots an account sees in its Region, as EC2 documents it: its own, public ones, and
 * (AMIs) those whose launch permissions name it. Every other account's resources stay out of sight.
 */

export function isPublicImage(image: ImageRecord): boolean {
  return image.launchPermissions.some((p) => p.group === 'all');
}

/** An explicit launch permission for `accountId` (the owner's implicit one is not explicit). */
export function isSharedWith(image: ImageRecord, accountId: string): boolean {
  return image.launchPermissions.some((p) => p.userId === accountId);
}

/** The owner, public images, and explicit launch permissions: who may describe and launch an AMI. */
export function canUseImage(image: ImageRecord, accountId: string): boolean {
  return image.ownerId === accountId || isPublicImage(image) || isSharedWith(image, accountId);
}

/** Every AMI the caller may use in its Region, in creation order. */
export function usableImages(state: Ec2State): ImageRecord[] {
  const others = state
    .regionEc2()
    .filter((resources) => resources !== state.ec2)
    .flatMap((resources) => [...resources.images.values()].filter((i) => canUseImage(i, state.scope.accountId)));
  return [...state.ec2.images.values(), ...others].sort((a, b) => a.seq - b.seq);
}

/**
 * An AMI by ID, if the caller may use it: its own first, then another account's public or shared one.
 * In the caller's Region unless `region` names another (CopyImage's source).
 */
export function findUsableImage(state: Ec2State, id: string, region = state.scope.region): ImageRecord | undefined {
  const own = region === state.scope.region ? state.ec2.images.get(id) : undefined;
  if (own) return own;
  for (const resources of state.regionEc2(region)) {
    const image = resources.images.get(id);
    if (image && canUseImage(image, state.scope.accountId)) return image;
  }
  return undefined;
}

/** The caller's snapshots and other accounts' public ones in its Region, in creation order. */
export function usableSnapshots(state: Ec2State): SnapshotRecord[] {
  const others = state
    .regionEc2()
    .filter((resources) => resources !== state.ec2)
    .flatMap((resources) => [...resources.snapshots.values()].filter((s) => s.isPublic));
  return [...state.ec2.snapshots.values(), ...others].sort((a, b) => a.seq - b.seq);
}

export function findUsableSnapshot(state: Ec2State, id: string): SnapshotRecord | undefined {
  const own = state.ec2.snapshots.get(id);
  if (own) return own;
  for (const resources of state.regionEc2()) {
    const snapshot = resources.snapshots.get(id);
    if (snapshot?.isPublic) return snapshot;
  }
  return undefined;
}
