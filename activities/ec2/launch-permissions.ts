/**
 * Sharing an image: launch permissions for accounts (or everyone), organizations and organizational
 * units. The permissions the image already has are read first and only the missing ones are added, so
 * a retry or a replay changes nothing and says so.
 */
import { DescribeImageAttributeCommand, ModifyImageAttributeCommand, type EC2Client, type LaunchPermission } from '@aws-sdk/client-ec2';
import type { DistributionSpec } from '../../contracts/distribution';
import { awsCall } from '../aws/call';

/** Who may launch the image; `all` among the accounts makes it public (Group=all). */
export type ImageShare = Pick<DistributionSpec['shareWith'], 'accounts' | 'organizations' | 'organizationalUnits'>;

/**
 * A permission as one string: the account ID, `all`, or the organization's or OU's ARN. The kinds
 * cannot be confused: 12 digits, a word, and ARNs of different resource types.
 */
const permissionKey = (p: LaunchPermission): string => p.UserId ?? p.Group ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? '';

function wantedPermissions(share: ImageShare): LaunchPermission[] {
  return [
    ...share.accounts.map((account): LaunchPermission => (account === 'all' ? { Group: 'all' } : { UserId: account })),
    ...share.organizations.map((OrganizationArn) => ({ OrganizationArn })),
    ...share.organizationalUnits.map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
  ];
}

async function currentPermissions(ec2: EC2Client, imageId: string): Promise<Set<string>> {
  const out = await awsCall(`DescribeImageAttribute (${imageId} launchPermission)`, () =>
    ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' })),
  );
  return new Set((out.LaunchPermissions ?? []).map(permissionKey));
}

/** Returns the permissions this call added (as `permissionKey` writes them); none when the image already had them all. */
export async function shareImage(ec2: EC2Client, imageId: string, share: ImageShare): Promise<string[]> {
  const current = await currentPermissions(ec2, imageId);
  const missing = new Map(wantedPermissions(share).map((p) => [permissionKey(p), p]));
  for (const key of current) missing.delete(key);
  if (missing.size === 0) return [];
  // Adding a permission the image has is no error, so the SDK's resend of a call whose answer was lost is harmless.
  await awsCall(`ModifyImageAttribute (${imageId} launchPermission)`, () =>
    ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [...missing.values()] } })),
  );
  return [...missing.keys()];
}
