import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import {
  CopyImageCommand,
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  DescribeRegionsCommand,
  type DescribeRegionsCommandInput,
  DisableImageCommand,
  EC2Client,
  EnableImageCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LINUX_BASE_AMI_ID, SANDBOX_ACCESS_KEYS } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/** DescribeRegions and the Regions an account has enabled; DisableImage and EnableImage; deprecated AMIs by ID. Through the real SDK. */

const [KEY_A, KEY_B] = SANDBOX_ACCESS_KEYS as [(typeof SANDBOX_ACCESS_KEYS)[0], (typeof SANDBOX_ACCESS_KEYS)[0]];
const sandbox = ec2SandboxForThisFile();
const clients: { destroy(): void }[] = [];

function own<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}

const ec2 = (region: string, key = KEY_A) => own(new EC2Client({ endpoint: sandbox.url, region, credentials: key, maxAttempts: 1 }));

after(() => {
  for (const client of clients) client.destroy();
});

beforeEach(async () => {
  await sandbox.admin.reset({ profile: 'test' });
});

/** The Regions before 20 March 2019, enabled in every account; AWS's CLI example lists the same 17. */
const DEFAULT_REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];
const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

async function regions(input: DescribeRegionsCommandInput = {}, client = sandbox.ec2): Promise<Record<string, string>> {
  const { Regions } = await client.send(new DescribeRegionsCommand(input));
  for (const region of Regions ?? []) assert.equal(region.Endpoint, `ec2.${region.RegionName}.amazonaws.com`);
  return Object.fromEntries((Regions ?? []).map((r) => [r.RegionName!, r.OptInStatus!]));
}

const statuses = (names: string[], status: string) => Object.fromEntries(names.map((name) => [name, status]));

describe('DescribeRegions', () => {
  test('lists the Regions enabled for the account; AllRegions adds the opt-in ones it has not enabled', async () => {
    assert.deepEqual(await regions(), statuses(DEFAULT_REGIONS, 'opt-in-not-required'));
    assert.deepEqual(await regions({ AllRegions: true }), {
      ...statuses(DEFAULT_REGIONS, 'opt-in-not-required'),
      ...statuses(OPT_IN_REGIONS, 'not-opted-in'),
    });
  });

  test('an opted-in Region (the config’s optedInRegions) is listed as opted-in, and reset forgets it', async () => {
    const config = await sandbox.admin.configure({ optedInRegions: ['af-south-1', 'me-south-1'] });
    assert.deepEqual(config.optedInRegions, ['af-south-1', 'me-south-1']);
    assert.deepEqual(await regions(), {
      ...statuses(DEFAULT_REGIONS, 'opt-in-not-required'),
      'af-south-1': 'opted-in',
      'me-south-1': 'opted-in',
    });
    assert.equal((await regions({ AllRegions: true }))['ap-east-1'], 'not-opted-in');

    await sandbox.admin.reset({ profile: 'test' });
    assert.equal((await regions({ RegionNames: ['af-south-1'] }))['af-south-1'], 'not-opted-in');
  });

  test('the config refuses a Region that needs no opting in, or one AWS does not have', async () => {
    for (const optedInRegions of [['us-east-1'], ['xx-nowhere-1'], ['af-south-1', 'af-south-1']]) {
      const response = await fetch(`${sandbox.url}/_sandbox/config`, { method: 'POST', body: JSON.stringify({ optedInRegions }) });
      assert.equal(response.status, 400, JSON.stringify(optedInRegions));
    }
    assert.deepEqual((await sandbox.admin.config()).optedInRegions, []);
  });

  test('RegionNames names any Region, enabled or not; a name AWS does not have is InvalidParameterValue', async () => {
    assert.deepEqual(await regions({ RegionNames: ['me-south-1', 'us-east-1'] }), {
      'me-south-1': 'not-opted-in',
      'us-east-1': 'opt-in-not-required',
    });
    const error = await rejectsWith(
      sandbox.ec2.send(new DescribeRegionsCommand({ RegionNames: ['us--east-1'] })),
      'InvalidParameterValue',
      400,
    );
    assert.equal(error.message, 'Invalid region: [us--east-1]');
  });

  test('filters endpoint, region-name and opt-in-status, with wildcards; any other name is invalid', async () => {
    assert.deepEqual(Object.keys(await regions({ Filters: [{ Name: 'endpoint', Values: ['*us*'] }] })), [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
    ]);
    assert.deepEqual(Object.keys(await regions({ Filters: [{ Name: 'region-name', Values: ['eu-west-?', 'eu-south-1'] }] })), [
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
    ]);
    const notOptedIn = [{ Name: 'opt-in-status', Values: ['not-opted-in'] }];
    assert.deepEqual(await regions({ Filters: notOptedIn }), {});
    assert.deepEqual(Object.keys(await regions({ AllRegions: true, Filters: notOptedIn })), OPT_IN_REGIONS);
    await rejectsWith(
      sandbox.ec2.send(new DescribeRegionsCommand({ Filters: [{ Name: 'zone-name', Values: ['x'] }] })),
      'InvalidParameterValue',
    );
  });

  test('DryRun answers DryRunOperation', async () => {
    await rejectsWith(sandbox.ec2.send(new DescribeRegionsCommand({ DryRun: true })), 'DryRunOperation', 412);
  });
});

