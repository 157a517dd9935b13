import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateImageCommand,
  CreateReplaceRootVolumeTaskCommand,
  DeregisterImageCommand,
  DescribeFastLaunchImagesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EnableFastLaunchCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { createSandbox, SandboxAdmin, type RunningSandbox, LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS, WINDOWS_BASE_AMI_ID } from '../index';
import { rejectsWith } from './support/rejects-with';

/**
 * EC2's documented edge behaviours around a resource's life: eventual consistency after create (one
 * window for images, instances, snapshots, fast-launch settings and replace-root-volume tasks), and a
 * deregistered AMI that DescribeImages by ID still shows for a short while.
 */

const WINDOW_MS = 60_000;

let running: RunningSandbox;
let ec2: EC2Client;
let admin: SandboxAdmin;

before(async () => {
  running = await createSandbox({ port: 0, config: { profile: 'test' } });
  ec2 = new EC2Client({ endpoint: running.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS });
  admin = new SandboxAdmin(running.url);
});

after(async () => {
  ec2.destroy();
  await running.close();
});

async function launch(imageId = LINUX_BASE_AMI_ID): Promise<string> {
  const { Instances } = await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 }));
  return Instances![0]!.InstanceId!;
}

/** An instance and an image made from it, both settled and visible, made before any window is set. */
async function settledImage(imageId = LINUX_BASE_AMI_ID): Promise<{ instanceId: string; imageId: string }> {
  const instanceId = await launch(imageId);
  await admin.advance();
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: `image-${Date.now()}-${Math.random()}` }));
  await admin.advance();
  return { instanceId, imageId: ImageId! };
}

describe('eventual consistency after create', () => {
  beforeEach(async () => {
    await admin.reset({ notFoundWindowMs: WINDOW_MS });
  });

  test('a new instance is not found by ID, nor listed, until the window has passed', async () => {
    const instanceId = await launch();
    await rejectsWith(ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })), 'InvalidInstanceID.NotFound');
    const listed = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
    assert.deepEqual(listed.Reservations, []);
    // Mutations see the server's truth at once.
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    await admin.advance(WINDOW_MS);
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    assert.equal(Reservations?.[0]?.Instances?.[0]?.InstanceId, instanceId);
  });

  test("an image's new snapshots are not found until the window has passed", async () => {
    await admin.reset({ notFoundWindowMs: 0 });
    const instanceId = await launch();
    await admin.advance();
    await admin.configure({ notFoundWindowMs: WINDOW_MS });
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'consistency-snapshots' }));
    const own = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    assert.deepEqual(own.Snapshots, []);
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })), 'InvalidAMIID.NotFound');
    await admin.advance(WINDOW_MS);
    const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images ?? [];
    const snapshotId = image!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    assert.equal(Snapshots?.[0]?.SnapshotId, snapshotId);
  });

  test('new fast-launch settings are not listed until the window has passed', async () => {
    await admin.reset({ notFoundWindowMs: 0 });
    const { imageId } = await settledImage(WINDOWS_BASE_AMI_ID);
    await admin.configure({ notFoundWindowMs: WINDOW_MS });
    const enabled = await ec2.send(new EnableFastLaunchCommand({ ImageId: imageId, ResourceType: 'snapshot' }));
    assert.equal(enabled.State, 'enabling');
    assert.deepEqual((await ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [imageId] }))).FastLaunchImages, []);
    // A repeated enable sees the settings already made.
    assert.equal((await ec2.send(new EnableFastLaunchCommand({ ImageId: imageId, ResourceType: 'snapshot' }))).State, 'enabling');
    await admin.advance(WINDOW_MS);
    const { FastLaunchImages } = await ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [imageId] }));
    assert.equal(FastLaunchImages?.[0]?.ImageId, imageId);
  });

  test('a new replace-root-volume task is not found until the window has passed', async () => {
    await admin.reset({ notFoundWindowMs: 0 });
    const instanceId = await launch();
    await admin.advance();
    await admin.configure({ notFoundWindowMs: WINDOW_MS });
    const { ReplaceRootVolumeTask } = await ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId }));
    const taskId = ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId!;
    await rejectsWith(
      ec2.send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] })),
      'InvalidReplaceRootVolumeTaskId.NotFound',
    );
    const listed = await ec2.send(new DescribeReplaceRootVolumeTasksCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
    assert.deepEqual(listed.ReplaceRootVolumeTasks, []);
    await admin.advance(WINDOW_MS);
    const { ReplaceRootVolumeTasks } = await ec2.send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] }));
    assert.equal(ReplaceRootVolumeTasks?.[0]?.ReplaceRootVolumeTaskId, taskId);
  });
});

describe('a deregistered image', () => {
  beforeEach(async () => {
    await admin.reset({ notFoundWindowMs: 0, deregisteredImageVisibleMs: WINDOW_MS });
  });

  test('shows by ID as deregistered for the configured while, is never listed, then is not found', async () => {
    const { instanceId, imageId } = await settledImage();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    assert.equal(Images?.[0]?.State, 'deregistered');
    const listed = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [imageId] }] }));
    assert.deepEqual(listed.Images, []);
    // Gone for everything else at once: it cannot be deregistered twice, nor launched.
    await rejectsWith(ec2.send(new DeregisterImageCommand({ ImageId: imageId })), 'InvalidAMIID.NotFound');

    await admin.advance(WINDOW_MS - 1_000);
    assert.equal((await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.State, 'deregistered');
    await admin.advance(1_000);
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
  });

  test('after the while, its ID returns empty results while an instance launched from it is left', async () => {
    const { imageId } = await settledImage();
    const fromImage = await launch(imageId);
    await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    await admin.advance(WINDOW_MS);
    assert.deepEqual((await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images, []);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [fromImage] }));
    await admin.advance();
    await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
  });
});

test('an AMI CreationDate is in whole seconds, as AWS writes it', async () => {
  await admin.reset();
  const { imageId } = await settledImage();
  const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  assert.match(Images![0]!.CreationDate!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  const byDate = await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'creation-date', Values: [Images![0]!.CreationDate!] }] }));
  assert.deepEqual(
    byDate.Images?.map((i) => i.ImageId),
    [imageId],
  );
});
