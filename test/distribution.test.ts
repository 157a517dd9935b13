/**
 * Distribution end to end (issue 14): copies in other Regions and another account, sharing,
 * deprecation, protection, fast launch per Region, publish to launch templates and SSM parameters,
 * and the clean-up of every copy when a run does not finish. A real Temporal dev server, the sandbox
 * over HTTP (accounts and Regions kept apart, STS AssumeRole), the real AWS SDK.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateLaunchTemplateCommand,
  DescribeFastLaunchImagesCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Image,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { createAwsClients, type AwsClients } from '../activities/aws/clients';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { RESOURCES } from '../contracts/search-attributes';
import { mutatingCalls } from './support/aws-checks';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { ec2Count } from './support/scenarios';
import { freshSandbox, REGION, stackForThisFile, TEST_CREDENTIALS } from './support/stack';

const stack = stackForThisFile();
let buildInstance: string;

const ACCOUNT_A = '111122223333';
const ACCOUNT_B = '444455556666';
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/golden-image-distribution`;
const FAST = { interval: '100ms', timeout: '2m' };
const WAITS = { image: FAST, copy: FAST, fastLaunch: FAST };

/** Clients of our own for checking: account A's in any Region, and account B's through its role. */
let checks: AwsClients | undefined;
const clients = () => (checks ??= createAwsClients({ endpoint: stack.sandboxUrl, region: REGION, credentials: TEST_CREDENTIALS }));
const ec2A = (region: string) => clients().at({ region });
const ec2B = (region: string) => clients().at({ region, roleArn: ROLE_B, session: 'test-checks' });

beforeEach(async () => {
  buildInstance = await freshSandbox(stack);
});

function start(config: Partial<AmiPipelineConfig>, workflowId?: string) {
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'web-dist', instanceId: buildInstance, waits: WAITS, ...config },
    { taskQueue: stack.taskQueue, workflowId },
  );
}

async function images(ec2: EC2Client, pipeline = 'web-dist'): Promise<Image[]> {
  const out = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [{ Name: 'tag:golden-image:pipeline', Values: [pipeline] }],
      IncludeDeprecated: true,
    }),
  );
  return out.Images ?? [];
}

async function createTemplate(region: string, name: string): Promise<void> {
  await ec2A(region).ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { InstanceType: 'm5.large' } }),
  );
}

