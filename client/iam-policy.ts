/**
 * `golden-image iam-policy`: the least-privilege IAM policy for the worker that runs one pipeline,
 * scoped to that pipeline's region and account, its build instance, its rollout targets, its launch
 * template and its AppStream names, and to the resources that carry its `golden-image:pipeline` tag.
 * docs/iam-policy.json is the same policy for any pipeline; docs/iam-policy.md explains each statement.
 */
import type { PipelineInput, PipelineKindName } from '../contracts/pipeline-kinds';
import { PIPELINE_TAG, RELEASED_TAG } from '../contracts/tags';

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

export interface PolicyTarget {
  region: string;
  /** The account's 12 digits, or `*`. */
  account: string;
}

/**
 * Condition values are read for policy variables (`${aws:username}`): a `$` in a tag value is written
 * `${$}` so that it matches literally. StringEquals reads no wildcards, so nothing else needs escaping.
 */
const literal = (value: string) => value.replaceAll('$', '${$}');

/** On a resource it already owns, a run may only restate its pipeline tag and mark the resource released. */
const onlyReleaseTags = { 'aws:TagKeys': [PIPELINE_TAG, RELEASED_TAG] };

const tagConditions = (prefix: 'aws:ResourceTag' | 'aws:RequestTag', tags: Record<string, string>) =>
  Object.fromEntries(Object.entries(tags).map(([key, value]) => [`${prefix}/${key}`, literal(value)]));

const statement = (Sid: string, Action: string[], Resource: string | string[], Condition?: IamStatement['Condition']): IamStatement => ({
  Sid,
  Effect: 'Allow',
  Action: [...Action].sort(),
  Resource,
  ...(Condition && { Condition }),
});

function amiPolicy(input: PipelineInput<'ami'>, { region, account }: PolicyTarget): IamStatement[] {
  const ec2 = (type: string, id: string, owner = account) => `arn:aws:ec2:${region}:${owner}:${type}/${id}`;
  // EC2 image and snapshot ARNs carry no account.
  const images = [ec2('image', '*', ''), ec2('snapshot', '*', '')];
  const ownResources = { StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG}`]: literal(input.name) } };
  const taggedAtCreation = { StringEquals: { [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name) } };
  const instances = (target: { instanceId?: string; instanceIds?: string[]; tags?: Record<string, string> }) =>
    target.tags
      ? { Resource: ec2('instance', '*'), Condition: { StringEquals: tagConditions('aws:ResourceTag', target.tags) } }
      : { Resource: (target.instanceIds ?? [target.instanceId!]).map((id) => ec2('instance', id)) };

  const describe = ['ec2:DescribeImages', 'ec2:DescribeInstances'];
  if (input.fastLaunch) describe.push('ec2:DescribeFastLaunchImages', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions');
  else if (input.retention) describe.push('ec2:DescribeFastLaunchImages');
  if (input.rollout) describe.push('ec2:DescribeReplaceRootVolumeTasks');

  const build = instances({ instanceId: input.instanceId, tags: input.instanceTags });
  const statements = [
    // Describe calls support no resource-level permissions.
    statement('Ec2Describe', describe, '*'),
    statement('Ec2CreateImageFromBuildInstance', ['ec2:CreateImage'], build.Resource, build.Condition),
    statement('Ec2CreateImageOnlyTagged', ['ec2:CreateImage'], images, taggedAtCreation),
    statement(
      'Ec2TagOnlyWhileCreating',
      ['ec2:CreateTags'],
      [...images, ...(input.rollout ? [ec2('replace-root-volume-task', '*')] : [])],
      {
        StringEquals: {
          'ec2:CreateAction': input.rollout ? ['CreateImage', 'CreateReplaceRootVolumeTask'] : ['CreateImage'],
          [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name),
        },
      },
    ),
    // The end of a successful run marks its image released, so that retention may count it.
    statement('Ec2MarkThisPipelinesImagesReleased', ['ec2:CreateTags'], ec2('image', '*', ''), {
      StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG}`]: literal(input.name), [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name) },
      'ForAllValues:StringEquals': onlyReleaseTags,
    }),
    statement(
      'Ec2RetireOnlyThisPipelinesImages',
      ['ec2:DeregisterImage', 'ec2:DeleteSnapshot', ...(input.fastLaunch || input.retention ? ['ec2:DisableFastLaunch'] : [])],
      images,
      ownResources,
    ),
  ];
  if (input.fastLaunch) {
    const template = input.fastLaunch.launchTemplate;
    statements.push(
      statement('Ec2FastLaunchOnlyThisPipelinesImages', ['ec2:EnableFastLaunch'], ec2('image', '*', ''), ownResources),
      // A launch template's ARN holds its ID, not its name: by name, any template of the account.
      ...(template ? [statement('Ec2FastLaunchTemplate', ['ec2:EnableFastLaunch'], ec2('launch-template', template.id ?? '*'))] : []),
      statement(
        'FastLaunchServiceLinkedRole',
        ['iam:CreateServiceLinkedRole'],
        `arn:aws:iam::${account}:role/aws-service-role/ec2fastlaunch.amazonaws.com/AWSServiceRoleForEC2FastLaunch`,
        { StringEquals: { 'iam:AWSServiceName': 'ec2fastlaunch.amazonaws.com' } },
      ),
    );
  }
  if (input.rollout) {
    const fleet = instances(input.rollout);
    statements.push(
      statement('Ec2RollOutToTheFleet', ['ec2:CreateReplaceRootVolumeTask'], fleet.Resource, fleet.Condition),
      statement('Ec2RollOutOnlyThisPipelinesImages', ['ec2:CreateReplaceRootVolumeTask'], ec2('image', '*', ''), ownResources),
      statement('Ec2RollOutTasksOnlyTagged', ['ec2:CreateReplaceRootVolumeTask'], ec2('replace-root-volume-task', '*'), taggedAtCreation),
      // The root volumes being replaced: reachable only through an instance the statement above allows.
      statement('Ec2RollOutRootVolumes', ['ec2:CreateReplaceRootVolumeTask'], ec2('volume', '*')),
    );
  }
  return statements;
}

