/**
 * `golden-image iam-policy`: the least-privilege IAM policy for the worker that runs one pipeline,
 * scoped to that pipeline's Regions and account, its build instance (or, for a bake, its base image,
 * network, instance profile and SSM documents), its rollout targets (instances, or Auto Scaling groups),
 * its launch templates, SSM parameters, KMS keys, distribution roles and AppStream names, and to the
 * resources that carry its `golden-image:pipeline` tag. docs/iam-policy.json (with its bake, Auto
 * Scaling and AppStream parts) is the same policy for any pipeline; docs/iam-policy.md explains each statement. The
 * role the worker assumes in other accounts has its own policy (docs/iam-distribution-role.json), which
 * this one does not contain: it only lets the worker assume exactly the roles the config names.
 */
import type { FastLaunchTemplate, RolloutSpec } from '../contracts/ami-pipeline';
import type { PipelineInput, PipelineKindName } from '../contracts/pipeline-kinds';
import { PIPELINE_TAG, RELEASED_TAG, LAUNCH_TEMPLATE_ID_TAG } from '../contracts/tags';

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
  /** The build Region: where the worker runs the pipeline. */
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

const unique = <T>(values: T[]) => [...new Set(values)];

/** In a Resource ARN `*` and `?` are wildcards and `$` opens a policy variable: `${*}`, `${?}` and `${$}` match them literally. */
const arnLiteral = (value: string) => value.replace(/[*?$]/g, (c) => `\${${c}}`);

/** Only the resources that carry this pipeline's tag (`aws:ResourceTag`), or only with it in the request (`aws:RequestTag`). */
const pipelineTagged = (prefix: 'aws:ResourceTag' | 'aws:RequestTag', pipeline: string) => ({
  StringEquals: { [`${prefix}/${PIPELINE_TAG}`]: literal(pipeline) },
});

