/**
 * The distribution activities, called as the worker calls them, on a sandbox of this file's own,
 * through the real AWS SDK and the worker's own clients: copies in another Region and in another
 * account (through the role the worker assumes there), launch permissions seen from the receiving
 * account, deprecation, deregistration protection and disabling, each safe to retry and to replay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Image,
} from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/common';
import { SANDBOX_ACCESS_KEYS } from '@golden-image/aws-sandbox';
import { createAwsClients, type AwsClients } from '../activities/aws/clients';
import { copyImage, type CopyImageRequest } from '../activities/ec2/copy-image';
import { deregisterImage } from '../activities/ec2/deregister-image';
import { deprecateImage, disableImage, protectImage, unprotectImage } from '../activities/ec2/image-lifecycle';
import { describeImagesById } from '../activities/ec2/image-lookup';
import { shareImage } from '../activities/ec2/launch-permissions';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { ec2Count } from './support/scenarios';
import { REGION, TEST_CREDENTIALS } from './support/stack';

const WEST = 'us-west-2';
const ACCOUNT_A = SANDBOX_ACCESS_KEYS[0]!.accountId;
const ACCOUNT_B = SANDBOX_ACCESS_KEYS[1]!.accountId;
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/golden-image-distribution`;
const ORGANIZATION = 'arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5';
const OU = 'arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cdef3456';

let sandbox: OwnSandbox;
let clients: AwsClients;
/** Account B's own clients, signed with its own key: what the receiving account sees, independently of the worker. */
let accountB: AwsClients;
let home: EC2Client;
let west: EC2Client;
let westB: EC2Client;
let buildInstance: string;

before(async () => {
  sandbox = await startOwnSandbox();
  const options = { endpoint: sandbox.url, region: REGION, requestTimeoutMs: 5_000 };
  clients = createAwsClients({ ...options, credentials: TEST_CREDENTIALS });
  const { accessKeyId, secretAccessKey } = SANDBOX_ACCESS_KEYS[1]!;
  accountB = createAwsClients({ ...options, credentials: { accessKeyId, secretAccessKey } });
  home = clients.ec2;
  west = clients.at({ region: WEST }).ec2;
  westB = clients.at({ region: WEST, roleArn: ROLE_B, session: 'test' }).ec2;
  [buildInstance] = (await sandbox.launchInstances('linux', 1)) as [string];
});

after(async () => {
  for (const client of [home, west, westB, accountB?.ec2, accountB?.at({ region: WEST }).ec2, clients?.sts]) client?.destroy();
  await sandbox?.close();
});

/** An available image of account A in the home Region, made for one test. */
async function sourceImage(name: string): Promise<string> {
  const { ImageId } = await home.send(new CreateImageCommand({ InstanceId: buildInstance, Name: name, NoReboot: true }));
  await sandbox.admin.advance();
  return ImageId!;
}

function copyRequest(sourceImageId: string, name: string, extra: Partial<CopyImageRequest> = {}): CopyImageRequest {
  return {
    sourceImageId,
    sourceRegion: REGION,
    name,
    workKey: `wf-${name}/${sourceImageId}/home/${WEST}`,
    tags: { 'golden-image:pipeline': 'dist', 'golden-image:run': name },
    ownershipTag: 'golden-image:run',
    ...extra,
  };
}

async function describeOne(ec2: EC2Client, imageId: string): Promise<Image | undefined> {
  return (await describeImagesById(ec2, [imageId])).get(imageId);
}

/** The images of this name in one account's Region, as the sandbox holds them (not subject to what a describe shows). */
async function imagesNamed(name: string, accountId = ACCOUNT_A, region = WEST) {
  return (await sandbox.admin.state({ accountId, region })).images.filter((i) => i.name === name && !i.deregistered);
}

/** Runs `call`, expecting an ApplicationFailure, and returns it. */
async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await call.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, `an ApplicationFailure, not ${String(err)}`);
  return err;
}

