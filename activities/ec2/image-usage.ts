/**
 * Which of a place's images are still in use, so that retention spares them: an instance runs from one
 * (in any state but terminated: a stopped instance starts from it again), the `$Default` or `$Latest`
 * version of a published launch template launches it, or a published SSM parameter names it.
 *
 * The checks run cheapest first, each asking only about the images no earlier check found in use: the
 * SSM parameters (GetParameters, 10 names a call) and launch templates (one DescribeLaunchTemplateVersions
 * each), whose cost does not grow with the number of images, then the instances (DescribeInstances by
 * image ID, 200 a filter) for the rest. Launch templates and SSM parameters are published in the build
 * account only, so in another account only instances are looked for.
 */
import { DescribeLaunchTemplateVersionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ImagesInUse } from '../../contracts/retention';
import type { Place } from '../../contracts/place';
import { awsCall } from '../aws/call';
import type { AwsClients } from '../aws/clients';
import { isAwsErrorCode } from '../aws/errors';
import { inChunks } from '../aws/state-watcher';
import { exactFilter, FILTER_VALUES } from './filters';
import { describeFiltered, type InstanceFacts } from './instance-lookup';

/** GetParameters takes at most 10 names. */
const PARAMETERS_PER_CALL = 10;
/** Every state an instance can be launched or started from again: all but terminated. */
const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

type LaunchTemplateRef = ImagesInUse['launchTemplates'][number];
/** The images among `imageIds` that one kind of use holds, each with why. */
type UsageCheck = (imageIds: string[]) => Promise<Map<string, string>>;

/** Image ID → why it is in use, for those of `imageIds` that are; an image not in the record is free to retire. */
export async function findImagesInUse(
  clients: AwsClients,
  imageIds: string[],
  inUse: ImagesInUse,
  place: Place = {},
): Promise<Record<string, string>> {
  const { ec2, ssm } = clients.at(place);
  const checks: UsageCheck[] = [];
  if (!place.roleArn) {
    const home = await clients.homeRegion();
    const region = place.region ?? home;
    const parameters = inUse.ssmParameters;
    const templates = inUse.launchTemplates.filter((t) => (t.region ?? home) === region);
    if (parameters.length) checks.push((ids) => usedByParameters(ssm, parameters, ids));
    for (const template of templates) checks.push((ids) => usedByLaunchTemplate(ec2, template, ids));
  }
  checks.push((ids) => usedByInstances(ec2, ids));

  const reasons: Record<string, string> = {};
  for (const check of checks) {
    const open = imageIds.filter((id) => !Object.hasOwn(reasons, id));
    if (!open.length) break;
    for (const [imageId, reason] of await check(open)) reasons[imageId] = reason;
  }
  return reasons;
}

async function usedByParameters(ssm: SSMClient, names: string[], imageIds: string[]): Promise<Map<string, string>> {
  const values = await inChunks(names, PARAMETERS_PER_CALL, async (batch) => {
    // A name SSM does not know comes back in InvalidParameters: such a parameter points at nothing.
    const out = await awsCall('GetParameters', () => ssm.send(new GetParametersCommand({ Names: batch })));
    return new Map((out.Parameters ?? []).map((p) => [p.Name ?? '', p.Value ?? '']));
  });
  const used = new Map<string, string>();
  for (const [name, value] of values) {
    if (imageIds.includes(value) && !used.has(value)) used.set(value, `SSM parameter ${name} names it`);
  }
  return used;
}

/**
 * The template's `$Default` and `$Latest` versions in one call. ResolveAlias gives the AMI ID of a
 * version whose ImageId is `resolve:ssm:<parameter>`, which is what an instance would launch from.
 */
async function usedByLaunchTemplate(ec2: EC2Client, template: LaunchTemplateRef, imageIds: string[]): Promise<Map<string, string>> {
  const label = template.id ?? template.name ?? '';
  let versions;
  try {
    const out = await awsCall(`DescribeLaunchTemplateVersions (${label})`, () =>
      ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
          Versions: ['$Default', '$Latest'],
          ResolveAlias: true,
        }),
      ),
    );
    versions = out.LaunchTemplateVersions ?? [];
  } catch (err) {
    // A template deleted since it was published launches nothing.
    if (isAwsErrorCode(err, 'InvalidLaunchTemplateId.NotFound', 'InvalidLaunchTemplateName.NotFoundException')) return new Map();
    throw err;
  }
  const latest = Math.max(...versions.map((v) => v.VersionNumber ?? 0));
  const used = new Map<string, string>();
  for (const v of versions) {
    const imageId = v.LaunchTemplateData?.ImageId ?? '';
    if (!imageIds.includes(imageId) || used.has(imageId)) continue;
    const which = [v.DefaultVersion ? '$Default' : '', v.VersionNumber === latest ? '$Latest' : ''].filter(Boolean).join(' and ');
    used.set(imageId, `launch template ${label} version ${v.VersionNumber} (${which}) launches it`);
  }
  return used;
}

function usedByInstances(ec2: EC2Client, imageIds: string[]): Promise<Map<string, string>> {
  return inChunks(imageIds, FILTER_VALUES, async (ids) => {
    const instances = await describeFiltered(ec2, [exactFilter('image-id', ids), exactFilter('instance-state-name', LIVE_STATES)]);
    const byImage = new Map<string, InstanceFacts[]>();
    for (const instance of instances) {
      const same = byImage.get(instance.imageId);
      if (same) same.push(instance);
      else byImage.set(instance.imageId, [instance]);
    }
    return new Map(
      [...byImage].map(([imageId, [first, ...others]]) => {
        const who = `instance ${first!.instanceId} (${first!.state})`;
        return [imageId, others.length ? `${who} and ${others.length} more run from it` : `${who} runs from it`];
      }),
    );
  });
}
