import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type EC2ClientConfig,
  ModifyImageAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AppStreamClient,
  CreateImageBuilderCommand,
  DescribeImagePermissionsCommand,
  DescribeImagesCommand as DescribeAppStreamImagesCommand,
  UpdateImagePermissionsCommand,
} from '@aws-sdk/client-appstream';
import {
  APPSTREAM_GOLDEN_IMAGE_NAME,
  createSandbox,
  LINUX_BASE_AMI_ID,
  SANDBOX_ACCESS_KEYS,
  SandboxAdmin,
  type RunningSandbox,
} from '../index';
import { rejectsWith } from './support/rejects-with';

/** Regions and accounts as AWS keeps them apart, through the real SDK signed with each account's key. */

const [KEY_A, KEY_B] = SANDBOX_ACCESS_KEYS as [(typeof SANDBOX_ACCESS_KEYS)[0], (typeof SANDBOX_ACCESS_KEYS)[0]];
const ACCOUNT_A = KEY_A.accountId;
const ACCOUNT_B = KEY_B.accountId;

let running: RunningSandbox;
let admin: SandboxAdmin;

function ec2(key = KEY_A, region = 'us-east-1', extra: Partial<EC2ClientConfig> = {}): EC2Client {
  return new EC2Client({ endpoint: running.url, region, credentials: key, ...extra });
}

function appstream(key = KEY_A, region = 'us-east-1'): AppStreamClient {
  return new AppStreamClient({ endpoint: running.url, region, credentials: key });
}

async function runningInstance(client: EC2Client, imageId: string): Promise<string> {
  const { Instances } = await client.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 }));
  await admin.advance();
  return Instances![0]!.InstanceId!;
}

/** An available AMI of the client's account in the client's Region, and the instance it was made from. */
async function ownImage(
  client: EC2Client,
  name: string,
  baseImageId = LINUX_BASE_AMI_ID,
): Promise<{ imageId: string; instanceId: string }> {
  const instanceId = await runningInstance(client, baseImageId);
  const { ImageId } = await client.send(new CreateImageCommand({ InstanceId: instanceId, Name: name }));
  await admin.advance();
  return { imageId: ImageId!, instanceId };
}

const idsOf = (images: { ImageId?: string }[] | undefined) => (images ?? []).map((i) => i.ImageId).sort();

before(async () => {
  running = await createSandbox({ port: 0, config: { profile: 'test' } });
  admin = new SandboxAdmin(running.url);
});

after(async () => {
  await running.close();
});

beforeEach(async () => {
  await admin.reset({ profile: 'test' });
});

describe('regions', () => {
  test('an AMI made in us-east-1 is unknown in eu-west-1, which has its own Amazon AMIs, instances and zone', async () => {
    const east = ec2();
    const west = ec2(KEY_A, 'eu-west-1');
    const { imageId } = await ownImage(east, 'made-in-east');

    await rejectsWith(west.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
    assert.deepEqual(idsOf((await west.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images), []);
    assert.deepEqual((await west.send(new DescribeInstancesCommand({}))).Reservations, []);
    await rejectsWith(west.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 })), 'InvalidAMIID.NotFound');

    // Amazon's base AMIs exist in every Region, with IDs of their own there.
    const westBase = (await west.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images ?? [];
    const eastBase = (await east.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images ?? [];
    assert.equal(westBase.length, 2);
    assert.deepEqual(
      westBase.map((i) => i.Name),
      eastBase.map((i) => i.Name),
    );
    assert.ok(!westBase.some((i) => eastBase.some((e) => e.ImageId === i.ImageId)), 'regional AMI IDs differ');
    const linuxWest = westBase.find((i) => i.Name!.startsWith('al2023'))!.ImageId!;
    await rejectsWith(east.send(new DescribeImagesCommand({ ImageIds: [linuxWest] })), 'InvalidAMIID.NotFound');

    const instanceId = await runningInstance(west, linuxWest);
    const [instance] = (await west.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!.Instances!;
    assert.equal(instance!.Placement!.AvailabilityZone, 'eu-west-1a');
    assert.match(instance!.PrivateDnsName!, /\.eu-west-1\.compute\.internal$/);
    await rejectsWith(east.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })), 'InvalidInstanceID.NotFound');
  });

  test('throttle buckets are per Region and per account', async () => {
    // Scale 0.1: DescribeImages' bucket holds 10 tokens and refills 2 per second.
    await admin.reset({ profile: 'test', throttling: { enabled: true, scale: 0.1 } });
    const describe = (client: EC2Client) => client.send(new DescribeImagesCommand({ Owners: ['self'] }));
    const eastA = ec2(KEY_A, 'us-east-1', { maxAttempts: 1 });
    const burst = await Promise.allSettled(Array.from({ length: 15 }, () => describe(eastA)));
    assert.ok(
      burst.some((r) => r.status === 'rejected'),
      'the burst drained us-east-1 for account A',
    );

    await describe(ec2(KEY_A, 'eu-west-1', { maxAttempts: 1 }));
    await describe(ec2(KEY_B, 'us-east-1', { maxAttempts: 1 }));
    await rejectsWith(Promise.all(Array.from({ length: 3 }, () => describe(eastA))), 'RequestLimitExceeded');
  });
});

