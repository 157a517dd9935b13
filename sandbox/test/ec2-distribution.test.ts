import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandInput,
  DescribeSnapshotsCommand,
  DisableImageDeprecationCommand,
  DisableImageDeregistrationProtectionCommand,
  EC2Client,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  ModifyImageAttributeCommand,
  ModifyLaunchTemplateCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, SANDBOX_ACCESS_KEYS } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/** Distributing an AMI, through the real SDK: copies to other Regions, retiring and protecting AMIs, launch template versions. */

const [KEY_A, KEY_B] = SANDBOX_ACCESS_KEYS as [(typeof SANDBOX_ACCESS_KEYS)[0], (typeof SANDBOX_ACCESS_KEYS)[0]];
const sandbox = ec2SandboxForThisFile();
const clients: EC2Client[] = [];

function ec2(region: string, key = KEY_A): EC2Client {
  const client = new EC2Client({ endpoint: sandbox.url, region, credentials: key });
  clients.push(client);
  return client;
}

after(() => {
  for (const client of clients) client.destroy();
});

beforeEach(async () => {
  await sandbox.admin.reset({ profile: 'test' });
});

/** An available AMI of account A in us-east-1. */
async function ownImage(name: string): Promise<string> {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  await sandbox.admin.advance();
  const { ImageId } = await sandbox.ec2.send(new CreateImageCommand({ InstanceId: Instances![0]!.InstanceId!, Name: name }));
  await sandbox.admin.advance();
  return ImageId!;
}

async function describeImage(client: EC2Client, imageId: string) {
  const { Images } = await client.send(new DescribeImagesCommand({ ImageIds: [imageId], IncludeDeprecated: true }));
  return Images![0]!;
}