/** A name template's fixed head: `{{pipeline}}-{{date}}` of pipeline `golden` gives `golden-*`. */
function namePattern(template: string, pipeline: string): string {
  const filled = template.replaceAll('{{pipeline}}', pipeline);
  const open = filled.indexOf('{{');
  return open < 0 ? filled : `${filled.slice(0, open)}*`;
}

function appStreamPolicy(
  kind: 'appstream-update' | 'appstream-builder',
  input: PipelineInput<'appstream-update'> | PipelineInput<'appstream-builder'>,
  { region, account }: PolicyTarget,
): IamStatement[] {
  const appstream = (type: string, name: string, owner = account) => `arn:aws:appstream:${region}:${owner}:${type}/${name}`;
  const ownResources = { StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG}`]: literal(input.name) } };
  const taggedAsThisPipeline = { StringEquals: { [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name) } };
  if (kind === 'appstream-update') {
    const update = input as PipelineInput<'appstream-update'>;
    const newImages = appstream('image', namePattern(update.newImageName, update.name));
    return [
      statement('AppStreamDescribe', ['appstream:DescribeImages'], '*'),
      // Retention reads the tags of every private image to find this pipeline's own.
      statement('AppStreamReadTags', ['appstream:ListTagsForResource'], appstream('image', '*')),
      statement('AppStreamUpdateImage', ['appstream:CreateUpdatedImage'], [appstream('image', update.existingImageName), newImages]),
      // Tags only the names this pipeline makes, and only as this pipeline's own.
      statement('AppStreamTagOnlyThisPipelinesImages', ['appstream:TagResource'], newImages, taggedAsThisPipeline),
      // Any name, so that images made under an earlier name template are retired too: the tag decides.
      statement('AppStreamRetireOnlyThisPipelinesImages', ['appstream:DeleteImage'], appstream('image', '*'), ownResources),
    ];
  }
  const builder = input as PipelineInput<'appstream-builder'>;
  const arn = appstream('image-builder', builder.name);
  const change = { start: 'appstream:StartImageBuilder', stop: 'appstream:StopImageBuilder', delete: 'appstream:DeleteImageBuilder' };
  const statements = [
    statement('AppStreamDescribe', ['appstream:DescribeImageBuilders'], '*'),
    statement('AppStreamReadTags', ['appstream:ListTagsForResource'], arn),
  ];
  if (builder.action === 'create') {
    statements.push(
      // The source image: an AWS base image (whose ARN has no account) or one of yours.
      statement('AppStreamCreateBuilder', ['appstream:CreateImageBuilder'], [arn, appstream('image', builder.imageName!, '*')]),
      statement('AppStreamTagOnlyThisBuilder', ['appstream:TagResource'], arn, taggedAsThisPipeline),
      // A cancelled create deletes the builder it made.
      statement('AppStreamRemoveThisBuilder', ['appstream:DeleteImageBuilder'], arn, ownResources),
    );
  } else {
    statements.push(statement('AppStreamChangeThisBuilder', [change[builder.action]], arn));
  }
  return statements;
}

/** The policy for the worker identity that runs this one pipeline. */
export function pipelinePolicy<K extends PipelineKindName>(kind: K, input: PipelineInput<K>, target: PolicyTarget): IamPolicy {
  const statements =
    kind === 'ami'
      ? amiPolicy(input as PipelineInput<'ami'>, target)
      : appStreamPolicy(kind as 'appstream-update' | 'appstream-builder', input as PipelineInput<'appstream-update'>, target);
  return { Version: '2012-10-17', Statement: statements };
}