describe('copyImage', () => {
  test('a copy lands in the destination Region, tagged (image and snapshots), owned by the caller, and not in the source Region', async () => {
    const source = await sourceImage('dist-copy-src');
    const request = copyRequest(source, 'dist-copy');
    const imageId = await copyImage(west, request);
    await sandbox.admin.advance();
    const copy = await describeOne(west, imageId);
    assert.equal(copy?.State, 'available');
    assert.deepEqual([copy?.SourceImageId, copy?.SourceImageRegion, copy?.OwnerId], [source, REGION, ACCOUNT_A]);
    assert.deepEqual(Object.fromEntries(copy!.Tags!.map((t) => [t.Key, t.Value])), request.tags);
    const snapshots = (await sandbox.admin.state({ region: WEST })).snapshots.filter((s) =>
      copy!.BlockDeviceMappings!.some((m) => m.Ebs?.SnapshotId === s.id),
    );
    assert.ok(snapshots.length > 0);
    for (const snapshot of snapshots) assert.deepEqual(snapshot.tags, request.tags);
    assert.equal(await describeOne(home, imageId), undefined, 'the copy is not in the source Region');
  });

  test('asked again after EC2 has forgotten its token: the copy of that name is adopted if it belongs to this run, refused if not', async () => {
    const source = await sourceImage('dist-adopt-src');
    const first = await copyImage(west, copyRequest(source, 'dist-adopt'));
    // Another token (as after a workflow reset long after the first ask): the name is taken by our own copy.
    assert.equal(await copyImage(west, copyRequest(source, 'dist-adopt', { workKey: 'a much later ask' })), first);
    assert.equal((await imagesNamed('dist-adopt')).length, 1);
    // Someone else's image of the same name is never taken over.
    const someoneElses = copyRequest(source, 'dist-adopt', { workKey: 'another run', tags: { 'golden-image:run': 'another run' } });
    const refused = await failureOf(copyImage(west, someoneElses));
    assert.equal(refused.type, 'ImageNameTaken');
    assert.equal(refused.nonRetryable, true);
  });

  test('the same work key twice makes one copy: the second CopyImage gets the first answer', async () => {
    const source = await sourceImage('dist-twice-src');
    await sandbox.admin.resetCalls();
    const first = await copyImage(west, copyRequest(source, 'dist-twice'));
    const second = await copyImage(west, copyRequest(source, 'dist-twice'));
    assert.equal(second, first);
    assert.equal(ec2Count(await sandbox.admin.calls(), 'CopyImage'), 2);
    assert.deepEqual(
      (await imagesNamed('dist-twice')).map((i) => i.id),
      [first],
    );
  });

  test('an answer lost once: the SDK resends with the same token and EC2 answers with the one copy', async () => {
    const source = await sourceImage('dist-lost-once-src');
    await sandbox.admin.resetCalls();
    await sandbox.admin.fault({ service: 'ec2', action: 'CopyImage', region: WEST, loseAnswer: true });
    const imageId = await copyImage(west, copyRequest(source, 'dist-lost-once'));
    const calls = await sandbox.admin.calls();
    assert.deepEqual([ec2Count(calls, 'CopyImage'), ec2Count(calls, 'CopyImage', 'faulted')], [2, 1]);
    assert.deepEqual(
      (await imagesNamed('dist-lost-once')).map((i) => i.id),
      [imageId],
    );
  });

  test('every answer of an attempt lost: the attempt fails retryably, and the next attempt gets the copy the lost call made', async () => {
    const source = await sourceImage('dist-lost-all-src');
    const request = copyRequest(source, 'dist-lost-all');
    // The worker's clients try twice, so two lost answers fail the attempt.
    await sandbox.admin.fault({ service: 'ec2', action: 'CopyImage', region: WEST, loseAnswer: true, count: 2 });
    const failure = await failureOf(copyImage(west, request));
    assert.equal(failure.nonRetryable, false, `retryable: ${failure.message}`);
    const made = await imagesNamed('dist-lost-all');
    assert.equal(made.length, 1, 'the lost calls made one copy');

    const retried = await copyImage(west, request);
    assert.equal(retried, made[0]!.id);
    assert.equal((await imagesNamed('dist-lost-all')).length, 1);
  });

  test('with kmsKeyId (alias/golden) the copy and its snapshots are encrypted', async () => {
    const source = await sourceImage('dist-enc-src');
    const imageId = await copyImage(west, copyRequest(source, 'dist-enc', { kmsKeyId: 'alias/golden' }));
    await sandbox.admin.advance();
    const copy = await describeOne(west, imageId);
    const snapshotIds = copy!.BlockDeviceMappings!.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
    assert.ok(snapshotIds.length > 0);
    assert.ok(copy!.BlockDeviceMappings!.every((m) => m.Ebs?.Encrypted === true));
    const { Snapshots } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
    assert.deepEqual(
      Snapshots!.map((s) => s.Encrypted),
      snapshotIds.map(() => true),
    );
    // Without a key, an unencrypted source makes an unencrypted copy: Encrypted is not sent.
    const plain = await copyImage(west, copyRequest(source, 'dist-plain'));
    await sandbox.admin.advance();
    assert.ok((await describeOne(west, plain))!.BlockDeviceMappings!.every((m) => m.Ebs?.Encrypted === false));
  });

  test("account B, through the assumed role, can copy A's image only once A has shared it, and owns the copy", async () => {
    const source = await sourceImage('dist-b-src');
    const request = copyRequest(source, 'dist-b', { workKey: `wf-dist-b/${source}/${ACCOUNT_B}/${WEST}` });
    const refused = await failureOf(copyImage(westB, request));
    assert.equal(refused.type, 'InvalidAMIID.NotFound');
    assert.equal(refused.nonRetryable, true);

    assert.deepEqual(await shareImage(home, source, { accounts: [ACCOUNT_B], organizations: [], organizationalUnits: [] }), [ACCOUNT_B]);
    const imageId = await copyImage(westB, request);
    await sandbox.admin.advance();
    assert.equal((await describeOne(westB, imageId))?.OwnerId, ACCOUNT_B);
    assert.deepEqual(
      (await imagesNamed('dist-b', ACCOUNT_B)).map((i) => [i.id, i.ownerId]),
      [[imageId, ACCOUNT_B]],
    );
    assert.deepEqual(await imagesNamed('dist-b', ACCOUNT_A), [], 'nothing in account A');
    // Account B's own key sees its copy as its own.
    const { Images } = await accountB.at({ region: WEST }).ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    assert.ok(Images!.some((i) => i.ImageId === imageId));
  });
});