describe('a Region the account has not enabled', () => {
  test('refuses every EC2 call as AWS does (401 AuthFailure), uncounted, until the Region is opted in', async () => {
    const hongKong = ec2('ap-east-1');
    const error = await rejectsWith(hongKong.send(new DescribeRegionsCommand({})), 'AuthFailure', 401);
    assert.equal(error.message, 'AWS was not able to validate the provided access credentials');
    await rejectsWith(hongKong.send(new DescribeImagesCommand({ Owners: ['amazon'] })), 'AuthFailure', 401);
    assert.equal((await sandbox.admin.calls()).ec2.DescribeRegions, undefined, 'AWS counts only authenticated calls');

    await sandbox.admin.configure({ optedInRegions: ['ap-east-1'] });
    const { Images } = await hongKong.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    assert.ok((Images ?? []).length > 0, "an opted-in Region has Amazon's public AMIs");
    assert.equal((await regions({}, hongKong))['ap-east-1'], 'opted-in');
  });

  test('refuses STS and SSM as they refuse a key they do not know', async () => {
    const credentials = KEY_A;
    const sts = own(new STSClient({ endpoint: sandbox.url, region: 'me-south-1', credentials, maxAttempts: 1 }));
    await rejectsWith(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    const ssm = own(new SSMClient({ endpoint: sandbox.url, region: 'me-south-1', credentials, maxAttempts: 1 }));
    await rejectsWith(ssm.send(new GetParameterCommand({ Name: '/golden/none' })), 'UnrecognizedClientException', 400);
    // A default Region needs no opting in.
    const home = own(new STSClient({ endpoint: sandbox.url, region: 'eu-north-1', credentials, maxAttempts: 1 }));
    assert.equal((await home.send(new GetCallerIdentityCommand({}))).Account, KEY_A.accountId);
  });
});

/** An available AMI of account A in us-east-1, shared with account B and made public. */
async function sharedImage(name: string): Promise<string> {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  await sandbox.admin.advance();
  const { ImageId } = await sandbox.ec2.send(new CreateImageCommand({ InstanceId: Instances![0]!.InstanceId!, Name: name }));
  await sandbox.admin.advance();
  await sandbox.ec2.send(
    new ModifyImageAttributeCommand({ ImageId, LaunchPermission: { Add: [{ UserId: KEY_B.accountId }, { Group: 'all' }] } }),
  );
  return ImageId!;
}

async function describedIds(client: EC2Client, input: DescribeImagesCommandInput): Promise<string[]> {
  const { Images } = await client.send(new DescribeImagesCommand(input));
  return (Images ?? []).map((i) => i.ImageId!);
}

describe('DisableImage and EnableImage', () => {
  test('a disabled AMI is `disabled`, private, described only with IncludeDisabled, and neither launched, copied nor shared', async () => {
    const image = await sharedImage('golden-disable');
    const b = ec2('us-east-1', KEY_B);
    assert.deepEqual(await describedIds(b, { ImageIds: [image] }), [image]);

    const { Return } = await sandbox.ec2.send(new DisableImageCommand({ ImageId: image }));
    assert.equal(Return, true);

    assert.deepEqual(await describedIds(sandbox.ec2, { ImageIds: [image] }), [], 'hidden by ID without IncludeDisabled');
    assert.deepEqual(await describedIds(sandbox.ec2, { Owners: ['self'] }), [], 'and from listings');
    const [disabled] = (await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [image], IncludeDisabled: true }))).Images!;
    assert.equal(disabled!.State, 'disabled');
    assert.equal(disabled!.Public, false);
    assert.deepEqual(await describedIds(sandbox.ec2, { IncludeDisabled: true, Filters: [{ Name: 'state', Values: ['disabled'] }] }), [
      image,
    ]);
    const { LaunchPermissions } = await sandbox.ec2.send(
      new DescribeImageAttributeCommand({ ImageId: image, Attribute: 'launchPermission' }),
    );
    assert.deepEqual(LaunchPermissions ?? [], [], 'every launch permission is removed');

    // Account B lost access: it no longer sees the AMI, even asking for disabled ones, nor launches it.
    assert.deepEqual(await describedIds(b, { IncludeDisabled: true, ExecutableUsers: ['self'] }), []);
    await rejectsWith(b.send(new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1 })), 'InvalidAMIID.NotFound');

    await rejectsWith(sandbox.ec2.send(new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1 })), 'InvalidAMIID.Unavailable');
    await rejectsWith(
      ec2('eu-west-1').send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: image, Name: 'golden-disable-copy' })),
      'InvalidAMIID.Unavailable',
    );
    await rejectsWith(
      sandbox.ec2.send(new ModifyImageAttributeCommand({ ImageId: image, LaunchPermission: { Add: [{ UserId: KEY_B.accountId }] } })),
      'IncorrectState',
    );
  });

  test('EnableImage makes it available and launchable again, without giving back the launch permissions', async () => {
    const image = await sharedImage('golden-enable');
    await sandbox.ec2.send(new DisableImageCommand({ ImageId: image }));
    const { Return } = await sandbox.ec2.send(new EnableImageCommand({ ImageId: image }));
    assert.equal(Return, true);

    const [enabled] = (await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [image] }))).Images!;
    assert.equal(enabled!.State, 'available');
    assert.equal(enabled!.Public, false);
    await sandbox.ec2.send(new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1 }));
    const b = ec2('us-east-1', KEY_B);
    assert.deepEqual(await describedIds(b, { ExecutableUsers: ['self'] }), []);

    // It can be shared again.
    await sandbox.ec2.send(new ModifyImageAttributeCommand({ ImageId: image, LaunchPermission: { Add: [{ UserId: KEY_B.accountId }] } }));
    assert.deepEqual(await describedIds(b, { ExecutableUsers: ['self'] }), [image]);
  });

  test('only the owner may disable or enable an AMI; an unknown one is not found; a disabled one can still be deregistered', async () => {
    const image = await sharedImage('golden-owner');
    const b = ec2('us-east-1', KEY_B);
    await rejectsWith(b.send(new DisableImageCommand({ ImageId: image })), 'AuthFailure');
    await rejectsWith(b.send(new EnableImageCommand({ ImageId: image })), 'AuthFailure');
    await rejectsWith(sandbox.ec2.send(new DisableImageCommand({ ImageId: 'ami-0123456789abcdef0' })), 'InvalidAMIID.NotFound');
    await rejectsWith(sandbox.ec2.send(new DisableImageCommand({ ImageId: image, DryRun: true })), 'DryRunOperation');
    await rejectsWith(sandbox.ec2.send(new DisableImageCommand({ ImageId: LINUX_BASE_AMI_ID })), 'AuthFailure');

    await sandbox.ec2.send(new DisableImageCommand({ ImageId: image }));
    assert.equal((await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: image }))).Return, true);
    assert.deepEqual(await describedIds(sandbox.ec2, { Owners: ['self'], IncludeDisabled: true }), []);
  });
});

describe('deprecated AMIs', () => {
  test('another account describes a deprecated AMI by ID without IncludeDeprecated, though its listings leave it out', async () => {
    const image = await sharedImage('golden-deprecated');
    const at = new Date(Math.ceil((Date.now() + 2 * 60_000) / 60_000) * 60_000);
    await sandbox.ec2.send(new EnableImageDeprecationCommand({ ImageId: image, DeprecateAt: at }));
    await sandbox.admin.advance(3 * 60_000);

    const b = ec2('us-east-1', KEY_B);
    assert.deepEqual(await describedIds(b, { ImageIds: [image] }), [image]);
    assert.deepEqual(await describedIds(b, { ExecutableUsers: ['self'] }), []);
    assert.deepEqual(await describedIds(b, { ExecutableUsers: ['self'], IncludeDeprecated: true }), [image]);
    assert.deepEqual(await describedIds(sandbox.ec2, { Owners: ['self'] }), [image], 'its owner always sees it');
  });
});
