import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type EC2ClientConfig,
  paginateDescribeImages,
  paginateDescribeInstances,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { XMLParser } from 'fast-xml-parser';
import { createSandbox, SandboxAdmin, type RunningSandbox, LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS, WINDOWS_BASE_AMI_ID } from '../index';
import { send, sign } from '../raw-signing';
import { rejectsWith } from './support/rejects-with';

let running: RunningSandbox;
let ec2: EC2Client;
let admin: SandboxAdmin;

function client(extra: Partial<EC2ClientConfig> = {}): EC2Client {
  return new EC2Client({
    endpoint: running.url,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    ...extra,
  });
}

async function launch(imageId: string, count: number, tags: Record<string, string> = {}): Promise<string[]> {
  const reservation = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      MinCount: count,
      MaxCount: count,
      InstanceType: 't3.micro',
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  return reservation.Instances!.map((i) => i.InstanceId!);
}

/** A running build instance to create images from. */
async function runningInstance(imageId = LINUX_BASE_AMI_ID): Promise<string> {
  const [id] = await launch(imageId, 1, { role: 'build' });
  await admin.advance();
  return id!;
}

async function createImage(instanceId: string, name: string): Promise<string> {
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: name, NoReboot: true }));
  return ImageId!;
}

async function describeImage(imageId: string) {
  const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  assert.equal(Images?.length, 1);
  return Images[0]!;
}

async function rawPost(body: string | Buffer, headers: Record<string, string> = {}) {
  const request = {
    method: 'POST',
    url: running.url,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    body,
  };
  const response = await send(sign(request, { service: 'ec2' }));
  return { status: response.status, text: await response.text() };
}

function parseXmlError(text: string): { Code: string; Message: string; RequestID: string } {
  const parsed = new XMLParser().parse(text) as { Response: { Errors: { Error: { Code: string; Message: string } }; RequestID: string } };
  return { ...parsed.Response.Errors.Error, RequestID: parsed.Response.RequestID };
}

before(async () => {
  running = await createSandbox({ port: 0, config: { profile: 'test' } });
  ec2 = client();
  admin = new SandboxAdmin(running.url);
});

after(async () => {
  ec2.destroy();
  await running.close();
});

beforeEach(async () => {
  await admin.reset();
});

describe('instances', () => {
  test('RunInstances starts pending and is running after the profile duration', async () => {
    const reservation = await ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
    const instance = reservation.Instances![0]!;
    assert.match(instance.InstanceId!, /^i-[0-9a-f]{17}$/);
    assert.match(reservation.ReservationId!, /^r-[0-9a-f]{17}$/);
    assert.equal(reservation.OwnerId, '111122223333');
    assert.deepEqual(instance.State, { Code: 0, Name: 'pending' });
    assert.equal(instance.PlatformDetails, 'Linux/UNIX');
    assert.equal(instance.Platform, undefined);
    assert.equal(instance.RootDeviceName, '/dev/xvda');
    assert.equal(instance.Architecture, 'x86_64');
    const rootVolume = instance.BlockDeviceMappings![0]!;
    assert.equal(rootVolume.DeviceName, '/dev/xvda');
    assert.equal(rootVolume.Ebs?.Status, 'attached');
    assert.match(rootVolume.Ebs!.VolumeId!, /^vol-[0-9a-f]{17}$/);

    // The test profile's instance launch takes 200 ms of real time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    assert.deepEqual(described.Reservations![0]!.Instances![0]!.State, { Code: 16, Name: 'running' });

    const { Volumes } = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instance.InstanceId!] }] }),
    );
    assert.equal(Volumes?.length, 1);
    assert.equal(Volumes[0]!.VolumeId, rootVolume.Ebs!.VolumeId);
    assert.equal(Volumes[0]!.SnapshotId, 'snap-0a1b2c3d4e5f60002');
    assert.equal(Volumes[0]!.State, 'in-use');
    assert.equal(Volumes[0]!.Size, 8);
  });

  test('Windows AMIs launch Windows instances with /dev/sda1', async () => {
    const reservation = await ec2.send(new RunInstancesCommand({ ImageId: WINDOWS_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
    const instance = reservation.Instances![0]!;
    assert.equal(instance.Platform, 'windows');
    assert.equal(instance.PlatformDetails, 'Windows');
    assert.equal(instance.RootDeviceName, '/dev/sda1');
    assert.equal(instance.BlockDeviceMappings![0]!.DeviceName, '/dev/sda1');
  });

  test('DescribeInstances filters by tag and paginates with MaxResults', async () => {
    const teamA = await launch(LINUX_BASE_AMI_ID, 12, { team: 'a' });
    const teamB = await launch(LINUX_BASE_AMI_ID, 2, { team: 'b' });
    const pages: string[][] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, { Filters: [{ Name: 'tag:team', Values: ['a'] }] })) {
      pages.push(page.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId!)));
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [5, 5, 2],
    );
    assert.deepEqual(pages.flat().sort(), [...teamA].sort());

    const byKey = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag-key', Values: ['team'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      }),
    );
    const ids = byKey.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId!));
    assert.equal(ids.length, 14);
    assert.ok(teamB.every((id) => ids.includes(id)));
  });

  test('DescribeInstances parameter rules and ID errors', async () => {
    const [id] = await launch(LINUX_BASE_AMI_ID, 1);
    await rejectsWith(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!], MaxResults: 5 })), 'InvalidParameterCombination', 400);
    await rejectsWith(ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })), 'InvalidParameterValue', 400);
    await rejectsWith(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound', 400);
    await rejectsWith(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-xyz'] })), 'InvalidInstanceID.Malformed', 400);
    await rejectsWith(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })),
      'InvalidParameterValue',
    );
  });

  test('TerminateInstances reports state changes and terminated instances stay visible', async () => {
    const id = await runningInstance();
    const { TerminatingInstances } = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(TerminatingInstances, [
      { InstanceId: id, CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } },
    ]);
    await admin.advance();
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    assert.equal(described.Reservations![0]!.Instances![0]!.State?.Name, 'terminated');
    await rejectsWith(ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'from-terminated' })), 'IncorrectInstanceState');
  });
});