/** An SSM parameter's ARN drops the name's leading "/"; AWS's public parameters (`/aws/service/...`) have no account. */
const parameterArn = (region: string, account: string, name: string) => {
  const path = name.replace(/^\//, '');
  return `arn:aws:ssm:${region}:${/^aws\//i.test(path) ? '' : account}:parameter/${path}`;
};

/** One resource as a string (as IAM's own examples write it), several as a list. */
const resources = (arns: string[]): string | string[] => (arns.length === 1 ? arns[0]! : unique(arns));

const statement = (Sid: string, Action: string[], Resource: string | string[], Condition?: IamStatement['Condition']): IamStatement => ({
  Sid,
  Effect: 'Allow',
  Action: [...Action].sort(),
  Resource,
  ...(Condition && { Condition }),
});

/** The Regions of the worker's own account that one ami pipeline acts in. */
interface AmiRegions {
  /** Where the run's images are: the build Region, then each copy's. */
  images: string[];
  /** Where fast launch is enabled, each with its launch template. */
  fastLaunch: { region: string; template?: FastLaunchTemplate }[];
  /** Every Region the pipeline calls EC2 in: the describes name no resource, so they are held to these. */
  all: string[];
}

function amiRegions(input: PipelineInput<'ami'>, home: string): AmiRegions {
  const images = [home, ...(input.distribution?.regions.map((r) => r.region) ?? [])];
  const spec = input.fastLaunch;
  const fastLaunch = !spec
    ? []
    : spec.regions === undefined
      ? [{ region: home, template: spec.launchTemplate }]
      : spec.regions === 'all'
        ? images.map((region) => ({ region, template: spec.launchTemplate }))
        : spec.regions.map((e) => (typeof e === 'string' ? { region: e, template: spec.launchTemplate } : e));
  const templates = input.publish?.launchTemplates.map((t) => t.region ?? home) ?? [];
  return { images, fastLaunch, all: unique([...images, ...fastLaunch.map((f) => f.region), ...templates]) };
}

/** What EBS needs of a KMS key to encrypt a copy with it, on the caller's behalf (AWS's EBS encryption requirements). */
const EBS_KEY_USE = ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

const KMS_ARN = /^(arn:[^:]+):kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/;

/**
 * The keys that encrypt this account's copies. A key named by ID or key ARN is one resource; a key named
 * by alias is any key of that Region and account that carries the alias (`kms:ResourceAliases`), since
 * KMS authorizes the key, never the alias. Only through EC2 (`kms:ViaService`), and grants only for AWS
 * resources; DescribeKey directly, for the preflight.
 */
function kmsStatements(keys: { keyId: string; region: string }[], account: string): IamStatement[] {
  const byKey: string[] = [];
  const byAlias: { arn: string; alias: string; region: string }[] = [];
  const byKeyRegions: string[] = [];
  for (const { keyId, region } of keys) {
    const arn = KMS_ARN.exec(keyId);
    if (arn?.[4] === 'key') {
      byKey.push(keyId);
      byKeyRegions.push(arn[2]!);
    } else if (arn) byAlias.push({ arn: `${arn[1]}:kms:${arn[2]}:${arn[3]}:key/*`, alias: `alias/${arn[5]}`, region: arn[2]! });
    else if (keyId.startsWith('alias/')) byAlias.push({ arn: `arn:aws:kms:${region}:${account}:key/*`, alias: keyId, region });
    else {
      byKey.push(`arn:aws:kms:${region}:${account}:key/${keyId}`);
      byKeyRegions.push(region);
    }
  }
  const throughEc2 = (regions: string[]) => ({
    StringEquals: { 'kms:ViaService': unique(regions).map((r) => `ec2.${r}.amazonaws.com`) },
    // Present only on grant calls: there it must say that the grant is for an AWS resource.
    BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' },
  });
  const statements: IamStatement[] = [];
  if (byKey.length) {
    statements.push(
      statement('KmsDescribeCopyKeys', ['kms:DescribeKey'], resources(byKey)),
      statement('KmsEncryptCopiesThroughEc2', EBS_KEY_USE, resources(byKey), throughEc2(byKeyRegions)),
    );
  }
  if (byAlias.length) {
    const aliased = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': unique(byAlias.map((k) => k.alias)) } };
    const arns = resources(byAlias.map((k) => k.arn));
    statements.push(
      statement('KmsDescribeCopyKeysByAlias', ['kms:DescribeKey'], arns, aliased),
      statement('KmsEncryptCopiesThroughEc2ByAlias', EBS_KEY_USE, arns, { ...throughEc2(byAlias.map((k) => k.region)), ...aliased }),
    );
  }
  return statements;
}

/** SSM's reserved document-name prefixes: a document whose name starts with one is AWS's, and its ARN has no account. */
const AWS_DOCUMENT = /^(?:aws|amazon|amzn)/i;

/**
 * A bake (`source` and `build`, and `test`): launch the build and test instances in the build Region
 * from the base image and the new image, into the named network (or any of the Region's, for EC2's
 * defaults), only with this pipeline's tag and IMDSv2 required; pass the instance profile's role; run
 * the named SSM documents only on this pipeline's instances; stop and terminate only those.
 */
function bakeStatements(input: PipelineInput<'ami'>, { region, account }: PolicyTarget): IamStatement[] {
  const ec2 = (type: string, id: string, owner = account) => `arn:aws:ec2:${region}:${owner}:${type}/${id}`;
  const build = input.build!;
  const test = input.test;
  // The test instance takes the build's settings unless it gives its own (workflows/bake.ts).
  const launches = [
    build,
    ...(test
      ? [
          {
            subnetId: test.subnetId ?? build.subnetId,
            securityGroupIds: test.securityGroupIds ?? build.securityGroupIds,
            instanceProfile: test.instanceProfile ?? build.instanceProfile,
          },
        ]
      : []),
  ];
  // An instance given no subnet or security group gets the default VPC's subnet or the VPC's default group: any of the Region's.
  const named = (type: string, perLaunch: (string[] | undefined)[]) =>
    perLaunch.some((ids) => !ids?.length) ? [ec2(type, '*')] : unique(perLaunch.flatMap((ids) => ids!)).map((id) => ec2(type, id));
  const subnets = launches.map((l) => (l.subnetId ? [l.subnetId] : undefined));
  const groups = launches.map((l) => l.securityGroupIds);
  const network = [...named('subnet', subnets), ...named('security-group', groups), ec2('network-interface', '*')];
  // The source may be AWS's, a Marketplace image or one of yours (an image ARN has no account); the test
  // instance launches from the new image, which `image/*` covers unless the source is one named image.
  const sourceImageId = input.source!.imageId;
  const own = pipelineTagged('aws:ResourceTag', input.name);
  const tagged = pipelineTagged('aws:RequestTag', input.name);
  const statements = [
    statement('Ec2LaunchFromSourceImageIntoNetwork', ['ec2:RunInstances'], [ec2('image', sourceImageId ?? '*', ''), ...network]),
    ...(sourceImageId && test ? [statement('Ec2LaunchTestFromThisPipelinesImages', ['ec2:RunInstances'], ec2('image', '*', ''), own)] : []),
    // ec2:MetadataHttpTokens is a key of the instance only: on the volume statement it would never match.
    statement('Ec2LaunchOnlyTaggedInstancesWithImdsV2', ['ec2:RunInstances'], ec2('instance', '*'), {
      StringEquals: { ...tagged.StringEquals, 'ec2:MetadataHttpTokens': 'required' },
    }),
    statement('Ec2LaunchOnlyTaggedVolumes', ['ec2:RunInstances'], ec2('volume', '*'), tagged),
    statement('Ec2TagOnlyWhileLaunching', ['ec2:CreateTags'], [ec2('instance', '*'), ec2('volume', '*')], {
      StringEquals: { 'ec2:CreateAction': 'RunInstances', [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name) },
    }),
    statement('Ec2StopAndTerminateOnlyThisPipelinesInstances', ['ec2:StopInstances', 'ec2:TerminateInstances'], ec2('instance', '*'), own),
  ];
  // The config names instance profiles; RunInstances passes their roles, assumed to have the same name (and path).
  const roles = unique(launches.flatMap((l) => (l.instanceProfile ? [l.instanceProfile] : []))).map((profile) =>
    profile.startsWith('arn:') ? profile.replace(':instance-profile/', ':role/') : `arn:aws:iam::${account}:role/${profile}`,
  );
  if (roles.length) {
    statements.push(
      statement('IamPassInstanceProfileRoleToEc2', ['iam:PassRole'], resources(roles), {
        StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      }),
    );
  }
  const documents = unique([...build.steps, ...(test?.steps ?? [])].map((s) => s.document)).map((name) =>
    name.startsWith('arn:') ? name : `arn:aws:ssm:${region}:${AWS_DOCUMENT.test(name) ? '' : account}:document/${name}`,
  );
  statements.push(
    // SendCommand is authorized on the document and on the instance: these documents, only on this pipeline's instances.
    // DescribeDocument checks them before anything is launched.
    statement('SsmRunStepDocuments', ['ssm:DescribeDocument', 'ssm:SendCommand'], resources(documents)),
    statement('SsmRunStepsOnlyOnThisPipelinesInstances', ['ssm:SendCommand'], ec2('instance', '*'), own),
    // Support no resource-level permissions: held to the build Region.
    statement('SsmReadCommandsAndAgents', ['ssm:DescribeInstanceInformation', 'ssm:ListCommandInvocations', 'ssm:ListCommands'], '*', {
      StringEquals: { 'aws:RequestedRegion': [region] },
    }),
  );
  const parameter = input.source!.ssmParameter;
  if (parameter) statements.push(statement('SsmReadSourceImageParameter', ['ssm:GetParameter'], parameterArn(region, account, parameter)));
  return statements;
}

/**
 * A rollout onto Auto Scaling groups (`rollout.autoScalingGroups`): the preflight's describes, held to the
 * groups' Regions; the instance refresh of exactly the named groups, each in its Region, with the one way
 * of stopping it the run uses (a rollback with `autoRollback`, else a cancel); and what AWS checks with the
 * caller's own permissions when a refresh names a launch template version (`DesiredConfiguration`): that
 * it may launch from that template, and tag what the template tags. The refresh's launches themselves are
 * Auto Scaling's, under its service-linked role.
 */
function autoScalingStatements(input: PipelineInput<'ami'>, { region: home, account }: PolicyTarget): IamStatement[] {
  const spec = input.rollout!;
  const groups = spec.autoScalingGroups!.map((g) => ({ name: g.name, region: g.region ?? home }));
  const regions = unique(groups.map((g) => g.region));
  const inTheirRegions = { StringEquals: { 'aws:RequestedRegion': regions } };
  // A group refreshes onto the version publish wrote of its template in its Region (the preflight refuses
  // any other): by ID that template; by name any template of the Region, since the ARN holds only the ID.
  const templates = (input.publish?.launchTemplates ?? [])
    .map((t) => ({ region: t.region ?? home, arn: `arn:aws:ec2:${t.region ?? home}:${account}:launch-template/${t.id ?? '*'}` }))
    .filter((t) => regions.includes(t.region));
  const launchRegions = unique(templates.map((t) => t.region));
  const statements = [
    // No resource-level permissions: held to the groups' Regions.
    statement(
      'AutoScalingDescribe',
      ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeInstanceRefreshes'],
      '*',
      inTheirRegions,
    ),
    // AWS returns composite alarms only to a DescribeAlarms allowed on "*".
    ...(spec.alarms ? [statement('CloudWatchDescribeAlarms', ['cloudwatch:DescribeAlarms'], '*', inTheirRegions)] : []),
    statement(
      'AutoScalingRefreshTheNamedGroups',
      ['autoscaling:StartInstanceRefresh', spec.autoRollback ? 'autoscaling:RollbackInstanceRefresh' : 'autoscaling:CancelInstanceRefresh'],
      resources(
        groups.map((g) => `arn:aws:autoscaling:${g.region}:${account}:autoScalingGroup:*:autoScalingGroupName/${arnLiteral(g.name)}`),
      ),
    ),
  ];
  if (templates.length) {
    statements.push(
      // Every resource of a launch (the image may be AWS's, the subnet another account's), but only of a
      // launch from these templates: without one, ec2:LaunchTemplate is absent and nothing matches.
      statement(
        'Ec2LaunchOnlyThroughTheGroupsTemplates',
        ['ec2:RunInstances'],
        resources(launchRegions.map((r) => `arn:aws:ec2:${r}:*:*`)),
        { ArnLike: { 'ec2:LaunchTemplate': unique(templates.map((t) => t.arn)) } },
      ),
      statement(
        'Ec2TagWhileTheGroupsTemplatesLaunch',
        ['ec2:CreateTags'],
        resources(launchRegions.map((r) => `arn:aws:ec2:${r}:${account}:*/*`)),
        { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      ),
    );
  }
  return statements;
}

function amiPolicy(input: PipelineInput<'ami'>, { region, account }: PolicyTarget): IamStatement[] {
  const ec2 = (type: string, id: string, owner = account, where = region) => `arn:aws:ec2:${where}:${owner}:${type}/${id}`;
  const regions = amiRegions(input, region);
  // EC2 image and snapshot ARNs carry no account.
  const imagesIn = (where: string[]) => where.map((r) => ec2('image', '*', '', r));
  const imagesAndSnapshotsIn = (where: string[]) => where.flatMap((r) => [ec2('image', '*', '', r), ec2('snapshot', '*', '', r)]);
  const ownResources = pipelineTagged('aws:ResourceTag', input.name);
  const taggedAtCreation = pipelineTagged('aws:RequestTag', input.name);
  // A rollout replaces root volumes of standalone instances, or refreshes Auto Scaling groups.
  const standalone = input.rollout?.autoScalingGroups ? undefined : input.rollout;
  /**
   * Instances by ID, by all of some tags, or by the launch template EC2 records on each (by ID that
   * template; by name any template, since the name's ID is only known at run time); with none of
   * these, a bake's build instance: one this pipeline launched, which carries its tag.
   */
  const instances = (
    target: Pick<RolloutSpec, 'instanceIds' | 'tags' | 'launchTemplate'>,
  ): Pick<IamStatement, 'Resource' | 'Condition'> => {
    if (target.instanceIds) return { Resource: target.instanceIds.map((id) => ec2('instance', id)) };
    const template = target.launchTemplate;
    const Condition = target.tags
      ? { StringEquals: tagConditions('aws:ResourceTag', target.tags) }
      : template?.id
        ? { StringEquals: { [`aws:ResourceTag/${LAUNCH_TEMPLATE_ID_TAG}`]: template.id } }
        : template
          ? { StringLike: { [`aws:ResourceTag/${LAUNCH_TEMPLATE_ID_TAG}`]: 'lt-*' } }
          : ownResources;
    return { Resource: ec2('instance', '*'), Condition };
  };

  const distribution = input.distribution;
  const copies = regions.images.length > 1;
  const protection = distribution?.deregistrationProtection === true;
  const retentionAction = input.retention?.action;
  const templates = input.publish?.launchTemplates ?? [];
  const parameters = input.publish?.ssmParameters ?? [];
  const share = distribution?.shareWith;
  const sharing =
    share !== undefined &&
    (share.public ||
      share.accounts.length + share.organizations.length + share.organizationalUnits.length + distribution!.accounts.length > 0);

  const describe = ['ec2:DescribeImages', 'ec2:DescribeInstances'];
  // The preflight asks EC2 which Regions are enabled whenever the pipeline names a Region.
  if (distribution || input.publish || input.fastLaunch?.regions) describe.push('ec2:DescribeRegions');
  if (input.fastLaunch || input.retention) describe.push('ec2:DescribeFastLaunchImages');
  // Fast launch and publish check their templates; a rollout by launch template looks up the template's ID.
  if (input.fastLaunch || templates.length || input.rollout?.launchTemplate) describe.push('ec2:DescribeLaunchTemplates');
  // Retention reads a published template's $Default and $Latest versions, to keep the images they launch.
  if (input.fastLaunch || (templates.length && input.retention)) describe.push('ec2:DescribeLaunchTemplateVersions');
  if (standalone) describe.push('ec2:DescribeReplaceRootVolumeTasks');

  const build = instances({ instanceIds: input.instanceId ? [input.instanceId] : undefined, tags: input.instanceTags });
  const bake = input.source && input.build ? bakeStatements(input, { region, account }) : [];
  const createActions = ['CreateImage', ...(standalone ? ['CreateReplaceRootVolumeTask'] : []), ...(copies ? ['CopyImage'] : [])];
  const changes = [
    ...(sharing ? ['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute'] : []),
    ...(distribution?.deprecateAfter || retentionAction === 'deprecate' ? ['ec2:EnableImageDeprecation'] : []),
    ...(protection ? ['ec2:EnableImageDeregistrationProtection'] : []),
    ...(retentionAction === 'disable' ? ['ec2:DisableImage'] : []),
  ];
  const statements = [
    // Describe calls support no resource-level permissions: only the Regions the pipeline works in.
    statement('Ec2Describe', describe, '*', { StringEquals: { 'aws:RequestedRegion': regions.all } }),
    statement('Ec2CreateImageFromBuildInstance', ['ec2:CreateImage'], build.Resource, build.Condition),
    statement('Ec2CreateImageOnlyTagged', ['ec2:CreateImage'], imagesAndSnapshotsIn([region]), taggedAtCreation),
    // CopyImage is checked on the source image (the build Region) and on the copy and its snapshots.
    ...(copies ? [statement('Ec2CopyImageOnlyTagged', ['ec2:CopyImage'], imagesAndSnapshotsIn(regions.images), taggedAtCreation)] : []),
    statement(
      'Ec2TagOnlyWhileCreating',
      ['ec2:CreateTags'],
      [...imagesAndSnapshotsIn(regions.images), ...(standalone ? [ec2('replace-root-volume-task', '*')] : [])],
      { StringEquals: { 'ec2:CreateAction': createActions, [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name) } },
    ),
    // The end of a successful run marks its images released, so that retention may count them.
    statement('Ec2MarkThisPipelinesImagesReleased', ['ec2:CreateTags'], resources(imagesIn(regions.images)), {
      StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG}`]: literal(input.name), [`aws:RequestTag/${PIPELINE_TAG}`]: literal(input.name) },
      'ForAllValues:StringEquals': onlyReleaseTags,
    }),
    statement(
      'Ec2RetireOnlyThisPipelinesImages',
      [
        'ec2:DeregisterImage',
        'ec2:DeleteSnapshot',
        ...(input.fastLaunch || input.retention ? ['ec2:DisableFastLaunch'] : []),
        // A protected image is released from protection before it is deregistered.
        ...(protection ? ['ec2:DisableImageDeregistrationProtection'] : []),
      ],
      imagesAndSnapshotsIn(regions.images),
      ownResources,
    ),
    ...(changes.length ? [statement('Ec2ChangeOnlyThisPipelinesImages', changes, resources(imagesIn(regions.images)), ownResources)] : []),
    ...bake,
  ];
  if (input.fastLaunch) {
    // A launch template's ARN holds its ID, not its name: by name, any template of the account in that Region.
    const fastLaunchTemplates = regions.fastLaunch.flatMap(({ region: r, template }) =>
      template ? [ec2('launch-template', template.id ?? '*', account, r)] : [],
    );
    statements.push(
      statement(
        'Ec2FastLaunchOnlyThisPipelinesImages',
        ['ec2:EnableFastLaunch'],
        resources(imagesIn(regions.fastLaunch.map((f) => f.region))),
        ownResources,
      ),
      ...(fastLaunchTemplates.length ? [statement('Ec2FastLaunchTemplate', ['ec2:EnableFastLaunch'], resources(fastLaunchTemplates))] : []),
      statement(
        'FastLaunchServiceLinkedRole',
        ['iam:CreateServiceLinkedRole'],
        `arn:aws:iam::${account}:role/aws-service-role/ec2fastlaunch.amazonaws.com/AWSServiceRoleForEC2FastLaunch`,
        { StringEquals: { 'iam:AWSServiceName': 'ec2fastlaunch.amazonaws.com' } },
      ),
    );
  }
  if (standalone) {
    const fleet = instances(standalone);
    statements.push(
      statement('Ec2RollOutToTheFleet', ['ec2:CreateReplaceRootVolumeTask'], fleet.Resource, fleet.Condition),
      statement('Ec2RollOutOnlyThisPipelinesImages', ['ec2:CreateReplaceRootVolumeTask'], ec2('image', '*', ''), ownResources),
      statement('Ec2RollOutTasksOnlyTagged', ['ec2:CreateReplaceRootVolumeTask'], ec2('replace-root-volume-task', '*'), taggedAtCreation),
      // The root volumes being replaced: reachable only through an instance the statement above allows.
      statement('Ec2RollOutRootVolumes', ['ec2:CreateReplaceRootVolumeTask'], ec2('volume', '*')),
    );
  }
  if (input.rollout?.autoScalingGroups) statements.push(...autoScalingStatements(input, { region, account }));
  if (templates.length) {
    const template = (t: (typeof templates)[number]) => ec2('launch-template', t.id ?? '*', account, t.region ?? region);
    const defaults = templates.filter((t) => t.setDefault);
    statements.push(
      statement('Ec2PublishLaunchTemplateVersions', ['ec2:CreateLaunchTemplateVersion'], resources(templates.map(template))),
      ...(defaults.length
        ? [statement('Ec2MakePublishedVersionsDefault', ['ec2:ModifyLaunchTemplate'], resources(defaults.map(template)))]
        : []),
    );
  }
  if (parameters.length) {
    // Written in every Region of this account that holds an image.
    const arns = regions.images.flatMap((r) => parameters.map((p) => parameterArn(r, account, p.name)));
    // Publish reads a parameter before it writes it; retention reads them all, to keep the images they name.
    const actions = ['ssm:GetParameter', 'ssm:PutParameter', ...(input.retention ? ['ssm:GetParameters'] : [])];
    statements.push(statement('SsmPublishImageParameters', actions, resources(arns)));
  }
  const keys = (distribution?.regions ?? []).flatMap((r) => (r.kmsKeyId ? [{ keyId: r.kmsKeyId, region: r.region }] : []));
  statements.push(...kmsStatements(keys, account));
  if (distribution?.accounts.length) {
    // Exactly the roles the config names; what the worker may do there is each role's own policy.
    statements.push(statement('StsAssumeDistributionRoles', ['sts:AssumeRole'], resources(distribution.accounts.map((a) => a.roleArn))));
  }
  return statements;
}

/** A name template's fixed head: `{{pipeline}}-{{date}}` of pipeline `golden` gives `golden-*`. */
function namePattern(template: string, pipeline: string): string {
  const filled = template.replaceAll('{{pipeline}}', pipeline);
  const open = filled.indexOf('{{');
  return open < 0 ? filled : `${filled.slice(0, open)}*`;
}

/** The test builder's name (workflows/appstream-image-update.ts): `test-` and the image's name, cut to AppStream's 100 characters. */
function testBuilderPattern(imagePattern: string): string {
  const full = `test-${imagePattern}`;
  return full.length > 100 ? `${full.slice(0, 100)}*` : full;
}

/**
 * appstream-update: the managed update, and with them its test builder, copies, sharing and fleets. Images
 * by the names the pipeline makes (the head of each name template) in the Region each is made in; fleets
 * by name in their Regions; retirement and sharing only of images that carry this pipeline's tag.
 */
function appStreamUpdatePolicy(update: PipelineInput<'appstream-update'>, { region, account }: PolicyTarget): IamStatement[] {
  const appstream = (where: string, type: string, name: string, owner = account) => `arn:aws:appstream:${where}:${owner}:${type}/${name}`;
  const own = pipelineTagged('aws:ResourceTag', update.name);
  const tagged = pipelineTagged('aws:RequestTag', update.name);
  const imagePattern = namePattern(update.newImageName, update.name);
  const newImages = appstream(region, 'image', imagePattern);
  // A copy keeps the new image's name unless copyTo[].name gives its own template.
  const copies = update.copyTo.map((c) => appstream(c.region, 'image', namePattern(c.name ?? update.newImageName, update.name)));
  const imageRegions = [region, ...update.copyTo.map((c) => c.region)];
  const anyImageIn = (where: string[]) => where.map((r) => appstream(r, 'image', '*'));
  const fleets = update.fleets.map((f) => appstream(f.region ?? region, 'fleet', f.name));
  const builder = update.test && appstream(region, 'image-builder', testBuilderPattern(imagePattern));
  const describe = [
    'appstream:DescribeImages',
    ...(builder ? ['appstream:DescribeImageBuilders'] : []),
    ...(fleets.length ? ['appstream:DescribeFleets'] : []),
  ];
  const statements = [
    // No resource-level permissions: held to the Regions the pipeline has images and fleets in.
    statement('AppStreamDescribe', describe, '*', { StringEquals: { 'aws:RequestedRegion': unique(imageRegions) } }),
    // The preflight asks EC2 whether each copy Region is enabled.
    ...(copies.length
      ? [statement('Ec2DescribeRegions', ['ec2:DescribeRegions'], '*', { StringEquals: { 'aws:RequestedRegion': [region] } })]
      : []),
    // Retention reads the tags of every private image to find this pipeline's own; a copy and the test builder are adopted by theirs.
    statement(
      'AppStreamReadTags',
      ['appstream:ListTagsForResource'],
      resources([...anyImageIn(imageRegions), ...(builder ? [builder] : [])]),
    ),
    statement('AppStreamUpdateImage', ['appstream:CreateUpdatedImage'], [appstream(region, 'image', update.existingImageName), newImages]),
    // Tags only the names this pipeline makes (and its test builder), and only as this pipeline's own.
    statement(
      'AppStreamTagOnlyThisPipelinesImages',
      ['appstream:TagResource'],
      resources([newImages, ...copies, ...(builder ? [builder] : [])]),
      tagged,
    ),
    // Any name, so that images made under an earlier name template are retired too: the tag decides.
    statement('AppStreamRetireOnlyThisPipelinesImages', ['appstream:DeleteImage'], resources(anyImageIn(imageRegions)), own),
  ];
  if (builder) {
    statements.push(
      // From the new image; the builder is made with this pipeline's tag (CreateImageBuilder's Tags, so TagResource above too).
      statement('AppStreamCreateTestBuilder', ['appstream:CreateImageBuilder'], [builder, newImages], tagged),
      statement('AppStreamRemoveTestBuilder', ['appstream:DeleteImageBuilder', 'appstream:StopImageBuilder'], builder, own),
    );
  }
  if (copies.length) {
    statements.push(
      // CopyImage is sent in the build Region and authorized on the source image, which is tagged by then.
      statement('AppStreamCopyOnlyThisPipelinesImages', ['appstream:CopyImage'], newImages, own),
      // CopyImage takes no tags: a copy is tagged once AVAILABLE, so a run that ends before then removes it by its name.
      statement('AppStreamRemoveUnfinishedCopies', ['appstream:DeleteImage'], resources(copies)),
    );
  }
  if (update.shareWith.length) {
    statements.push(
      statement(
        'AppStreamShareOnlyThisPipelinesImages',
        ['appstream:DescribeImagePermissions', 'appstream:UpdateImagePermissions'],
        resources([newImages, ...copies]),
        own,
      ),
    );
  }
  if (fleets.length) {
    const fleetRegions = unique(update.fleets.map((f) => f.region ?? region));
    statements.push(
      // Stopped and started around the update only with `fleetUpdate.restart` (a rollback restarts only what the run restarted).
      statement(
        'AppStreamUpdateTheNamedFleets',
        ['appstream:UpdateFleet', ...(update.fleetUpdate.restart ? ['appstream:StartFleet', 'appstream:StopFleet'] : [])],
        resources(fleets),
      ),
      // UpdateFleet is authorized on the image too: this pipeline's, or for a rollback the one the fleet was on, which may be
      // AWS's (no account in its ARN) or another account's shared image.
      statement(
        'AppStreamPutTheFleetsOnImages',
        ['appstream:UpdateFleet'],
        resources(fleetRegions.map((r) => appstream(r, 'image', '*', '*'))),
      ),
    );
  }
  return statements;
}

function appStreamBuilderPolicy(builder: PipelineInput<'appstream-builder'>, { region, account }: PolicyTarget): IamStatement[] {
  const appstream = (type: string, name: string, owner = account) => `arn:aws:appstream:${region}:${owner}:${type}/${name}`;
  const ownResources = pipelineTagged('aws:ResourceTag', builder.name);
  const taggedAsThisPipeline = pipelineTagged('aws:RequestTag', builder.name);
  const arn = appstream('image-builder', builder.name);
  const change = { start: 'appstream:StartImageBuilder', stop: 'appstream:StopImageBuilder', delete: 'appstream:DeleteImageBuilder' };
  const statements = [
    statement('AppStreamDescribe', ['appstream:DescribeImageBuilders'], '*', { StringEquals: { 'aws:RequestedRegion': [region] } }),
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
      : kind === 'appstream-update'
        ? appStreamUpdatePolicy(input as PipelineInput<'appstream-update'>, target)
        : appStreamBuilderPolicy(input as PipelineInput<'appstream-builder'>, target);
  // Every kind may notify an SNS topic of its own; the worker's default topic is the worker's, not the pipeline's.
  const { notify } = input as { notify?: { sns?: { topicArn: string }; events: string[] } };
  if (notify?.sns && notify.events.length) statements.push(statement('NotifySnsPublish', ['sns:Publish'], arnLiteral(notify.sns.topicArn)));
  return { Version: '2012-10-17', Statement: statements };
}
