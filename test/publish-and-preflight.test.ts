/**
 * Publish (a launch-template version, an SSM parameter) and the distribution preflight, as activities
 * against a sandbox of this test's own, through the real AWS SDK: publish writes once however often it
 * is asked, and the preflight reports every bad input at once without a single mutating call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { ApplicationFailure } from '@temporalio/common';
import { FAST_LAUNCH_TEMPLATE_NAME, LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '@golden-image/aws-sandbox';
import { createAwsClients, type AwsClients } from '../activities/aws/clients';
import { createActivities, type Activities } from '../activities';
import { amiPipelineInput, type AmiPipelineConfig } from '../contracts/ami-pipeline';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { REGION, TEST_CREDENTIALS } from './support/stack';

const ROLE_B = 'arn:aws:iam::444455556666:role/golden-image-distribution';
const SESSION = 'gi-web-run1';
/** What a preflight may ask: describes, and the AssumeRole that lets it describe in another account. */
const READ_ONLY = new Set(['DescribeRegions', 'DescribeKey', 'DescribeLaunchTemplates', 'AssumeRole']);

let sandbox: OwnSandbox;
let clients: AwsClients;
let activities: Activities;

before(async () => {
  // eu-south-2 is an opt-in Region these accounts have enabled; eu-south-1 is one they have not.
  sandbox = await startOwnSandbox({ profile: 'test', optedInRegions: ['eu-south-2'] });
  clients = createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS });
  // A worker whose rate governor has lanes in us-west-2 (and at home, us-east-1): the preflight tells the run so.
  activities = createActivities(clients, 'shared', { regions: ['us-west-2', 'us-east-1'], accounts: [], rates: {} });
});

// Closing the sandbox closes every keep-alive connection the clients hold.
after(() => sandbox.close());

async function createTemplate(ec2: EC2Client, name: string, imageId: string): Promise<string> {
  const out = await ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.micro' } }),
  );
  return out.LaunchTemplate!.LaunchTemplateId!;
}

/** Amazon's Linux base image in a Region (each Region has its own ID for it). */
async function linuxBaseImage(ec2: EC2Client): Promise<string> {
  const out = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }));
  return out.Images![0]!.ImageId!;
}

async function versions(ec2: EC2Client, templateId: string) {
  const out = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }));
  return out.LaunchTemplateVersions!.map((v) => ({
    number: v.VersionNumber,
    imageId: v.LaunchTemplateData?.ImageId,
    instanceType: v.LaunchTemplateData?.InstanceType,
  }));
}

const mutatingCount = async (service: 'ec2' | 'ssm', action: string) => (await sandbox.admin.calls())[service][action]?.total ?? 0;

describe('publishLaunchTemplateVersion', () => {
  test('makes one new version from the default, with the image, however often the same work asks', async () => {
    const templateId = await createTemplate(clients.ec2, 'publish-web', LINUX_BASE_AMI_ID);
    const request = {
      template: { name: 'publish-web' },
      imageId: WINDOWS_BASE_AMI_ID,
      setDefault: false,
      workKey: 'wf-1/us-east-1/publish-web',
    };

    // The first answer is lost: the SDK's resend carries the same client token, so EC2 makes nothing more.
    await sandbox.admin.fault({ service: 'ec2', action: 'CreateLaunchTemplateVersion', loseAnswer: true });
    const first = await activities.publishLaunchTemplateVersion(request).catch((err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && !err.nonRetryable, `a lost answer is retryable: ${String(err)}`);
      return activities.publishLaunchTemplateVersion(request);
    });
    const again = await activities.publishLaunchTemplateVersion(request);

    assert.deepEqual(first, { launchTemplateId: templateId, version: 2, isDefault: false });
    assert.deepEqual(again, first);
    assert.deepEqual(await versions(clients.ec2, templateId), [
      { number: 1, imageId: LINUX_BASE_AMI_ID, instanceType: 't3.micro' },
      // Made from $Default: the rest of the template's data is kept.
      { number: 2, imageId: WINDOWS_BASE_AMI_ID, instanceType: 't3.micro' },
    ]);

    const other = await activities.publishLaunchTemplateVersion({
      ...request,
      imageId: LINUX_BASE_AMI_ID,
      workKey: 'wf-2/us-east-1/publish-web',
    });
    assert.equal(other.version, 3, 'other work makes its own version');
  });

  test('setDefault makes the new version the default once, in the place asked', async () => {
    const place = { region: 'us-west-2' };
    const ec2 = clients.at(place).ec2;
    const imageId = await linuxBaseImage(ec2);
    const templateId = await createTemplate(ec2, 'publish-default', imageId);
    const request = { template: { id: templateId }, imageId, setDefault: true, workKey: 'wf-3/us-west-2/publish-default' };

    const published = await activities.publishLaunchTemplateVersion(request, place);
    assert.deepEqual(published, { launchTemplateId: templateId, version: 2, isDefault: true });
    const modified = await mutatingCount('ec2', 'ModifyLaunchTemplate');
    assert.deepEqual(await activities.publishLaunchTemplateVersion(request, place), published);
    assert.equal(await mutatingCount('ec2', 'ModifyLaunchTemplate'), modified, 'a version that is already the default is left alone');

    const template = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }))).LaunchTemplates![0]!;
    assert.equal(template.DefaultVersionNumber, 2);
    assert.equal(template.LatestVersionNumber, 2);
  });
});