describe('images', () => {
  test('CreateImage with tags, NoReboot and VolumeInitializationRate; pending → available', async () => {
    const instanceId = await runningInstance();
    const { ImageId } = await ec2.send(
      new CreateImageCommand({
        InstanceId: instanceId,
        Name: 'golden-linux (2026-11-22) v1',
        Description: 'built by test',
        NoReboot: true,
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, VolumeInitializationRate: 250 } },
        ],
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'pipeline', Value: 'linux' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'pipeline', Value: 'linux-snap' }] },
        ],
      }),
    );
    assert.match(ImageId!, /^ami-[0-9a-f]{17}$/);

    const pending = await describeImage(ImageId!);
    assert.equal(pending.State, 'pending');
    assert.equal(pending.Name, 'golden-linux (2026-11-22) v1');
    assert.equal(pending.Description, 'built by test');
    assert.equal(pending.OwnerId, '111122223333');
    assert.equal(pending.Public, false);
    assert.equal(pending.PlatformDetails, 'Linux/UNIX');
    assert.equal(pending.RootDeviceName, '/dev/xvda');
    assert.equal(pending.SourceInstanceId, instanceId);
    assert.deepEqual(pending.Tags, [{ Key: 'pipeline', Value: 'linux' }]);
    const ebs = pending.BlockDeviceMappings![0]!.Ebs!;
    assert.equal(ebs.VolumeSize, 20);
    assert.equal(ebs.VolumeType, 'gp3');
    assert.equal(ebs.DeleteOnTermination, true);
    assert.equal(ebs.VolumeInitializationRate, 250);
    assert.match(ebs.SnapshotId!, /^snap-[0-9a-f]{17}$/);

    const snapshot = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [ebs.SnapshotId!] }))).Snapshots![0]!;
    assert.equal(snapshot.State, 'pending');
    assert.deepEqual(snapshot.Tags, [{ Key: 'pipeline', Value: 'linux-snap' }]);

    await admin.advance();
    const available = await describeImage(ImageId!);
    assert.equal(available.State, 'available');
    const completed = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [ebs.SnapshotId!] }))).Snapshots![0]!;
    assert.equal(completed.State, 'completed');
    assert.equal(completed.Progress, '100%');

    const dump = await admin.state();
    const dumped = dump.images.find((i) => i.id === ImageId);
    assert.equal(dumped?.state, 'available');
    assert.ok(typeof dumped?.readyAt === 'number' && dumped.readyAt >= dumped.createdAt);
  });

  test('Windows images inherit the platform; advance(ms) moves the virtual clock', async () => {
    const instanceId = await runningInstance(WINDOWS_BASE_AMI_ID);
    const imageId = await createImage(instanceId, 'golden-windows');
    await admin.advance(1000);
    assert.equal((await describeImage(imageId)).State, 'pending');
    await admin.advance(600);
    const image = await describeImage(imageId);
    assert.equal(image.State, 'available');
    assert.equal(image.Platform, 'windows');
    assert.equal(image.PlatformDetails, 'Windows');
    assert.equal(image.RootDeviceName, '/dev/sda1');
    const { Images } = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'platform', Values: ['windows'] }] }),
    );
    assert.deepEqual(
      Images?.map((i) => i.ImageId),
      [imageId],
    );
  });

  test('InvalidAMIName.Duplicate for a name this account already uses', async () => {
    const instanceId = await runningInstance();
    const first = await createImage(instanceId, 'golden-dup');
    const error = await rejectsWith(createImage(instanceId, 'golden-dup'), 'InvalidAMIName.Duplicate', 400);
    assert.match(error.message, new RegExp(first));
  });

  test('InvalidAMIName.Malformed for bad names; VolumeInitializationRate outside 100–300 is rejected', async () => {
    const instanceId = await runningInstance();
    await rejectsWith(createImage(instanceId, 'ab'), 'InvalidAMIName.Malformed', 400);
    await rejectsWith(createImage(instanceId, 'bad*name'), 'InvalidAMIName.Malformed', 400);
    await rejectsWith(createImage(instanceId, 'x'.repeat(129)), 'InvalidAMIName.Malformed', 400);
    await rejectsWith(
      ec2.send(
        new CreateImageCommand({
          InstanceId: instanceId,
          Name: 'golden-vir',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeInitializationRate: 50 } }],
        }),
      ),
      'InvalidParameterValue',
      400,
    );
    await rejectsWith(
      ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'golden-dry', DryRun: true })),
      'DryRunOperation',
      412,
    );
    const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    assert.deepEqual(Images, []);
  });

  test('DescribeImages: MaxResults with ImageIds is InvalidParameterCombination; bad IDs and tokens', async () => {
    await rejectsWith(
      ec2.send(new DescribeImagesCommand({ ImageIds: [LINUX_BASE_AMI_ID], MaxResults: 5 })),
      'InvalidParameterCombination',
      400,
    );
    await rejectsWith(ec2.send(new DescribeImagesCommand({ MaxResults: 1001 })), 'InvalidParameterValue', 400);
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })), 'InvalidAMIID.NotFound', 400);
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-nothex'] })), 'InvalidAMIID.Malformed', 400);
    await rejectsWith(ec2.send(new DescribeImagesCommand({ MaxResults: 5, NextToken: 'garbage' })), 'InvalidParameterValue', 400);
  });

  test('seeded base AMIs are public, owned by amazon', async () => {
    const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], ExecutableUsers: ['all'] }));
    assert.deepEqual(Images?.map((i) => i.ImageId).sort(), [WINDOWS_BASE_AMI_ID, LINUX_BASE_AMI_ID]);
    const windows = Images!.find((i) => i.ImageId === WINDOWS_BASE_AMI_ID)!;
    assert.equal(windows.Name, 'Windows_Server-2022-English-Full-Base-2026.11.12');
    assert.equal(windows.ImageOwnerAlias, 'amazon');
    assert.equal(windows.OwnerId, '801119661308');
    assert.equal(windows.Public, true);
    assert.equal(windows.State, 'available');
    const { Images: byName } = await ec2.send(
      new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['al2023-ami-2023.?.*-x86_64'] }] }),
    );
    assert.deepEqual(
      byName?.map((i) => i.ImageId),
      [LINUX_BASE_AMI_ID],
    );
  });

  test('paginateDescribeImages over many images with Owners self', async () => {
    const instanceId = await runningInstance();
    const names = Array.from({ length: 12 }, (_, i) => `golden-page-${String(i).padStart(2, '0')}`);
    for (const name of names) await createImage(instanceId, name);
    const pages: string[][] = [];
    for await (const page of paginateDescribeImages({ client: ec2, pageSize: 5 }, { Owners: ['self'] })) {
      pages.push(page.Images!.map((i) => i.Name!));
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [5, 5, 2],
    );
    assert.deepEqual(pages.flat().sort(), names);
  });

  test('NotFound window: a new image is invisible to describes for notFoundWindowMs', async () => {
    await admin.reset({ notFoundWindowMs: 60_000 });
    const instanceId = await runningInstance();
    const imageId = await createImage(instanceId, 'golden-eventual');
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound', 400);
    const filtered = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: ['golden-eventual'] }] }),
    );
    assert.deepEqual(filtered.Images, []);
    // The name is taken server-side even while describes cannot see the image.
    await rejectsWith(createImage(instanceId, 'golden-eventual'), 'InvalidAMIName.Duplicate');
    await admin.advance(60_000);
    assert.equal((await describeImage(imageId)).ImageId, imageId);
  });

  test('a failed image reports its state reason', async () => {
    const instanceId = await runningInstance();
    await admin.fail({ kind: 'image', next: true, code: 'Client.InternalError', message: 'Client.InternalError: snapshot copy failed' });
    const failing = await createImage(instanceId, 'golden-fails');
    assert.equal((await describeImage(failing)).State, 'pending');
    await admin.advance();
    const failed = await describeImage(failing);
    assert.equal(failed.State, 'failed');
    assert.deepEqual(failed.StateReason, { Code: 'Client.InternalError', Message: 'Client.InternalError: snapshot copy failed' });
    const snapshotId = failed.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    assert.equal((await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots![0]!.State, 'error');

    // By ID, for an image already being built; the next image is unaffected.
    const byId = await createImage(instanceId, 'golden-fails-by-id');
    await admin.fail({ kind: 'image', id: byId, code: 'Client.UserError', message: 'disk full' });
    await admin.advance();
    assert.equal((await describeImage(byId)).StateReason?.Code, 'Client.UserError');
    const healthy = await createImage(instanceId, 'golden-healthy');
    await admin.advance();
    assert.equal((await describeImage(healthy)).State, 'available');
  });

  test('DeregisterImage hides the image (by ID after a short while); DeleteSnapshot refuses while the image is registered', async () => {
    const instanceId = await runningInstance();
    const imageId = await createImage(instanceId, 'golden-retire');
    await admin.advance();
    const snapshotId = (await describeImage(imageId)).BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    await rejectsWith(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })), 'InvalidSnapshot.InUse', 400);

    const deregistered = await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    assert.equal(deregistered.Return, true);
    assert.equal((await describeImage(imageId)).State, 'deregistered', 'asked by ID, a deregistered image shows for a while');
    assert.deepEqual((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images, []);
    await admin.advance();
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
    await rejectsWith(ec2.send(new DeregisterImageCommand({ ImageId: imageId })), 'InvalidAMIID.NotFound');

    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    await rejectsWith(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })), 'InvalidSnapshot.NotFound');

    // The name is free again, and DeleteAssociatedSnapshots removes snapshots in one call.
    const again = await createImage(instanceId, 'golden-retire');
    await admin.advance();
    const againSnapshot = (await describeImage(again)).BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const result = await ec2.send(new DeregisterImageCommand({ ImageId: again, DeleteAssociatedSnapshots: true }));
    assert.deepEqual(result.DeleteSnapshotResults, [{ SnapshotId: againSnapshot, ReturnCode: 'success' }]);
    await rejectsWith(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [againSnapshot] })), 'InvalidSnapshot.NotFound');
  });
});

