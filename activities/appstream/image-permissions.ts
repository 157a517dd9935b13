/**
 * Sharing an AppStream image with another account: UpdateImagePermissions, after DescribeImagePermissions
 * shows whether the account already has exactly these permissions (a retry, or a run sharing again),
 * so that a share already in place costs no mutating call.
 */
import { DescribeImagePermissionsCommand, UpdateImagePermissionsCommand, type AppStreamClient } from '@aws-sdk/client-appstream';
import { awsCall } from '../aws/call';

export interface AppStreamShare {
  imageName: string;
  account: string;
  allowFleet: boolean;
  allowImageBuilder: boolean;
}

export async function shareAppStreamImage(appstream: AppStreamClient, share: AppStreamShare): Promise<'shared' | 'already'> {
  const out = await awsCall('DescribeImagePermissions', () =>
    appstream.send(new DescribeImagePermissionsCommand({ Name: share.imageName, SharedAwsAccountIds: [share.account] })),
  );
  const current = out.SharedImagePermissionsList?.find((p) => p.sharedAccountId === share.account)?.imagePermissions;
  if (current && !!current.allowFleet === share.allowFleet && !!current.allowImageBuilder === share.allowImageBuilder) return 'already';
  await awsCall('UpdateImagePermissions', () =>
    appstream.send(
      new UpdateImagePermissionsCommand({
        Name: share.imageName,
        SharedAccountId: share.account,
        ImagePermissions: { allowFleet: share.allowFleet, allowImageBuilder: share.allowImageBuilder },
      }),
    ),
  );
  return 'shared';
}