describe('publishImageParameter', () => {
  test('writes an aws:ec2:image parameter once per image', async () => {
    const name = '/golden/web/latest';
    const puts = await mutatingCount('ssm', 'PutParameter');

    assert.deepEqual(await activities.publishImageParameter({ name, imageId: LINUX_BASE_AMI_ID }), { name, version: 1, written: true });
    assert.deepEqual(await activities.publishImageParameter({ name, imageId: LINUX_BASE_AMI_ID }), { name, version: 1, written: false });
    assert.equal(await mutatingCount('ssm', 'PutParameter'), puts + 1, 'the second call writes nothing');

    assert.deepEqual(await activities.publishImageParameter({ name, imageId: WINDOWS_BASE_AMI_ID }), { name, version: 2, written: true });
    const parameter = (await clients.at().ssm.send(new GetParameterCommand({ Name: name }))).Parameter!;
    assert.equal(parameter.Value, WINDOWS_BASE_AMI_ID);
    assert.equal(parameter.DataType, 'aws:ec2:image');
    assert.equal(parameter.Version, 2);
  });
});

describe('preflightDistribution', () => {
  before(async () => {
    await createTemplate(clients.at({ region: 'us-west-2' }).ec2, 'web', LINUX_BASE_AMI_ID);
  });

  /** The preflight of a pipeline config's distribution, fast launch and publish, parsed as a run gets them. */
  function preflight(config: Pick<AmiPipelineConfig, 'distribution' | 'fastLaunch' | 'publish'>) {
    const input = amiPipelineInput.parse({ name: 'web', instanceId: 'i-0123456789abcdef0', ...config });
    return activities.preflightDistribution({
      distribution: input.distribution,
      fastLaunch: input.fastLaunch,
      publish: input.publish,
      session: SESSION,
    });
  }

  /** Runs `check` and returns every action the sandbox was asked meanwhile, proving none of them changes anything. */
  async function readOnly<T>(check: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; calls: Record<string, number> }> {
    await sandbox.admin.resetCalls();
    const [result] = await Promise.allSettled([check()]);
    const counts = await sandbox.admin.calls();
    const calls: Record<string, number> = {};
    for (const perService of Object.values(counts)) {
      for (const [action, count] of Object.entries(perService)) calls[action] = (calls[action] ?? 0) + count.total;
    }
    const mutating = Object.keys(calls).filter((action) => !READ_ONLY.has(action));
    assert.deepEqual(mutating, [], 'the preflight makes no mutating call');
    return { result: result!, calls };
  }

  /** The problem lines of the preflight's InvalidInput failure. */
  function problems(result: PromiseSettledResult<unknown>): string[] {
    assert.equal(result.status, 'rejected', 'the preflight refuses the config');
    const err = (result as PromiseRejectedResult).reason;
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'InvalidInput');
    assert.equal(err.nonRetryable, true);
    return err.message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^ {2}- /, ''));
  }

  test('a good multi-Region, multi-account config passes with a few describes', async () => {
    const { result, calls } = await readOnly(() =>
      preflight({
        distribution: {
          regions: [{ region: 'us-west-2', kmsKeyId: 'alias/golden' }, { region: 'eu-west-1' }, { region: 'eu-south-2' }],
          // The build Region of another account is a place for a copy like any other.
          accounts: [{ roleArn: ROLE_B, regions: ['us-east-1', 'us-west-2'], kmsKeyId: 'alias/golden' }],
        },
        fastLaunch: {
          launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME },
          regions: ['us-east-1', { region: 'us-west-2', launchTemplate: { name: 'web' } }],
        },
        publish: {
          launchTemplates: [{ region: 'us-west-2', name: 'web', setDefault: true }, { name: FAST_LAUNCH_TEMPLATE_NAME }],
          ssmParameters: [{ name: '/golden/web/latest' }],
        },
      }),
    );
    assert.deepEqual(result, {
      status: 'fulfilled',
      value: { homeRegion: 'us-east-1', governed: { regions: ['us-west-2'], accounts: [] } },
    });
    // One DescribeRegions per account; each template and key asked once, whichever entries name it.
    assert.equal(calls.DescribeRegions, 2);
    assert.equal(calls.DescribeLaunchTemplates, 2);
    assert.equal(calls.DescribeKey, 3);
  });

  const ARN_KEY_IN_US_WEST_2 = 'arn:aws:kms:us-west-2:111122223333:key/901de000-0000-4000-8000-000000901de0';
  const BAD_INPUTS: { what: string; config: Pick<AmiPipelineConfig, 'distribution' | 'fastLaunch' | 'publish'>; problem: RegExp }[] = [
    {
      what: 'an unknown Region',
      config: { distribution: { regions: [{ region: 'xx-fake-1' }] } },
      problem: /^distribution\.regions\[0\]\.region: xx-fake-1 is not a Region EC2 knows$/,
    },
    {
      what: 'a Region not enabled',
      config: { distribution: { regions: [{ region: 'us-west-2' }, { region: 'eu-south-1' }] } },
      problem: /^distribution\.regions\[1\]\.region: eu-south-1 is not enabled in this account \(opt-in-status not-opted-in\)$/,
    },
    {
      what: 'a Region not enabled in another account',
      config: { distribution: { accounts: [{ roleArn: ROLE_B, regions: ['us-west-2', 'eu-south-1'] }] } },
      problem:
        /^distribution\.accounts\[0\]\.regions\[1\]: eu-south-1 is not enabled in account 444455556666 \(opt-in-status not-opted-in\)$/,
    },
    {
      what: 'the build Region as a copy',
      config: { distribution: { regions: [{ region: 'us-east-1' }] } },
      problem: /^distribution\.regions\[0\]\.region: us-east-1 is the build Region, where the image is made/,
    },
    {
      what: 'a missing KMS key',
      config: { distribution: { regions: [{ region: 'us-west-2', kmsKeyId: 'alias/missing' }] } },
      problem:
        /^distribution\.regions\[0\]\.kmsKeyId: KMS key alias\/missing in us-west-2: NotFoundException: Alias 'arn:aws:kms:us-west-2:111122223333:alias\/missing' is not found\.$/,
    },
    {
      what: 'a KMS key in another Region',
      config: { distribution: { regions: [{ region: 'eu-west-1', kmsKeyId: ARN_KEY_IN_US_WEST_2 }] } },
      problem: /^distribution\.regions\[0\]\.kmsKeyId: arn:\S+ is in us-west-2: the copy in eu-west-1 needs a key in eu-west-1$/,
    },
    {
      what: 'a missing KMS key in another account',
      config: { distribution: { accounts: [{ roleArn: ROLE_B, regions: ['us-west-2'], kmsKeyId: 'alias/missing' }] } },
      problem:
        /^distribution\.accounts\[0\]\.kmsKeyId: KMS key alias\/missing in us-west-2: NotFoundException: Alias 'arn:aws:kms:us-west-2:444455556666:alias\/missing'/,
    },
    {
      what: 'a role that cannot be assumed',
      config: {
        distribution: { accounts: [{ roleArn: 'arn:aws:iam::444455556666:role/nope', regions: ['us-west-2'], kmsKeyId: 'alias/golden' }] },
      },
      problem:
        /^distribution\.accounts\[0\]\.roleArn: cannot act in account 444455556666 through arn:aws:iam::444455556666:role\/nope: AccessDenied: User: arn:aws:iam::111122223333:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role\/nope$/,
    },
    {
      what: 'a missing launch template',
      config: {
        distribution: { regions: [{ region: 'us-west-2' }] },
        publish: { launchTemplates: [{ region: 'us-west-2', name: 'absent' }] },
      },
      problem: /^publish\.launchTemplates\[0\]: launch template absent in us-west-2: InvalidLaunchTemplateName\.NotFoundException: /,
    },
    {
      what: 'a launch template in a Region with no image',
      config: {
        distribution: { regions: [{ region: 'us-west-2' }] },
        publish: { launchTemplates: [{ region: 'eu-central-1', name: 'web' }] },
      },
      problem: /^publish\.launchTemplates\[0\]\.region: eu-central-1 holds no image of this run: .* \(us-east-1, us-west-2\)$/,
    },
    {
      what: 'fast launch in a Region with no copy',
      config: { distribution: { regions: [{ region: 'us-west-2' }] }, fastLaunch: { regions: ['us-west-2', 'eu-central-1'] } },
      problem:
        /^fastLaunch\.regions\[1\]: eu-central-1 holds no image of this run: fast launch can be enabled only where the image is \(us-east-1, us-west-2\)$/,
    },
    {
      what: "a missing fast-launch template in a copy's Region",
      config: {
        distribution: { regions: [{ region: 'us-west-2' }] },
        fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME }, regions: 'all' },
      },
      problem:
        /^fastLaunch\.launchTemplate: launch template fast-launch-windows in us-west-2: InvalidLaunchTemplateName\.NotFoundException: /,
    },
  ];

  for (const { what, config, problem } of BAD_INPUTS) {
    test(`refuses ${what}, with no mutating call`, async () => {
      const { result } = await readOnly(() => preflight(config));
      const found = problems(result);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0]!, problem);
    });
  }

  test('reports every problem in one error, and asks nothing of a Region it cannot use', async () => {
    const { result } = await readOnly(() =>
      preflight({
        distribution: {
          regions: [
            { region: 'us-east-1' },
            { region: 'eu-south-1', kmsKeyId: 'alias/golden' },
            { region: 'xx-fake-1', kmsKeyId: 'alias/golden' },
            { region: 'us-west-2', kmsKeyId: 'alias/missing' },
          ],
          accounts: [{ roleArn: 'arn:aws:iam::444455556666:role/nope', regions: ['us-west-2'], kmsKeyId: 'alias/golden' }],
        },
        fastLaunch: { regions: ['eu-central-1', { region: 'us-west-2', launchTemplate: { name: 'absent-fast-launch' } }] },
        publish: {
          launchTemplates: [
            { region: 'us-west-2', name: 'absent' },
            { region: 'eu-central-1', name: 'web' },
          ],
        },
      }),
    );
    const found = problems(result);
    assert.deepEqual(
      found.map((p) => p.split(':')[0]),
      [
        'distribution.regions[0].region',
        'distribution.regions[1].region',
        'distribution.regions[2].region',
        'distribution.regions[3].kmsKeyId',
        'distribution.accounts[0].roleArn',
        'publish.launchTemplates[0]',
        'publish.launchTemplates[1].region',
        'fastLaunch.regions[0]',
        'fastLaunch.regions[1].launchTemplate',
      ],
      found.join('\n'),
    );
    // The Regions it names as holding the image are those the image can reach, not every one listed.
    assert.match(found[6]!, /only where the image is \(us-east-1, us-west-2\)$/);
    // xx-fake-1 is refused at DescribeRegions, so nothing is sent there (AWS would have no endpoint to answer);
    // us-west-2, a usable Region, was asked about its key and its launch templates.
    const actionsIn = async (region: string) =>
      Object.values(await sandbox.admin.calls({ region }))
        .flatMap((perService) => Object.keys(perService))
        .sort();
    assert.deepEqual(await actionsIn('xx-fake-1'), []);
    assert.deepEqual(await actionsIn('us-west-2'), ['DescribeKey', 'DescribeLaunchTemplates']);
  });

  test('a transient AWS failure is retried, not reported as bad input', async () => {
    await sandbox.admin.fault({ service: 'kms', action: 'DescribeKey', count: 2, error: { code: 'InternalFailure', status: 500 } });
    const { result } = await readOnly(() => preflight({ distribution: { regions: [{ region: 'us-west-2', kmsKeyId: 'alias/golden' }] } }));
    assert.equal(result.status, 'rejected');
    const err = (result as PromiseRejectedResult).reason;
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'InternalFailure');
    assert.equal(err.nonRetryable, false);
    await sandbox.admin.clearFaults();
  });
});