describe('throttling and faults', () => {
  test('a burst beyond the bucket gets 503 RequestLimitExceeded and is counted as throttled', async () => {
    // Scale 0.1: DescribeImages' non-mutating bucket holds 10 tokens and refills 2 per second.
    await admin.reset({ throttling: { enabled: true, scale: 0.1 } });
    const noRetry = client({ maxAttempts: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => noRetry.send(new DescribeImagesCommand({ Owners: ['self'] }))),
    );
    noRetry.destroy();
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(rejected.length >= 15 && rejected.length <= 20, `expected about 20 throttled, got ${rejected.length}`);
    for (const r of rejected) {
      const error = r.reason as Error & { $metadata: { httpStatusCode: number } };
      assert.equal(error.name, 'RequestLimitExceeded');
      assert.equal(error.message, 'Request limit exceeded.');
      assert.equal(error.$metadata.httpStatusCode, 503);
    }
    const calls = await admin.calls();
    assert.deepEqual(calls.ec2.DescribeImages, { total: 30, throttled: rejected.length, faulted: 0 });
  });

  test('throttling can be switched off', async () => {
    await admin.configure({ throttling: { enabled: false } });
    const noRetry = client({ maxAttempts: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => noRetry.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }))),
    );
    noRetry.destroy();
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 8);
    assert.equal((await admin.config()).throttling.enabled, false);
  });

  test('injected 500s fail the next N calls; the SDK retries them by default', async () => {
    await admin.fault({
      service: 'ec2',
      action: 'DescribeImages',
      count: 2,
      error: { code: 'InternalError', status: 500, message: 'injected' },
    });
    const noRetry = client({ maxAttempts: 1 });
    const error = await rejectsWith(noRetry.send(new DescribeImagesCommand({})), 'InternalError', 500);
    assert.equal(error.message, 'injected');
    noRetry.destroy();
    // One fault left: the default client retries past it.
    const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    assert.equal(Images?.length, 2);
    assert.deepEqual((await admin.calls()).ec2.DescribeImages, { total: 3, throttled: 0, faulted: 2 });
  });

  test('hang and reset faults break the connection; the sandbox keeps serving', async () => {
    await admin.fault({ service: 'ec2', action: 'DescribeImages', count: 1, hang: true });
    const impatient = client({ maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true }) });
    const started = Date.now();
    const hung = await rejectsWith(impatient.send(new DescribeImagesCommand({})), 'TimeoutError');
    assert.ok(Date.now() - started >= 250, hung.message);

    await admin.fault({ service: 'ec2', action: 'DescribeImages', count: 1, reset: true });
    await assert.rejects(impatient.send(new DescribeImagesCommand({})), (e: Error & { code?: string }) =>
      /ECONNRESET|socket hang up/.test(`${e.code} ${e.message}`),
    );
    impatient.destroy();

    assert.equal((await ec2.send(new DescribeImagesCommand({ ImageIds: [LINUX_BASE_AMI_ID] }))).Images?.length, 1);
    assert.deepEqual((await admin.calls()).ec2.DescribeImages, { total: 3, throttled: 0, faulted: 2 });
  });
});