describe('distribution', () => {
  test('every Region, every account, encrypted, shared, deprecated, protected, fast launch everywhere, published', async () => {
    await createTemplate('us-west-2', 'web');
    await stack.admin.resetCalls();
    const handle = await start(
      {
        distribution: {
          regions: [{ region: 'us-west-2', kmsKeyId: 'alias/golden' }, { region: 'eu-west-1' }],
          shareWith: { accounts: [ACCOUNT_B] },
          accounts: [{ roleArn: ROLE_B, regions: ['us-east-1', 'us-west-2'], kmsKeyId: 'alias/golden' }],
          deprecateAfter: '180d',
          deregistrationProtection: true,
        },
        fastLaunch: { regions: 'all' },
        publish: {
          launchTemplates: [{ region: 'us-west-2', name: 'web', setDefault: true }],
          ssmParameters: [{ name: '/golden/web/latest' }],
        },
        retention: { keep: 2 },
      },
      'ami-pipeline-distribution',
    );
    const result = (await handle.result()) as AmiPipelineResult;
    assert.deepEqual(result.retired, []);
    const copyIn = (region: string, roleArn?: string) =>
      result.copies!.find((c) => c.place.region === region && c.place.roleArn === roleArn)!.imageId;
    assert.equal(result.copies?.length, 4);

    // Each copy lives where it was asked for, owned by that account, available, tagged as the original.
    for (const [region, ec2, owner] of [
      ['us-west-2', ec2A('us-west-2').ec2, ACCOUNT_A],
      ['eu-west-1', ec2A('eu-west-1').ec2, ACCOUNT_A],
      ['us-east-1', ec2B('us-east-1').ec2, ACCOUNT_B],
      ['us-west-2', ec2B('us-west-2').ec2, ACCOUNT_B],
    ] as const) {
      const found = await images(ec2);
      assert.equal(found.length, 1, `one image in ${owner}/${region}`);
      const [image] = found;
      assert.equal(image!.OwnerId, owner);
      assert.equal(image!.State, 'available');
      assert.equal(image!.Name, result.imageName);
      assert.ok(image!.DeprecationTime, 'deprecation time set');
      assert.equal(image!.DeregistrationProtection?.startsWith('enabled'), true);
      const tags = Object.fromEntries((image!.Tags ?? []).map((t) => [t.Key, t.Value]));
      assert.equal(tags['golden-image:run-id'], handle.firstExecutionRunId);
      assert.match(tags['golden-image:released'] ?? '', /^\d{4}-/);
    }
    // alias/golden: the copy's snapshots are encrypted with it.
    const west = (await images(ec2A('us-west-2').ec2))[0]!;
    const snapshotId = west.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId;
    const [snapshot] = (await ec2A('us-west-2').ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId!] }))).Snapshots ?? [];
    assert.equal(snapshot?.Encrypted, true);

    // Account B, as an independent client, sees exactly the images shared with it: account A's original and copies.
    for (const [region, expected] of [
      ['us-east-1', result.imageId],
      ['us-west-2', copyIn('us-west-2')],
      ['eu-west-1', copyIn('eu-west-1')],
    ] as const) {
      const shared = await ec2B(region).ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'], Owners: [ACCOUNT_A] }));
      assert.deepEqual(
        (shared.Images ?? []).map((i) => i.ImageId),
        [expected],
        `account B sees account A's image in ${region}`,
      );
    }

    // Fast launch on every image of account A.
    for (const [region, imageId] of [
      ['us-east-1', result.imageId],
      ['us-west-2', copyIn('us-west-2')],
      ['eu-west-1', copyIn('eu-west-1')],
    ] as const) {
      const out = await ec2A(region).ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [imageId] }));
      assert.equal(out.FastLaunchImages?.[0]?.State, 'enabled', `fast launch in ${region}`);
    }

    // Publish: a new default version of `web` in us-west-2 with that Region's copy; the parameter in every Region of A.
    const versions = await ec2A('us-west-2').ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web', Versions: ['$Default'] }),
    );
    assert.equal(versions.LaunchTemplateVersions?.[0]?.VersionNumber, 2);
    assert.equal(versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId, copyIn('us-west-2'));
    for (const [region, imageId] of [
      ['us-east-1', result.imageId],
      ['us-west-2', copyIn('us-west-2')],
      ['eu-west-1', copyIn('eu-west-1')],
    ] as const) {
      const parameter = await ec2A(region).ssm.send(new GetParameterCommand({ Name: '/golden/web/latest' }));
      assert.equal(parameter.Parameter?.Value, imageId, `parameter in ${region}`);
      assert.equal(parameter.Parameter?.DataType, 'aws:ec2:image');
    }
    assert.deepEqual(result.published?.sort(), [
      'eu-west-1:/golden/web/latest v1',
      'us-east-1:/golden/web/latest v1',
      'us-west-2/web v2 (default)',
      'us-west-2:/golden/web/latest v1',
    ]);

    // The run's resources are region-qualified in its search attribute.
    const resources = (await handle.describe()).typedSearchAttributes.get(RESOURCES) ?? [];
    assert.ok(resources.includes(`us-west-2/${copyIn('us-west-2')}`));
    assert.ok(resources.includes(`${ACCOUNT_B}/us-east-1/${copyIn('us-east-1', ROLE_B)}`));

    // One CopyImage per copy, in its own Region and account.
    for (const scope of [
      { accountId: ACCOUNT_A, region: 'us-west-2' },
      { accountId: ACCOUNT_A, region: 'eu-west-1' },
      { accountId: ACCOUNT_B, region: 'us-east-1' },
      { accountId: ACCOUNT_B, region: 'us-west-2' },
    ]) {
      assert.equal(ec2Count(await stack.admin.calls(scope), 'CopyImage'), 1, `one CopyImage in ${scope.accountId}/${scope.region}`);
    }
    await recordHistory(handle, 'ami-pipeline-distribution');
  });

  test('a lost CopyImage answer makes one copy, not two', async () => {
    await stack.admin.fault({ service: 'ec2', action: 'CopyImage', count: 1, loseAnswer: true, region: 'us-west-2' });
    const result = (await (await start({ distribution: { regions: [{ region: 'us-west-2' }] } })).result()) as AmiPipelineResult;
    const copies = await images(ec2A('us-west-2').ec2);
    assert.deepEqual(
      copies.map((i) => i.ImageId),
      [result.copies![0]!.imageId],
    );
    assert.equal(ec2Count(await stack.admin.calls({ region: 'us-west-2' }), 'CopyImage', 'faulted'), 1);
  });

  test('a copy that fails in one Region fails the stage with its reason and removes every copy and the original', async () => {
    await stack.admin.fail({ kind: 'image', next: true, region: 'eu-west-1', code: 'Client.InternalError', message: 'copy failed' });
    const handle = await start(
      { distribution: { regions: [{ region: 'us-west-2' }, { region: 'eu-west-1' }], deregistrationProtection: true } },
      'ami-pipeline-distribution-failed',
    );
    const failure = await failureOf(handle);
    assert.match(failure.message, /^distribute: .*copy failed/);
    await recordHistory(handle, 'ami-pipeline-distribution-failed');
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) {
      const left = (await images(ec2A(region).ec2)).filter((i) => i.State !== 'deregistered');
      assert.deepEqual(left, [], `nothing left in ${region}`);
    }
  });

  test('cancelled during distribute: every copy, in every Region and account, is removed', async () => {
    await stack.admin.configure({ durations: { copyImage: 60_000 } });
    const handle = await start({
      distribution: { regions: [{ region: 'us-west-2' }], accounts: [{ roleArn: ROLE_B, regions: ['eu-west-1'] }] },
    });
    await waitForProgress(handle, stageIs('distribute', 'running'), 30_000);
    // Both copies asked for before the cancel.
    const deadline = Date.now() + 20_000;
    while (ec2Count(await stack.admin.calls(), 'CopyImage') < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await handle.cancel();
    await assert.rejects(handle.result());
    for (const ec2 of [ec2A('us-east-1').ec2, ec2A('us-west-2').ec2, ec2B('eu-west-1').ec2]) {
      assert.deepEqual(
        (await images(ec2)).filter((i) => i.State !== 'deregistered'),
        [],
      );
    }
  });

  test('retention keeps an image a launch template still uses as its default', async () => {
    await createTemplate(REGION, 'app');
    const first = (await (
      await start({ publish: { launchTemplates: [{ name: 'app', setDefault: true }] }, retention: { keep: 1 } })
    ).result()) as AmiPipelineResult;
    // The second run adds a version but leaves the default on the first image: it is in use, so it stays.
    const second = (await (
      await start({ publish: { launchTemplates: [{ name: 'app', setDefault: false }] }, retention: { keep: 1 } })
    ).result()) as AmiPipelineResult;
    assert.deepEqual(second.retired, []);
    const left = (await images(ec2A(REGION).ec2)).map((i) => i.ImageId).sort();
    assert.deepEqual(left, [first.imageId, second.imageId].sort());
  });

  describe('bad input fails before anything is created: zero mutating calls', () => {
    const cases: [string, Partial<AmiPipelineConfig>, RegExp][] = [
      ['an unknown Region', { distribution: { regions: [{ region: 'xx-nowhere-1' }] } }, /xx-nowhere-1/],
      ['a Region not enabled', { distribution: { regions: [{ region: 'af-south-1' }] } }, /af-south-1.*not (enabled|opted)/],
      ['the build Region as a copy', { distribution: { regions: [{ region: 'us-east-1' }] } }, /us-east-1.*build Region/],
      [
        'a KMS key that does not exist',
        { distribution: { regions: [{ region: 'us-west-2', kmsKeyId: 'alias/missing' }] } },
        /alias\/missing/,
      ],
      [
        'a role that cannot be assumed',
        { distribution: { accounts: [{ roleArn: `arn:aws:iam::${ACCOUNT_B}:role/nope`, regions: ['us-west-2'] }] } },
        /role\/nope/,
      ],
      ['a launch template that does not exist', { publish: { launchTemplates: [{ name: 'missing-template' }] } }, /missing-template/],
      [
        'a launch template in a Region with no image',
        { publish: { launchTemplates: [{ region: 'eu-west-1', name: 'web' }] } },
        /eu-west-1/,
      ],
      ['fast launch in a Region with no copy', { fastLaunch: { regions: ['eu-west-1'] } }, /eu-west-1/],
    ];
    for (const [what, config, message] of cases) {
      test(what, async () => {
        const failure = await failureOf(await start(config));
        assert.equal(failure.type, 'InvalidInput');
        assert.match(failure.message, message);
        assert.deepEqual(await mutatingCalls(stack), {});
      });
    }
  });
});