describe('CopyImage', () => {
  test('a copy is made in the caller’s Region, pending for the copy duration, then available there and not in the source', async () => {
    const source = await ownImage('golden-1');
    const west = ec2('eu-west-1');
    const { ImageId } = await west.send(
      new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'golden-1-copy', ClientToken: 'copy-1' }),
    );
    assert.notEqual(ImageId, source);
    const pending = await describeImage(west, ImageId!);
    assert.equal(pending.State, 'pending');
    assert.equal(pending.SourceImageId, source);
    assert.equal(pending.SourceImageRegion, 'us-east-1');
    assert.equal(pending.OwnerId, KEY_A.accountId);
    assert.equal(pending.Description, `[Copied ${source} from us-east-1] golden-1`);

    await sandbox.admin.advance();
    const available = await describeImage(west, ImageId!);
    assert.equal(available.State, 'available');

    // New snapshots, in the destination Region only.
    const snapshotIds = available.BlockDeviceMappings!.map((m) => m.Ebs!.SnapshotId!);
    const sourceSnapshots = (await describeImage(sandbox.ec2, source)).BlockDeviceMappings!.map((m) => m.Ebs!.SnapshotId!);
    assert.ok(snapshotIds.every((id) => !sourceSnapshots.includes(id)));
    const { Snapshots } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
    assert.deepEqual(
      Snapshots!.map((s) => [s.State, s.Encrypted]),
      snapshotIds.map(() => ['completed', false]),
    );
    await rejectsWith(sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })), 'InvalidAMIID.NotFound');
  });

  test('a copy takes the configured copyImage duration', async () => {
    await sandbox.admin.reset({ profile: 'test', durations: { copyImage: 60_000 } });
    const source = await ownImage('golden-slow');
    const west = ec2('eu-west-1');
    const { ImageId } = await west.send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'slow-copy' }));
    await sandbox.admin.advance(50_000);
    assert.equal((await describeImage(west, ImageId!)).State, 'pending');
    await sandbox.admin.advance(11_000);
    assert.equal((await describeImage(west, ImageId!)).State, 'available');
  });

  test('Encrypted and KmsKeyId make encrypted snapshots; KmsKeyId alone is refused', async () => {
    const source = await ownImage('golden-enc');
    const west = ec2('eu-west-1');
    const { ImageId } = await west.send(
      new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'enc', Encrypted: true, KmsKeyId: 'alias/golden' }),
    );
    await sandbox.admin.advance();
    const image = await describeImage(west, ImageId!);
    assert.ok(image.BlockDeviceMappings!.every((m) => m.Ebs!.Encrypted === true));
    const { Snapshots } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [image.BlockDeviceMappings![0]!.Ebs!.SnapshotId!] }));
    assert.deepEqual([Snapshots![0]!.Encrypted, Snapshots![0]!.KmsKeyId], [true, 'alias/golden']);

    const { ImageId: defaultKey } = await west.send(
      new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'enc-default', Encrypted: true }),
    );
    const snapshotId = (await describeImage(west, defaultKey!)).BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const { Snapshots: defaults } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    assert.equal(defaults![0]!.KmsKeyId, 'alias/aws/ebs');

    await rejectsWith(
      west.send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'no-flag', KmsKeyId: 'alias/golden' })),
      'InvalidParameterDependency',
    );
  });

  test('the same ClientToken and parameters give the same copy; other parameters are a mismatch', async () => {
    const source = await ownImage('golden-token');
    const west = ec2('eu-west-1');
    const request = { SourceRegion: 'us-east-1', SourceImageId: source, Name: 'token-copy', ClientToken: 'tok-1' };
    const first = await west.send(new CopyImageCommand(request));
    const retry = await west.send(new CopyImageCommand(request));
    assert.equal(retry.ImageId, first.ImageId);
    const { Images } = await west.send(new DescribeImagesCommand({ Owners: ['self'] }));
    assert.equal(Images!.length, 1, 'one copy, not two');
    await rejectsWith(west.send(new CopyImageCommand({ ...request, Name: 'other-name' })), 'IdempotentParameterMismatch');
    // Without the token, the same name in the same Region is a duplicate.
    await rejectsWith(west.send(new CopyImageCommand({ ...request, ClientToken: undefined })), 'InvalidAMIName.Duplicate');
  });

  test('the source must exist in SourceRegion and be visible to the caller', async () => {
    const source = await ownImage('golden-private');
    const west = ec2('eu-west-1');
    await rejectsWith(
      west.send(new CopyImageCommand({ SourceRegion: 'eu-west-1', SourceImageId: source, Name: 'wrong-region' })),
      'InvalidAMIID.NotFound',
    );
    const westB = ec2('eu-west-1', KEY_B);
    await rejectsWith(
      westB.send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'not-shared' })),
      'InvalidAMIID.NotFound',
    );
    // A public AMI of another Region, never used before, is there to copy.
    const { ImageId } = await ec2('ap-southeast-2').send(
      new CopyImageCommand({ SourceRegion: 'sa-east-1', SourceImageId: await baseImageIn('sa-east-1'), Name: 'public-copy' }),
    );
    assert.match(ImageId!, /^ami-/);
  });

  test('the receiving account copies an AMI shared with it, and owns the copy', async () => {
    const source = await ownImage('golden-shared');
    await sandbox.ec2.send(new ModifyImageAttributeCommand({ ImageId: source, LaunchPermission: { Add: [{ UserId: KEY_B.accountId }] } }));
    const westB = ec2('eu-west-1', KEY_B);
    const { ImageId } = await westB.send(
      new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'b-copy', CopyImageTags: true }),
    );
    await sandbox.admin.advance();
    const copy = await describeImage(westB, ImageId!);
    assert.deepEqual([copy.OwnerId, copy.State], [KEY_B.accountId, 'available']);
    await rejectsWith(ec2('eu-west-1').send(new DescribeImagesCommand({ ImageIds: [ImageId!] })), 'InvalidAMIID.NotFound');
  });

  test('CopyImageTags copies the owner’s tags; TagSpecifications tag the copy and its snapshots', async () => {
    const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
    await sandbox.admin.advance();
    const { ImageId: source } = await sandbox.ec2.send(
      new CreateImageCommand({
        InstanceId: Instances![0]!.InstanceId!,
        Name: 'tagged',
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'team', Value: 'golden' }] }],
      }),
    );
    await sandbox.admin.advance();
    const west = ec2('eu-west-1');
    const { ImageId } = await west.send(
      new CopyImageCommand({
        SourceRegion: 'us-east-1',
        SourceImageId: source,
        Name: 'tagged-copy',
        CopyImageTags: true,
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'stage', Value: 'copy' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'of', Value: 'copy' }] },
        ],
      }),
    );
    const copy = await describeImage(west, ImageId!);
    assert.deepEqual(copy.Tags!.map((t) => `${t.Key}=${t.Value}`).sort(), ['stage=copy', 'team=golden']);
    const { Snapshots } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.BlockDeviceMappings![0]!.Ebs!.SnapshotId!] }));
    assert.deepEqual(Snapshots![0]!.Tags, [{ Key: 'of', Value: 'copy' }]);
    await rejectsWith(
      west.send(
        new CopyImageCommand({
          SourceRegion: 'us-east-1',
          SourceImageId: source,
          Name: 'bad-tags',
          TagSpecifications: [{ ResourceType: 'instance', Tags: [] }],
        }),
      ),
      'InvalidParameterValue',
    );
  });

  test('a planned image failure in the destination Region fails the next copy, and its snapshots', async () => {
    const source = await ownImage('golden-fail');
    await sandbox.admin.fail({ kind: 'image', next: true, region: 'eu-west-1', code: 'Client.InternalError', message: 'copy failed' });
    const west = ec2('eu-west-1');
    const { ImageId } = await west.send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'doomed' }));
    await sandbox.admin.advance();
    const copy = await describeImage(west, ImageId!);
    assert.deepEqual([copy.State, copy.StateReason?.Code], ['failed', 'Client.InternalError']);
    const { Snapshots } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.BlockDeviceMappings![0]!.Ebs!.SnapshotId!] }));
    assert.equal(Snapshots![0]!.State, 'error');
  });

  test('CopyImage has its own throttle bucket and answers injected faults', async () => {
    const source = await ownImage('golden-faults');
    const west = ec2('eu-west-1');
    await sandbox.admin.fault({
      service: 'ec2',
      action: 'CopyImage',
      region: 'eu-west-1',
      error: { code: 'UnauthorizedOperation', status: 403 },
    });
    await rejectsWith(
      ec2('eu-west-1', KEY_A).send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: source, Name: 'faulted' })),
      'UnauthorizedOperation',
    );
    // At a tenth of AWS's sizes, CopyImage's bucket holds 10 (AWS: 100, refilling 1 a second).
    await sandbox.admin.reset({ profile: 'test', throttling: { enabled: true, scale: 0.1 } });
    const image = await ownImage('golden-throttled');
    const noRetry = new EC2Client({ endpoint: sandbox.url, region: 'eu-west-1', credentials: KEY_A, maxAttempts: 1 });
    clients.push(noRetry);
    let copied = 0;
    for (;;) {
      try {
        await noRetry.send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: image, Name: `burst-${copied}` }));
        copied++;
      } catch (error) {
        assert.equal((error as Error).name, 'RequestLimitExceeded');
        break;
      }
      assert.ok(copied <= 11, 'the burst is throttled');
    }
    assert.ok(copied >= 10, `${copied} copies before the first throttle`);
    // Describes draw from another bucket.
    await west.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5 }));
  });
});

