import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateImageCommand,
  CreateReplaceRootVolumeTaskCommand,
  DeregisterImageCommand,
  DescribeFastLaunchImagesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSnapshotsCommand,
  EnableFastLaunchCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/**
 * EC2's documented edge behaviours around a resource's life: eventual consistency after create (one
 * window for images, instances, snapshots, fast-launch settings and replace-root-volume tasks), and a
 * deregistered AMI that DescribeImages by ID still shows for a short while.
 */

const WINDOW_MS = 60_000;

const sandbox = ec2SandboxForThisFile();

async function launch(imageId = LINUX_BASE_AMI_ID): Promise<string> {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 }));
  return Instances![0]!.InstanceId!;
}

/** An instance and an image made from it, both settled and visible, made before any window is set. */
async function settledImage(imageId = LINUX_BASE_AMI_ID): Promise<{ instanceId: string; imageId: string }> {
  const instanceId = await launch(imageId);
  await sandbox.admin.advance();
  const { ImageId } = await sandbox.ec2.send(
    new CreateImageCommand({ InstanceId: instanceId, Name: `image-${Date.now()}-${Math.random()}` }),
  );
  await sandbox.admin.advance();
  return { instanceId, imageId: ImageId! };
}

describe('eventual consistency after create', () => {
  beforeEach(async () => {
    await sandbox.admin.reset({ notFoundWindowMs: WINDOW_MS });
  });

  test('a new instance is not found by ID, nor listed, until the window has passed', async () => {
    const instanceId = await launch();
    await rejectsWith(sandbox.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })), 'InvalidInstanceID.NotFound');
    const listed = await sandbox.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
    assert.deepEqual(listed.Reservations, []);
    // Mutations see the server's truth at once.
    await sandbox.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    await sandbox.admin.advance(WINDOW_MS);
    const { Reservations } = await sandbox.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    assert.equal(Reservations?.[0]?.Instances?.[0]?.InstanceId, instanceId);
  });

  test("an image's new snapshots are not found until the window has passed", async () => {
    await sandbox.admin.reset({ notFoundWindowMs: 0 });
    const instanceId = await launch();
    await sandbox.admin.advance();
    await sandbox.admin.configure({ notFoundWindowMs: WINDOW_MS });
    const { ImageId } = await sandbox.ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'consistency-snapshots' }));
    const own = await sandbox.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    assert.deepEqual(own.Snapshots, []);
    await rejectsWith(sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })), 'InvalidAMIID.NotFound');
    await sandbox.admin.advance(WINDOW_MS);
    const [image] = (await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images ?? [];
    const snapshotId = image!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const { Snapshots } = await sandbox.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    assert.equal(Snapshots?.[0]?.SnapshotId, snapshotId);
  });

  test('new fast-launch settings are not listed until the window has passed', async () => {
    await sandbox.admin.reset({ notFoundWindowMs: 0 });
    const { imageId } = await settledImage(WINDOWS_BASE_AMI_ID);
    await sandbox.admin.configure({ notFoundWindowMs: WINDOW_MS });
    const enabled = await sandbox.ec2.send(new EnableFastLaunchCommand({ ImageId: imageId, ResourceType: 'snapshot' }));
    assert.equal(enabled.State, 'enabling');
    assert.deepEqual((await sandbox.ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [imageId] }))).FastLaunchImages, []);
    // A repeated enable sees the settings already made.
    assert.equal((await sandbox.ec2.send(new EnableFastLaunchCommand({ ImageId: imageId, ResourceType: 'snapshot' }))).State, 'enabling');
    await sandbox.admin.advance(WINDOW_MS);
    const { FastLaunchImages } = await sandbox.ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [imageId] }));
    assert.equal(FastLaunchImages?.[0]?.ImageId, imageId);
  });

  test('a new replace-root-volume task is not found until the window has passed', async () => {
    await sandbox.admin.reset({ notFoundWindowMs: 0 });
    const instanceId = await launch();
    await sandbox.admin.advance();
    await sandbox.admin.configure({ notFoundWindowMs: WINDOW_MS });
    const { ReplaceRootVolumeTask } = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId }));
    const taskId = ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId!;
    await rejectsWith(
      sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] })),
      'InvalidReplaceRootVolumeTaskId.NotFound',
    );
    const listed = await sandbox.ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
    );
    assert.deepEqual(listed.ReplaceRootVolumeTasks, []);
    await sandbox.admin.advance(WINDOW_MS);
    const { ReplaceRootVolumeTasks } = await sandbox.ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] }),
    );
    assert.equal(ReplaceRootVolumeTasks?.[0]?.ReplaceRootVolumeTaskId, taskId);
  });
});

describe('a deregistered image', () => {
  beforeEach(async () => {
    await sandbox.admin.reset({ notFoundWindowMs: 0, deregisteredImageVisibleMs: WINDOW_MS });
  });

  test('shows by ID as deregistered for the configured while, is never listed, then is not found', async () => {
    const { instanceId, imageId } = await settledImage();
    await sandbox.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    const { Images } = await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    assert.equal(Images?.[0]?.State, 'deregistered');
    const listed = await sandbox.ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [imageId] }] }),
    );
    assert.deepEqual(listed.Images, []);
    // Gone for everything else at once: it cannot be deregistered twice, nor launched.
    await rejectsWith(sandbox.ec2.send(new DeregisterImageCommand({ ImageId: imageId })), 'InvalidAMIID.NotFound');

    await sandbox.admin.advance(WINDOW_MS - 1_000);
    assert.equal((await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.State, 'deregistered');
    await sandbox.admin.advance(1_000);
    await rejectsWith(sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
  });

  test('after the while, its ID returns empty results while an instance launched from it is left', async () => {
    const { imageId } = await settledImage();
    const fromImage = await launch(imageId);
    await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    await sandbox.admin.advance(WINDOW_MS);
    assert.deepEqual((await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images, []);
    await sandbox.ec2.send(new TerminateInstancesCommand({ InstanceIds: [fromImage] }));
    await sandbox.admin.advance();
    await rejectsWith(sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
  });
});

test('an AMI CreationDate is in whole seconds, as AWS writes it', async () => {
  await sandbox.admin.reset();
  const { imageId } = await settledImage();
  const { Images } = await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  assert.match(Images![0]!.CreationDate!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  const byDate = await sandbox.ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'creation-date', Values: [Images![0]!.CreationDate!] }] }),
  );
  assert.deepEqual(
    byDate.Images?.map((i) => i.ImageId),
    [imageId],
  );
});
