import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { amiPipelineInput } from '../contracts/ami-pipeline';
import { resolveImageName } from '../contracts/image-name';
import { parseInput } from '../contracts/input-validation';
import { inputProblems } from './support/input-problems';

const valid = { name: 'web-golden', instanceId: 'i-0123456789abcdef0' };
const groups = { ...valid, rollout: { autoScalingGroups: [{ name: 'web-asg' }, { name: 'web-asg', region: 'us-west-2' }] } };
const bake = {
  name: 'web-bake',
  source: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' },
  build: { instanceType: 'm6i.large', steps: [{ document: 'AWS-RunPowerShellScript', parameters: { commands: ['echo hi'] } }] },
};

const problems = (input: unknown) => inputProblems(amiPipelineInput, input);

describe('amiPipeline input', () => {
  test('defaults are realistic: AMI 15 s up to 2 h, fast launch 60 s up to 8 h, root volume 15 s up to 1 h', () => {
    const input = parseInput(amiPipelineInput, valid);
    assert.deepEqual(input.waits, {
      image: { interval: '15s', timeout: '2h' },
      fastLaunch: { interval: '60s', timeout: '8h' },
      rootVolume: { interval: '15s', timeout: '1h' },
      refresh: { interval: '30s', timeout: '12h' },
      bake: { interval: '5s' },
      copy: { interval: '30s', timeout: '6h' },
      notFoundGrace: '2m',
    });
    assert.equal(input.noReboot, true);
    assert.equal(input.imageName, '{{pipeline}}-{{date}}-{{run}}');
    assert.equal(input.keepUnfinishedImage, false);
  });

  const bad: [string, unknown, string][] = [
    ['malformed instance ID', { ...valid, instanceId: 'i-xyz' }, 'instanceId: must be an EC2 instance ID'],
    ['missing instance', { name: 'x' }, 'instanceId:'],
    ['bad pipeline name', { ...valid, name: 'web golden!' }, 'name: must be 1-63 letters'],
    [
      'rate below 100',
      { ...valid, blockDeviceMappings: [{ deviceName: '/dev/sda1', volumeInitializationRate: 99 }] },
      'blockDeviceMappings.0.volumeInitializationRate: must be between 100 and 300',
    ],
    [
      'rate above 300',
      { ...valid, blockDeviceMappings: [{ deviceName: '/dev/sda1', volumeInitializationRate: 301 }] },
      'blockDeviceMappings.0.volumeInitializationRate: must be between 100 and 300',
    ],
    [
      'bad device name',
      { ...valid, blockDeviceMappings: [{ deviceName: 'sda1' }] },
      'blockDeviceMappings.0.deviceName: must be a device name',
    ],
    ['reserved aws: tag', { ...valid, tags: { 'aws:owner': 'me' } }, 'tags.aws:owner: the "aws:" prefix is reserved by AWS'],
    [
      'reserved pipeline tag',
      { ...valid, tags: { 'golden-image:pipeline': 'x' } },
      'tags.golden-image:pipeline: the "golden-image:" prefix is reserved',
    ],
    [
      'too many tags',
      { ...valid, tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) },
      'tags: at most 47 tags',
    ],
    ['oversized tag value', { ...valid, tags: { k: 'v'.repeat(257) } }, 'tags.k: tag values must be at most 256 characters'],
    ['image name without a per-run part', { ...valid, imageName: 'fixed-name' }, 'imageName: must contain {{run}} or {{date}}'],
    ['image name with illegal characters', { ...valid, imageName: 'web*{{run}}' }, 'imageName: may only hold letters'],
    [
      'image name over 128 characters once filled in',
      { ...valid, imageName: `${'x'.repeat(104)}-{{date}}-{{run}}` },
      'imageName: must be 3-128 characters once {{pipeline}}, {{date}} (15 characters) and {{run}} (8) are filled in (this one makes 129)',
    ],
    [
      'image name over 128 characters with a long pipeline name',
      { ...valid, name: 'p'.repeat(63), imageName: `{{pipeline}}-{{pipeline}}-{{run}}` },
      'imageName: must be 3-128 characters',
    ],
    ['poll interval not a duration', { ...valid, waits: { image: { interval: 'often' } } }, 'waits.image.interval: must be a duration'],
    ['timeout too short', { ...valid, waits: { image: { timeout: '10ms' } } }, 'waits.image.timeout: must be at least 1s'],
    ['unknown field (a typo)', { ...valid, noreboot: true }, 'Unrecognized key'],
    [
      'the same rollout target twice',
      { ...valid, rollout: { instanceIds: ['i-0123456789abcdef1', 'i-0123456789abcdef2', 'i-0123456789abcdef1'] } },
      'rollout.instanceIds: lists i-0123456789abcdef1 more than once',
    ],
    [
      'rollout targets by both tags and launch template',
      { ...valid, rollout: { tags: { fleet: 'web' }, launchTemplate: { name: 'web' } } },
      'rollout: give exactly one of instanceIds, tags, launchTemplate or autoScalingGroups',
    ],
    // Auto Scaling groups and canaries (issue 16).
    [
      'minHealthyPercentage above 100',
      { ...groups, rollout: { ...groups.rollout, minHealthyPercentage: 101 } },
      'rollout.minHealthyPercentage: must be 0-100',
    ],
    [
      'maxHealthyPercentage below 100',
      { ...groups, rollout: { ...groups.rollout, maxHealthyPercentage: 99 } },
      'rollout.maxHealthyPercentage: must be 100-200',
    ],
    [
      'maxHealthyPercentage above 200',
      { ...groups, rollout: { ...groups.rollout, maxHealthyPercentage: 201 } },
      'rollout.maxHealthyPercentage: must be 100-200',
    ],
    [
      'healthy percentages more than 100 apart',
      { ...groups, rollout: { ...groups.rollout, minHealthyPercentage: 50, maxHealthyPercentage: 200 } },
      'rollout.maxHealthyPercentage: must be at most 100 above minHealthyPercentage (50)',
    ],
    [
      'a checkpoint delay without checkpoints',
      { ...groups, rollout: { ...groups.rollout, checkpointDelay: '10m' } },
      'rollout.checkpointDelay: needs checkpoints',
    ],
    [
      'checkpoints not ascending',
      { ...groups, rollout: { ...groups.rollout, checkpoints: [50, 20, 100] } },
      'rollout.checkpoints: must be in ascending order',
    ],
    [
      'checkpoints not ending at 100',
      { ...groups, rollout: { ...groups.rollout, checkpoints: [20, 50] } },
      'rollout.checkpoints: must end at 100',
    ],
    [
      'a canary with groups',
      { ...groups, rollout: { ...groups.rollout, canary: { instances: 1 } } },
      'rollout.canary: is for standalone instances',
    ],
    [
      'a canary as large as the instances',
      { ...valid, rollout: { instanceIds: ['i-0123456789abcdef1', 'i-0123456789abcdef2'], canary: { instances: 2 } } },
      'rollout.canary.instances: must be fewer than the 2 instances',
    ],
    [
      'a refresh preference with standalone instances',
      { ...valid, rollout: { tags: { fleet: 'web' }, checkpoints: [100] } },
      'rollout.checkpoints: applies to autoScalingGroups only',
    ],
    [
      'the same group twice',
      { ...groups, rollout: { autoScalingGroups: [{ name: 'web' }, { name: 'web' }] } },
      'rollout.autoScalingGroups: lists group /web more than once',
    ],
    // Bakes (issue 15): what can be known wrong from the config alone.
    [
      'both a build instance and a source',
      { ...bake, instanceId: 'i-0123456789abcdef0' },
      'instanceId: give exactly one of instanceId or instanceTags',
    ],
    ['neither a build instance nor a source', { name: 'x' }, 'instanceId: give exactly one of instanceId or instanceTags'],
    ['a source without build', { name: 'x', source: bake.source }, 'build: source and build go together'],
    ['build without a source', { ...valid, build: bake.build }, 'source: source and build go together'],
    [
      'a test without an instance type and no build to take it from',
      { ...valid, test: { steps: [{ document: 'AWS-RunShellScript' }] } },
      'test.instanceType: needed when there is no build',
    ],
    ['skipIfUnchanged without a source', { ...valid, refresh: { skipIfUnchanged: true } }, 'refresh.skipIfUnchanged: needs source'],
    [
      'two kinds of source',
      { ...bake, source: { imageId: 'ami-0123456789abcdef0', ssmParameter: '/x' } },
      'source: give exactly one of ssmParameter, image or imageId',
    ],
    ['a malformed source image ID', { ...bake, source: { imageId: 'ami-xyz' } }, 'source.imageId: must be an AMI ID'],
    ['a malformed subnet', { ...bake, build: { ...bake.build, subnetId: 'subnet-1' } }, 'build.subnetId: must be a subnet ID'],
    [
      'a malformed security group',
      { ...bake, build: { ...bake.build, securityGroupIds: ['sg_1'] } },
      'build.securityGroupIds.0: must be a security group ID',
    ],
    [
      'a malformed instance type',
      { ...bake, build: { ...bake.build, instanceType: 'large' } },
      'build.instanceType: must be an instance type',
    ],
    [
      'a malformed instance profile',
      { ...bake, build: { ...bake.build, instanceProfile: 'my profile' } },
      'build.instanceProfile: must be an instance profile',
    ],
    [
      'a malformed document name',
      { ...bake, build: { ...bake.build, steps: [{ document: 'x' }] } },
      'build.steps.0.document: must be an SSM document name',
    ],
    [
      'an access key in a step parameter',
      {
        ...bake,
        build: {
          ...bake.build,
          steps: [{ document: 'AWS-RunShellScript', parameters: { commands: ['export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP'] } }],
        },
      },
      'build.steps.0.parameters: holds what looks like an AWS access key',
    ],
    [
      'a bake with more tags than its image can carry',
      { ...bake, tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`k${i}`, 'v'])) },
      'tags: at most 45 tags for a bake',
    ],
    // Distribution and publish (issue 14): what can be known wrong from the config alone.
    [
      'a malformed Region',
      { ...valid, distribution: { regions: [{ region: 'US West 2' }] } },
      'distribution.regions.0.region: must be a Region code',
    ],
    [
      'the same Region twice',
      { ...valid, distribution: { regions: [{ region: 'us-west-2' }, { region: 'us-west-2', kmsKeyId: 'alias/golden' }] } },
      'distribution.regions: lists Region us-west-2 more than once',
    ],
    [
      'a malformed account ID',
      { ...valid, distribution: { shareWith: { accounts: ['12345'] } } },
      'distribution.shareWith.accounts.0: must be a 12-digit AWS account ID',
    ],
    [
      'a malformed organization ARN',
      { ...valid, distribution: { shareWith: { organizations: ['o-a1b2c3d4e5'] } } },
      'distribution.shareWith.organizations.0: must be an organization ARN',
    ],
    [
      'a malformed OU ARN',
      { ...valid, distribution: { shareWith: { organizationalUnits: ['arn:aws:organizations::123456789012:ou/ou-1'] } } },
      'distribution.shareWith.organizationalUnits.0: must be an organizational unit ARN',
    ],
    [
      'a malformed role ARN',
      { ...valid, distribution: { accounts: [{ roleArn: 'arn:aws:iam::444455556666:user/bob', regions: ['us-west-2'] }] } },
      'distribution.accounts.0.roleArn: must be an IAM role ARN',
    ],
    [
      'sharing with everyone without saying public',
      { ...valid, distribution: { shareWith: { accounts: ['all'] } } },
      'distribution.shareWith.accounts: sharing with "all" makes the images public',
    ],
    [
      'sharing an image encrypted with aws/ebs',
      {
        ...valid,
        distribution: { regions: [{ region: 'us-west-2', kmsKeyId: 'alias/aws/ebs' }], shareWith: { accounts: ['111122223333'] } },
      },
      'cannot be shared with other accounts',
    ],
    [
      'deprecateAfter in the past',
      { ...valid, distribution: { deprecateAfter: '2020-01-01T00:00:00Z' } },
      'distribution.deprecateAfter: is in the past',
    ],
    ['deprecateAfter neither a duration nor a time', { ...valid, distribution: { deprecateAfter: 'soon' } }, 'distribution.deprecateAfter'],
    [
      'an SSM parameter name AWS reserves',
      { ...valid, publish: { ssmParameters: [{ name: '/aws/golden' }] } },
      'must not begin with "aws" or "ssm"',
    ],
    [
      'an SSM parameter name with a space',
      { ...valid, publish: { ssmParameters: [{ name: '/golden/web latest' }] } },
      'may only hold letters',
    ],
    [
      'an SSM parameter name too deep',
      { ...valid, publish: { ssmParameters: [{ name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}` }] } },
      'may be at most 15 levels deep',
    ],
    [
      'a launch template with both id and name',
      { ...valid, publish: { launchTemplates: [{ id: 'lt-0123456789abcdef0', name: 'web' }] } },
      'publish.launchTemplates.0: give exactly one of id or name',
    ],
    [
      'fast launch in the same Region twice',
      { ...valid, fastLaunch: { regions: ['us-west-2', 'us-west-2'] } },
      'lists Region us-west-2 more than once',
    ],
  ];
  for (const [label, input, expected] of bad) {
    test(`rejects ${label}`, () => {
      const found = problems(input);
      assert.ok(
        found.some((p) => p.includes(expected)),
        `expected a problem containing "${expected}", got ${JSON.stringify(found)}`,
      );
    });
  }

  test('a bake from a base image is a valid input: source and build, steps with their defaults', () => {
    const input = parseInput(amiPipelineInput, bake);
    assert.equal(input.build?.steps[0]?.timeout, '1h');
    assert.equal(input.build?.timeout, '2h');
  });

  test('image names are deterministic per run and valid AMI names', () => {
    const ctx = { pipeline: 'web-golden', runId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', time: new Date('2026-11-22T09:51:53.123Z') };
    assert.equal(resolveImageName('{{pipeline}}-{{date}}-{{run}}', ctx), 'web-golden-20261122-095153-2e3f4a5b');
    assert.equal(resolveImageName('{{pipeline}}-{{date}}-{{run}}', ctx), resolveImageName('{{pipeline}}-{{date}}-{{run}}', ctx));
  });
});