/** One of Amazon's public AMIs in `region` (their IDs differ per Region). */
async function baseImageIn(region: string): Promise<string> {
  const { Images } = await ec2(region).send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  return Images![0]!.ImageId!;
}

describe('deprecation and deregistration protection', () => {
  test('EnableImageDeprecation sets DeprecationTime, hides the AMI from others once passed, and DisableImageDeprecation clears it', async () => {
    const image = await ownImage('golden-deprecate');
    await sandbox.ec2.send(new ModifyImageAttributeCommand({ ImageId: image, LaunchPermission: { Add: [{ UserId: KEY_B.accountId }] } }));
    const now = Date.now();
    const at = new Date(Math.ceil((now + 10 * 60_000) / 60_000) * 60_000);
    await sandbox.ec2.send(new EnableImageDeprecationCommand({ ImageId: image, DeprecateAt: at }));
    assert.equal((await describeImage(sandbox.ec2, image)).DeprecationTime, at.toISOString());

    const b = ec2('us-east-1', KEY_B);
    const listedForB = async (includeDeprecated: boolean) =>
      ((await b.send(new DescribeImagesCommand({ ExecutableUsers: ['self'], IncludeDeprecated: includeDeprecated }))).Images ?? []).some(
        (i) => i.ImageId === image,
      );
    assert.equal(await listedForB(false), true);
    await sandbox.admin.advance(11 * 60_000);
    assert.equal(await listedForB(false), false, 'deprecated: left out unless asked for');
    assert.equal(await listedForB(true), true);

    await sandbox.ec2.send(new DisableImageDeprecationCommand({ ImageId: image }));
    assert.equal((await describeImage(sandbox.ec2, image)).DeprecationTime, undefined);
    assert.equal(await listedForB(false), true);

    await rejectsWith(
      sandbox.ec2.send(new EnableImageDeprecationCommand({ ImageId: image, DeprecateAt: new Date(Date.now() - 86_400_000) })),
      'InvalidParameterValue',
    );
    await rejectsWith(b.send(new EnableImageDeprecationCommand({ ImageId: image, DeprecateAt: at })), 'AuthFailure');
  });

  test('deregistration protection refuses DeregisterImage while it holds, through the cooldown', async () => {
    const image = await ownImage('golden-protect');
    const protection = async () => (await describeImage(sandbox.ec2, image)).DeregistrationProtection;
    assert.equal(await protection(), 'disabled');

    await sandbox.ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: image }));
    assert.equal(await protection(), 'enabled-without-cooldown');
    await rejectsWith(sandbox.ec2.send(new DeregisterImageCommand({ ImageId: image })), 'OperationNotPermitted');
    await sandbox.ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: image }));
    assert.equal(await protection(), 'disabled');

    await sandbox.ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: image, WithCooldown: true }));
    assert.equal(await protection(), 'enabled-with-cooldown');
    await sandbox.ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: image }));
    assert.match((await protection())!, /^disabled-until-\d{4}-\d\d-\d\dT/);
    await rejectsWith(sandbox.ec2.send(new DeregisterImageCommand({ ImageId: image })), 'OperationNotPermitted');
    await sandbox.admin.advance(24 * 60 * 60_000 + 1000);
    assert.equal(await protection(), 'disabled');
    await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: image }));
  });
});

