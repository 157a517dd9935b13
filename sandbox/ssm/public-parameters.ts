import { writeVersion } from './parameters';
import type { NodePlatform, SsmState } from './state';

/**
 * AWS's public parameters for the newest base AMIs, which AWS keeps in every Region and any account reads
 * with GetParameter(s): a String (DataType `text`, as AWS answers for them) holding the AMI ID, with an ARN
 * that names no account (`arn:aws:ssm:<region>::parameter/aws/service/…`). Each points at the sandbox's
 * base image of its platform in that Region; publishing a newer base image (the admin API) adds a version.
 * The Linux ones are siblings: AL2023's default kernel is 6.1, so both name the same AMI, as on AWS.
 */
export const PUBLIC_IMAGE_PARAMETERS: Readonly<Record<NodePlatform, readonly string[]>> = {
  windows: ['/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base'],
  linux: [
    '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64',
  ],
};

/** `state` is the view of AWS's account in a Region: `platform`'s parameters now hold `imageId`, as of `at`. */
export function pointPublicParameters(
  state: SsmState,
  platform: NodePlatform,
  imageId: string,
  at: number,
): { name: string; version: number }[] {
  return PUBLIC_IMAGE_PARAMETERS[platform].map((name) => {
    const { version } = writeVersion(state.ssm.parameters, name, new Map(), {
      type: 'String',
      value: imageId,
      dataType: 'text',
      tier: 'Standard',
      modifiedAt: at,
      modifiedBy: `arn:aws:iam::${state.scope.accountId}:root`,
    });
    return { name, version };
  });
}