describe('shareImage', () => {
  test('adds only the missing launch permissions, and the receiving account then sees the image', async () => {
    const imageId = await sourceImage('dist-share');
    const executableByB = async () =>
      (await accountB.ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images!.map((i) => i.ImageId);
    assert.ok(!(await executableByB()).includes(imageId), 'not shared yet');

    await sandbox.admin.resetCalls();
    const first = await shareImage(home, imageId, { accounts: [ACCOUNT_B], organizations: [ORGANIZATION], organizationalUnits: [] });
    assert.deepEqual(first, [ACCOUNT_B, ORGANIZATION]);
    const second = await shareImage(home, imageId, { accounts: [ACCOUNT_B], organizations: [ORGANIZATION], organizationalUnits: [OU] });
    assert.deepEqual(second, [OU], 'only the OU was missing');
    const replay = await shareImage(home, imageId, { accounts: [ACCOUNT_B], organizations: [ORGANIZATION], organizationalUnits: [OU] });
    assert.deepEqual(replay, [], 'a replay changes nothing');
    const calls = await sandbox.admin.calls();
    assert.equal(ec2Count(calls, 'ModifyImageAttribute'), 2);
    assert.equal(ec2Count(calls, 'DescribeImageAttribute'), 3);

    const { LaunchPermissions } = await home.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
    assert.deepEqual(LaunchPermissions, [{ UserId: ACCOUNT_B }, { OrganizationArn: ORGANIZATION }, { OrganizationalUnitArn: OU }]);
    assert.ok((await executableByB()).includes(imageId), 'account B, with its own key, sees the image shared with it');
    const byId = await accountB.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    assert.equal(byId.Images?.[0]?.OwnerId, ACCOUNT_A);
  });

  test('"all" is Group=all: the image becomes public', async () => {
    const imageId = await sourceImage('dist-public');
    assert.deepEqual(await shareImage(home, imageId, { accounts: ['all'], organizations: [], organizationalUnits: [] }), ['all']);
    assert.equal((await describeOne(home, imageId))?.Public, true);
    assert.deepEqual(await shareImage(home, imageId, { accounts: ['all'], organizations: [], organizationalUnits: [] }), []);
  });
});

describe('deprecation, protection and disabling', () => {
  test('deprecateImage sets DeprecationTime (rounded to the minute as EC2 does) once; a replay asks EC2 nothing', async () => {
    const imageId = await sourceImage('dist-deprecate');
    const at = new Date(Date.now() + 90 * 24 * 3_600_000);
    at.setUTCSeconds(29, 0);
    const rounded = new Date(at);
    rounded.setUTCSeconds(0, 0);
    await sandbox.admin.resetCalls();
    assert.equal(await deprecateImage(home, imageId, at.toISOString()), true);
    assert.equal(await deprecateImage(home, imageId, at.toISOString()), false);
    assert.equal(ec2Count(await sandbox.admin.calls(), 'EnableImageDeprecation'), 1);
    assert.equal(Date.parse((await describeOne(home, imageId))!.DeprecationTime!), rounded.getTime());
    // Another time is another change.
    assert.equal(await deprecateImage(home, imageId, new Date(rounded.getTime() + 3_600_000).toISOString()), true);
  });

  test('protectImage enables protection without cooldown, once; a protected image cannot be deregistered, unprotectImage allows it', async () => {
    const imageId = await sourceImage('dist-protect');
    await sandbox.admin.resetCalls();
    assert.equal(await protectImage(home, imageId), true);
    assert.equal(await protectImage(home, imageId), false);
    assert.equal(ec2Count(await sandbox.admin.calls(), 'EnableImageDeregistrationProtection'), 1);
    assert.equal((await describeOne(home, imageId))?.DeregistrationProtection, 'enabled-without-cooldown');

    // EC2 refuses: a request error, not one to retry (it would be refused the same way until protection is lifted).
    const refused = await failureOf(deregisterImage(home, imageId));
    assert.equal(refused.type, 'OperationNotPermitted');
    assert.equal(refused.nonRetryable, true);
    assert.equal((await describeOne(home, imageId))?.State, 'available');

    assert.equal(await unprotectImage(home, imageId), true);
    assert.equal(await unprotectImage(home, imageId), false, 'nothing left to lift');
    assert.equal(await deregisterImage(home, imageId), true);
    assert.equal(await unprotectImage(home, imageId), false, 'a deregistered image has nothing to lift');
    assert.equal(await unprotectImage(home, 'ami-0123456789abcdef0'), false, 'nor has an image that never existed');
  });

  test("protectImage: the answer is lost and EC2 refuses the SDK's resend: protection is on, so that is success", async () => {
    const imageId = await sourceImage('dist-protect-lost');
    const action = 'EnableImageDeregistrationProtection';
    await sandbox.admin.fault({ service: 'ec2', action, loseAnswer: true });
    await sandbox.admin.fault({ service: 'ec2', action, error: { code: 'IncorrectState', status: 400, message: 'already enabled' } });
    assert.equal(await protectImage(home, imageId), true);
    assert.equal((await describeOne(home, imageId))?.DeregistrationProtection, 'enabled-without-cooldown');
    // A refusal of a change that was not made stays a failure, with EC2's reason.
    const other = await sourceImage('dist-protect-refused');
    await sandbox.admin.fault({ service: 'ec2', action, error: { code: 'IncorrectState', status: 400, message: 'refused' } });
    const refused = await failureOf(protectImage(home, other));
    assert.equal(refused.type, 'IncorrectState');
    await unprotectImage(home, imageId);
  });

  test('disableImage disables an image once and removes its launch permissions; a replay asks EC2 nothing', async () => {
    const imageId = await sourceImage('dist-disable');
    await shareImage(home, imageId, { accounts: [ACCOUNT_B], organizations: [], organizationalUnits: [] });
    await sandbox.admin.resetCalls();
    assert.equal(await disableImage(home, imageId), true);
    assert.equal(await disableImage(home, imageId), false);
    assert.equal(ec2Count(await sandbox.admin.calls(), 'DisableImage'), 1);
    assert.equal((await describeOne(home, imageId))?.State, 'disabled');
    const { LaunchPermissions } = await home.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
    assert.deepEqual(LaunchPermissions, []);
  });
});