describe('launch template versions', () => {
  async function template(name: string): Promise<string> {
    const { LaunchTemplate } = await sandbox.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        LaunchTemplateData: { ImageId: LINUX_BASE_AMI_ID, InstanceType: 't3.micro' },
      }),
    );
    return LaunchTemplate!.LaunchTemplateId!;
  }

  test('versions are numbered in order, inherit SourceVersion, and ModifyLaunchTemplate sets the default', async () => {
    const id = await template('golden-lt');
    const image = await ownImage('golden-lt-image');
    const { LaunchTemplateVersion } = await sandbox.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        SourceVersion: '1',
        VersionDescription: 'new image',
        LaunchTemplateData: { ImageId: image },
      }),
    );
    assert.equal(LaunchTemplateVersion!.VersionNumber, 2);
    assert.equal(LaunchTemplateVersion!.DefaultVersion, false);
    assert.deepEqual(LaunchTemplateVersion!.LaunchTemplateData, { ImageId: image, InstanceType: 't3.micro' });
    const { LaunchTemplateVersion: bare } = await sandbox.ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'golden-lt', LaunchTemplateData: { ImageId: image } }),
    );
    assert.deepEqual([bare!.VersionNumber, bare!.LaunchTemplateData], [3, { ImageId: image }]);

    const { LaunchTemplate } = await sandbox.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '2' }));
    assert.deepEqual([LaunchTemplate!.DefaultVersionNumber, LaunchTemplate!.LatestVersionNumber], [2, 3]);
    const { LaunchTemplates } = await sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }));
    assert.equal(LaunchTemplates![0]!.DefaultVersionNumber, 2);

    const versions = async (input: DescribeLaunchTemplateVersionsCommandInput) =>
      ((await sandbox.ec2.send(new DescribeLaunchTemplateVersionsCommand(input))).LaunchTemplateVersions ?? []).map((v) => v.VersionNumber);
    assert.deepEqual(await versions({ LaunchTemplateId: id }), [1, 2, 3]);
    assert.deepEqual(await versions({ LaunchTemplateId: id, Versions: ['$Default'] }), [2]);
    assert.deepEqual(await versions({ LaunchTemplateName: 'golden-lt', Versions: ['$Latest', '1'] }), [1, 3]);
    assert.deepEqual(await versions({ LaunchTemplateId: id, MinVersion: '2', MaxVersion: '2' }), [2]);
    assert.deepEqual(await versions({ LaunchTemplateId: id, Filters: [{ Name: 'is-default-version', Values: ['true'] }] }), [2]);
    assert.deepEqual(await versions({ LaunchTemplateId: id, Filters: [{ Name: 'image-id', Values: [image] }] }), [2, 3]);
    // Without a template: each template's $Latest / $Default.
    const other = await template('other-lt');
    const latest = await sandbox.ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Latest'] }));
    assert.deepEqual(
      latest.LaunchTemplateVersions!.filter((v) => v.LaunchTemplateId === id || v.LaunchTemplateId === other).map((v) => v.VersionNumber),
      [3, 1],
    );
    await rejectsWith(sandbox.ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['1'] })), 'InvalidParameterValue');
    await rejectsWith(
      sandbox.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['9'] })),
      'InvalidLaunchTemplateId.VersionNotFound',
    );
    await rejectsWith(
      sandbox.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '9' })),
      'InvalidLaunchTemplateId.VersionNotFound',
    );
  });

  test('pagination walks every version; a ClientToken makes CreateLaunchTemplateVersion idempotent', async () => {
    const id = await template('paged-lt');
    const request = { LaunchTemplateId: id, ClientToken: 'v-token', LaunchTemplateData: { InstanceType: 't3.large' as const } };
    const first = await sandbox.ec2.send(new CreateLaunchTemplateVersionCommand(request));
    const retry = await sandbox.ec2.send(new CreateLaunchTemplateVersionCommand(request));
    assert.equal(retry.LaunchTemplateVersion!.VersionNumber, first.LaunchTemplateVersion!.VersionNumber);
    await rejectsWith(
      sandbox.ec2.send(new CreateLaunchTemplateVersionCommand({ ...request, VersionDescription: 'other' })),
      'IdempotentParameterMismatch',
    );
    for (let i = 0; i < 3; i++) {
      await sandbox.ec2.send(
        new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, LaunchTemplateData: { InstanceType: 't3.small' } }),
      );
    }
    const seen: number[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sandbox.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, MaxResults: 2, NextToken }));
      assert.ok(page.LaunchTemplateVersions!.length <= 2);
      seen.push(...page.LaunchTemplateVersions!.map((v) => v.VersionNumber!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  });
});