describe('wire protocol', () => {
  test('unknown action → 400 InvalidAction in EC2 XML, and it is counted', async () => {
    const { status, text } = await rawPost('Action=Frobnicate&Version=2016-11-15');
    assert.equal(status, 400);
    const error = parseXmlError(text);
    assert.equal(error.Code, 'InvalidAction');
    assert.match(error.RequestID, /^[0-9a-f-]{36}$/);
    assert.equal((await admin.calls()).ec2.Frobnicate?.total, 1);
  });

  test('malformed form data and missing parameters → AWS XML errors', async () => {
    const badEscape = await rawPost('Action=DescribeImages&Version=2016-11-15&ImageId.1=%zz');
    assert.equal(badEscape.status, 400);
    assert.equal(parseXmlError(badEscape.text).Code, 'MalformedQueryString');

    const conflicting = await rawPost('Action=DescribeImages&Version=2016-11-15&ImageId=a&ImageId.1=b');
    assert.equal(parseXmlError(conflicting.text).Code, 'MalformedQueryString');

    const noAction = await rawPost('{"not":"a form"}');
    assert.equal(parseXmlError(noAction.text).Code, 'MissingAction');

    const missing = await rawPost('Action=CreateImage&Version=2016-11-15&InstanceId=i-0123456789abcdef0');
    assert.equal(missing.status, 400);
    assert.deepEqual(
      { code: parseXmlError(missing.text).Code, message: parseXmlError(missing.text).Message },
      { code: 'MissingParameter', message: 'The request must contain the parameter Name' },
    );
  });

  test('a success response has the EC2 namespace and requestId', async () => {
    const { status, text } = await rawPost(`Action=DescribeImages&Version=2016-11-15&ImageId.1=${LINUX_BASE_AMI_ID}`);
    assert.equal(status, 200);
    assert.match(
      text,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeImagesResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><imagesSet><item><imageId>ami-0a1b2c3d4e5f60002<\/imageId>/,
    );
  });

  test('a 2 MB body gets an AWS-style error and the sandbox keeps serving', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'a');
    const { status, text } = await rawPost(body);
    assert.equal(status, 413);
    assert.equal(parseXmlError(text).Code, 'RequestEntityTooLarge');
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [WINDOWS_BASE_AMI_ID] }));
    assert.equal(Images?.[0]?.ImageId, WINDOWS_BASE_AMI_ID);
  });

  test('AppStream JSON requests are routed to the AppStream module', async () => {
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'PhotonAdminProxyService.DescribeStacks' };
    const response = await send(sign({ method: 'POST', url: running.url, headers, body: '{}' }, { service: 'appstream' }));
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.equal(((await response.json()) as { __type: string }).__type, 'UnknownOperationException');
    assert.equal((await admin.calls()).appstream.DescribeStacks?.total, 1);
  });

  test('admin calls are neither counted nor throttled', async () => {
    await admin.reset({ throttling: { enabled: true, scale: 0.01 } });
    for (let i = 0; i < 20; i++) await admin.state();
    assert.deepEqual(await admin.calls(), { ec2: {}, appstream: {}, ssm: {}, kms: {}, sts: {}, autoscaling: {}, cloudwatch: {}, sns: {} });
  });
});