describe('accounts', () => {
  test("account B sees nothing of account A's, and owns what it makes", async () => {
    const a = ec2(KEY_A);
    const b = ec2(KEY_B);
    const { imageId, instanceId } = await ownImage(a, 'private-to-a');

    await rejectsWith(b.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
    const seenByB = idsOf((await b.send(new DescribeImagesCommand({}))).Images);
    assert.ok(!seenByB.includes(imageId));
    assert.ok(seenByB.includes(LINUX_BASE_AMI_ID), 'public AMIs are everyone’s');
    assert.deepEqual((await b.send(new DescribeInstancesCommand({}))).Reservations, []);
    await rejectsWith(b.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })), 'InvalidInstanceID.NotFound');
    assert.deepEqual((await b.send(new DescribeSnapshotsCommand({ OwnerIds: [ACCOUNT_A] }))).Snapshots, []);
    await rejectsWith(b.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 })), 'InvalidAMIID.NotFound');

    const reservation = await b.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
    assert.equal(reservation.OwnerId, ACCOUNT_B);
    assert.equal(reservation.Instances![0]!.NetworkInterfaces![0]!.OwnerId, ACCOUNT_B);
    // AMI names are unique per account: B may use the name A used.
    await admin.advance();
    const { ImageId } = await b.send(new CreateImageCommand({ InstanceId: reservation.Instances![0]!.InstanceId!, Name: 'private-to-a' }));
    await admin.advance();
    const [mine] = (await b.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images!;
    assert.equal(mine!.OwnerId, ACCOUNT_B);
    assert.equal(mine!.ImageLocation, `${ACCOUNT_B}/private-to-a`);
  });

  test('an AMI A shares with B: B sees and launches it, filters as AWS documents, nothing else of A’s; unsharing hides it again', async () => {
    const a = ec2(KEY_A);
    const b = ec2(KEY_B);
    const { imageId: shared } = await ownImage(a, 'shared-with-b');
    const { imageId: kept } = await ownImage(a, 'kept-by-a');
    await a.send(new ModifyImageAttributeCommand({ ImageId: shared, LaunchPermission: { Add: [{ UserId: ACCOUNT_B }] } }));

    const attribute = await a.send(new DescribeImageAttributeCommand({ ImageId: shared, Attribute: 'launchPermission' }));
    assert.deepEqual(attribute.LaunchPermissions, [{ UserId: ACCOUNT_B }]);

    const [seen] = (await b.send(new DescribeImagesCommand({ ImageIds: [shared] }))).Images!;
    assert.equal(seen!.OwnerId, ACCOUNT_A);
    assert.equal(seen!.Public, false);
    assert.deepEqual(idsOf((await b.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images), [shared]);
    assert.deepEqual(idsOf((await b.send(new DescribeImagesCommand({ ExecutableUsers: [ACCOUNT_B] }))).Images), [shared]);
    assert.ok(!idsOf((await b.send(new DescribeImagesCommand({ ExecutableUsers: ['all'] }))).Images).includes(shared));
    assert.deepEqual(idsOf((await b.send(new DescribeImagesCommand({ Owners: [ACCOUNT_A] }))).Images), [shared]);
    assert.deepEqual(idsOf((await b.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images), []);
    const all = idsOf((await b.send(new DescribeImagesCommand({}))).Images);
    assert.ok(all.includes(shared) && !all.includes(kept));
    // A's own AMIs are not "executable by self" for A: that means an explicit launch permission.
    assert.deepEqual(idsOf((await a.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images), []);
    assert.deepEqual(idsOf((await a.send(new DescribeImagesCommand({ ExecutableUsers: [ACCOUNT_B] }))).Images), [shared]);

    const launched = await runningInstance(b, shared);
    assert.equal((await b.send(new DescribeInstancesCommand({ InstanceIds: [launched] }))).Reservations![0]!.OwnerId, ACCOUNT_B);
    await rejectsWith(b.send(new DescribeImageAttributeCommand({ ImageId: shared, Attribute: 'launchPermission' })), 'AuthFailure');
    await rejectsWith(
      b.send(new ModifyImageAttributeCommand({ ImageId: shared, LaunchPermission: { Add: [{ Group: 'all' }] } })),
      'AuthFailure',
    );
    await rejectsWith(b.send(new DeregisterImageCommand({ ImageId: shared })), 'UnauthorizedOperation');

    await a.send(new ModifyImageAttributeCommand({ ImageId: shared, LaunchPermission: { Remove: [{ UserId: ACCOUNT_B }] } }));
    await rejectsWith(b.send(new DescribeImagesCommand({ ImageIds: [shared] })), 'InvalidAMIID.NotFound');

    // Group all makes it public: every account sees it, as `all` and by owner.
    await a.send(
      new ModifyImageAttributeCommand({ ImageId: kept, Attribute: 'launchPermission', OperationType: 'add', UserGroups: ['all'] }),
    );
    assert.ok(idsOf((await b.send(new DescribeImagesCommand({ ExecutableUsers: ['all'] }))).Images).includes(kept));
    assert.equal((await b.send(new DescribeImagesCommand({ ImageIds: [kept] }))).Images![0]!.Public, true);
    await rejectsWith(
      a.send(new ModifyImageAttributeCommand({ ImageId: kept, LaunchPermission: { Add: [{ UserId: 'not-an-account' }] } })),
      'InvalidAMIAttributeItemValue',
    );
  });

  test('an AppStream image A shares with B is SHARED to B, by ARN and in listings, with the permissions A granted', async () => {
    const a = appstream(KEY_A);
    const b = appstream(KEY_B);
    const golden = (await a.send(new DescribeAppStreamImagesCommand({ Names: [APPSTREAM_GOLDEN_IMAGE_NAME] }))).Images![0]!;
    assert.equal(golden.Arn, `arn:aws:appstream:us-east-1:${ACCOUNT_A}:image/${APPSTREAM_GOLDEN_IMAGE_NAME}`);
    assert.deepEqual((await b.send(new DescribeAppStreamImagesCommand({ Type: 'SHARED' }))).Images, []);
    await rejectsWith(b.send(new DescribeAppStreamImagesCommand({ Arns: [golden.Arn!] })), 'ResourceNotFoundException');

    await a.send(
      new UpdateImagePermissionsCommand({
        Name: APPSTREAM_GOLDEN_IMAGE_NAME,
        SharedAccountId: ACCOUNT_B,
        ImagePermissions: { allowFleet: true, allowImageBuilder: false },
      }),
    );
    const permissions = await a.send(new DescribeImagePermissionsCommand({ Name: APPSTREAM_GOLDEN_IMAGE_NAME }));
    assert.deepEqual(permissions.SharedImagePermissionsList, [
      { sharedAccountId: ACCOUNT_B, imagePermissions: { allowFleet: true, allowImageBuilder: false } },
    ]);
    assert.equal(
      (await a.send(new DescribeAppStreamImagesCommand({ Names: [APPSTREAM_GOLDEN_IMAGE_NAME] }))).Images![0]!.ImageSharedWithOthers,
      'TRUE',
    );

    const [shared] = (await b.send(new DescribeAppStreamImagesCommand({ Type: 'SHARED' }))).Images!;
    assert.equal(shared!.Arn, golden.Arn);
    assert.equal(shared!.Visibility, 'SHARED');
    assert.deepEqual(shared!.ImagePermissions, { allowFleet: true, allowImageBuilder: false });
    assert.equal((await b.send(new DescribeAppStreamImagesCommand({ Arns: [golden.Arn!] }))).Images![0]!.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
    // Names select public and private images only, and B has none of that name.
    await rejectsWith(b.send(new DescribeAppStreamImagesCommand({ Names: [APPSTREAM_GOLDEN_IMAGE_NAME] })), 'ResourceNotFoundException');
    await rejectsWith(b.send(new DescribeImagePermissionsCommand({ Name: APPSTREAM_GOLDEN_IMAGE_NAME })), 'ResourceNotFoundException');

    const builder = { Name: 'b-builder', InstanceType: 'stream.standard.medium', ImageArn: golden.Arn };
    await rejectsWith(b.send(new CreateImageBuilderCommand(builder)), 'OperationNotPermittedException');
    await a.send(
      new UpdateImagePermissionsCommand({
        Name: APPSTREAM_GOLDEN_IMAGE_NAME,
        SharedAccountId: ACCOUNT_B,
        ImagePermissions: { allowImageBuilder: true },
      }),
    );
    const created = (await b.send(new CreateImageBuilderCommand(builder))).ImageBuilder!;
    assert.equal(created.Arn, `arn:aws:appstream:us-east-1:${ACCOUNT_B}:image-builder/b-builder`);

    // In another Region the image does not exist, and AWS's public images carry that Region in their ARNs.
    const west = (await appstream(KEY_A, 'eu-west-1').send(new DescribeAppStreamImagesCommand({}))).Images!;
    assert.deepEqual(
      west.map((i) => [i.Visibility, i.Arn!.split(':')[3]]),
      [
        ['PUBLIC', 'eu-west-1'],
        ['PUBLIC', 'eu-west-1'],
      ],
    );
  });
});

describe('admin API', () => {
  test('state dumps are labelled with account and Region; fail and faults take them, defaulting to the default ones', async () => {
    const westA = ec2(KEY_A, 'eu-west-1');
    const west = (await westA.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images!;
    const westLinux = west.find((i) => i.Name!.startsWith('al2023'))!.ImageId!;

    // A failure planned for eu-west-1 waits for an image there; one made in us-east-1 is not it.
    await admin.fail({ kind: 'image', next: true, region: 'eu-west-1', code: 'Client.InternalError', message: 'west only' });
    const { imageId: eastImage } = await ownImage(ec2(), 'east-image');
    const { imageId: westImage } = await ownImage(westA, 'west-image', westLinux);
    assert.equal((await ec2().send(new DescribeImagesCommand({ ImageIds: [eastImage] }))).Images![0]!.State, 'available');
    assert.equal((await westA.send(new DescribeImagesCommand({ ImageIds: [westImage] }))).Images![0]!.State, 'failed');

    const dump = await admin.state();
    assert.equal(dump.accountId, ACCOUNT_A);
    assert.equal(dump.region, 'us-east-1');
    assert.deepEqual(
      dump.images.map((i) => i.id),
      [eastImage],
    );
    const westDump = await admin.state({ region: 'eu-west-1' });
    assert.deepEqual(
      [westDump.accountId, westDump.region, westDump.images.map((i) => [i.id, i.state])],
      [ACCOUNT_A, 'eu-west-1', [[westImage, 'failed']]],
    );
    const scopes = dump.scopes.map((s) => `${s.accountId}/${s.region}`).sort();
    assert.ok(scopes.includes(`${ACCOUNT_A}/us-east-1`) && scopes.includes(`${ACCOUNT_A}/eu-west-1`), scopes.join(' '));
    assert.deepEqual((await admin.state({ accountId: ACCOUNT_B })).images, []);

    // A fault for account B leaves account A's calls alone.
    await admin.fault({ service: 'ec2', action: 'DescribeImages', accountId: ACCOUNT_B, error: { code: 'InternalError', status: 500 } });
    await ec2(KEY_A, 'us-east-1', { maxAttempts: 1 }).send(new DescribeImagesCommand({ Owners: ['self'] }));
    await rejectsWith(ec2(KEY_B, 'us-east-1', { maxAttempts: 1 }).send(new DescribeImagesCommand({ Owners: ['self'] })), 'InternalError');

    // Sharing shows in the owner's dump.
    await ec2().send(new ModifyImageAttributeCommand({ ImageId: eastImage, LaunchPermission: { Add: [{ UserId: ACCOUNT_B }] } }));
    assert.deepEqual((await admin.state()).images[0]!.sharedWith, [ACCOUNT_B]);
  });
});
