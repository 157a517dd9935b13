/**
 * Publish: a new launch-template version whose ImageId is the run's image, made from the template's
 * default version, and optionally made the default. CreateLaunchTemplateVersion takes a ClientToken,
 * derived from the work (not the run or the attempt), so a retry, a lost answer resent by the SDK or a
 * replay after a crash gets the first version back instead of making a second one.
 */
import { createHash } from 'node:crypto';
import { CreateLaunchTemplateVersionCommand, ModifyLaunchTemplateCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';
import { terminalState } from '../aws/not-ready';

export interface LaunchTemplateVersionRequest {
  /** Exactly one of the two. */
  template: { id?: string; name?: string };
  imageId: string;
  setDefault: boolean;
  /** Names this piece of work (workflow, template, Region); the same key never makes two versions. */
  workKey: string;
}

export interface PublishedLaunchTemplateVersion {
  launchTemplateId: string;
  version: number;
  isDefault: boolean;
}

/** EC2 takes client tokens of up to 128 ASCII characters: a SHA-256 in hex fits any work key. */
function clientToken(workKey: string): string {
  return createHash('sha256').update(workKey).digest('hex');
}

export async function publishLaunchTemplateVersion(
  ec2: EC2Client,
  request: LaunchTemplateVersionRequest,
): Promise<PublishedLaunchTemplateVersion> {
  const { template, imageId } = request;
  const out = await awsCall(`CreateLaunchTemplateVersion (${template.id ?? template.name})`, () =>
    ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: template.id,
        LaunchTemplateName: template.name,
        SourceVersion: '$Default',
        LaunchTemplateData: { ImageId: imageId },
        ClientToken: clientToken(request.workKey),
      }),
    ),
  );
  const created = out.LaunchTemplateVersion;
  if (!created?.LaunchTemplateId || created.VersionNumber === undefined) {
    throw terminalState('CreateLaunchTemplateVersionNoVersion', 'CreateLaunchTemplateVersion returned no template ID or version number');
  }
  const published = {
    launchTemplateId: created.LaunchTemplateId,
    version: created.VersionNumber,
    isDefault: created.DefaultVersion === true,
  };
  if (!request.setDefault || published.isDefault) return published;
  // Setting the default to a version that already is the default changes nothing, so a retry is safe.
  await awsCall(`ModifyLaunchTemplate (${published.launchTemplateId})`, () =>
    ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: published.launchTemplateId, DefaultVersion: String(published.version) })),
  );
  return { ...published, isDefault: true };
}
