import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateReplaceRootVolumeTaskCommand,
  DeregisterImageCommand,
  DescribeFastLaunchImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeVolumesCommand,
  DisableFastLaunchCommand,
  EnableFastLaunchCommand,
  type EnableFastLaunchCommandInput,
  paginateDescribeFastLaunchImages,
  paginateDescribeLaunchTemplates,
  paginateDescribeReplaceRootVolumeTasks,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { FAST_LAUNCH_TEMPLATE_ID, FAST_LAUNCH_TEMPLATE_NAME, LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '../index';
import { ec2BucketFor } from '../ec2/throttle';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/** Launch templates, Windows fast launch and replace-root-volume tasks, through the real EC2 client. */

const sandbox = ec2SandboxForThisFile();

/** Running instances of an AMI. */
async function runningInstances(imageId: string, count: number): Promise<string[]> {
  const reservation = await sandbox.ec2.send(
    new RunInstancesCommand({ ImageId: imageId, MinCount: count, MaxCount: count, InstanceType: 't3.large' }),
  );
  await sandbox.admin.advance();
  return reservation.Instances!.map((i) => i.InstanceId!);
}

/** An available AMI of this account, built from a fresh instance of `baseImageId`. */
async function ownImage(baseImageId: string, name: string, { wait = true } = {}): Promise<string> {
  const [builder] = await runningInstances(baseImageId, 1);
  const { ImageId } = await sandbox.ec2.send(new CreateImageCommand({ InstanceId: builder, Name: name, NoReboot: true }));
  if (wait) await sandbox.admin.advance();
  return ImageId!;
}

function enableRequest(imageId: string, extra: Partial<EnableFastLaunchCommandInput> = {}): EnableFastLaunchCommand {
  return new EnableFastLaunchCommand({
    ImageId: imageId,
    ResourceType: 'snapshot',
    SnapshotConfiguration: { TargetResourceCount: 5 },
    LaunchTemplate: { LaunchTemplateName: FAST_LAUNCH_TEMPLATE_NAME, Version: '$Latest' },
    MaxParallelLaunches: 6,
    ...extra,
  });
}

async function fastLaunchImages(imageIds?: string[]) {
  const items = [];
  for await (const page of paginateDescribeFastLaunchImages({ client: sandbox.ec2, pageSize: 2 }, { ImageIds: imageIds }))
    items.push(...page.FastLaunchImages!);
  return items;
}

async function instance(instanceId: string) {
  const { Reservations } = await sandbox.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return Reservations![0]!.Instances![0]!;
}

async function rootVolumeId(instanceId: string): Promise<string | undefined> {
  const i = await instance(instanceId);
  return i.BlockDeviceMappings!.find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.VolumeId;
}

async function task(taskId: string) {
  const { ReplaceRootVolumeTasks } = await sandbox.ec2.send(
    new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] }),
  );
  assert.equal(ReplaceRootVolumeTasks?.length, 1);
  return ReplaceRootVolumeTasks[0]!;
}

beforeEach(async () => {
  await sandbox.admin.reset();
});

describe('launch templates', () => {
  test('the fast-launch template is seeded with a stable ID', async () => {
    const { LaunchTemplates } = await sandbox.ec2.send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [FAST_LAUNCH_TEMPLATE_NAME] }),
    );
    assert.equal(LaunchTemplates?.length, 1);
    const template = LaunchTemplates[0]!;
    assert.equal(template.LaunchTemplateId, 'lt-0a1b2c3d4e5f60001');
    assert.equal(template.LaunchTemplateId, FAST_LAUNCH_TEMPLATE_ID);
    assert.equal(template.DefaultVersionNumber, 1);
    assert.equal(template.LatestVersionNumber, 1);
    assert.ok(template.CreateTime instanceof Date);
    assert.deepEqual(
      (await sandbox.admin.state()).launchTemplates.map((t) => t.id),
      [FAST_LAUNCH_TEMPLATE_ID],
    );
  });

  test('CreateLaunchTemplate / DescribeLaunchTemplates round trip, errors and pagination', async () => {
    const { LaunchTemplate } = await sandbox.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'golden-windows-lt',
        LaunchTemplateData: { ImageId: WINDOWS_BASE_AMI_ID, InstanceType: 'm5.large' },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'images' }] }],
      }),
    );
    assert.match(LaunchTemplate!.LaunchTemplateId!, /^lt-[0-9a-f]{17}$/);
    assert.equal(LaunchTemplate!.LaunchTemplateName, 'golden-windows-lt');
    assert.equal(LaunchTemplate!.CreatedBy, 'arn:aws:iam::111122223333:root');
    assert.deepEqual(LaunchTemplate!.Tags, [{ Key: 'team', Value: 'images' }]);

    const byId = await sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [LaunchTemplate!.LaunchTemplateId!] }));
    assert.deepEqual(
      byId.LaunchTemplates?.map((t) => t.LaunchTemplateName),
      ['golden-windows-lt'],
    );
    const byTag = await sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:team', Values: ['images'] }] }));
    assert.deepEqual(
      byTag.LaunchTemplates?.map((t) => t.LaunchTemplateId),
      [LaunchTemplate!.LaunchTemplateId],
    );
    const byName = await sandbox.ec2.send(
      new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'launch-template-name', Values: ['fast-launch-*'] }] }),
    );
    assert.deepEqual(
      byName.LaunchTemplates?.map((t) => t.LaunchTemplateId),
      [FAST_LAUNCH_TEMPLATE_ID],
    );

    const pages: number[] = [];
    for await (const page of paginateDescribeLaunchTemplates({ client: sandbox.ec2, pageSize: 1 }, {}))
      pages.push(page.LaunchTemplates!.length);
    assert.deepEqual(pages, [1, 1]);

    await rejectsWith(
      sandbox.ec2.send(
        new CreateLaunchTemplateCommand({ LaunchTemplateName: 'golden-windows-lt', LaunchTemplateData: { ImageId: WINDOWS_BASE_AMI_ID } }),
      ),
      'InvalidLaunchTemplateName.AlreadyExistsException',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-0123456789abcdef0'] })),
      'InvalidLaunchTemplateId.NotFound',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-nothex'] })),
      'InvalidLaunchTemplateId.Malformed',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['no-such-template'] })),
      'InvalidLaunchTemplateName.NotFoundException',
      400,
    );
    await rejectsWith(sandbox.ec2.send(new DescribeLaunchTemplatesCommand({ MaxResults: 201 })), 'InvalidParameterValue', 400);
  });
});

describe('fast launch', () => {
  test('EnableFastLaunch: enabling → enabled, seen through paginateDescribeFastLaunchImages; a repeat answers with the current state', async () => {
    const imageId = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-fl');
    const enabled = await sandbox.ec2.send(enableRequest(imageId));
    assert.equal(enabled.ImageId, imageId);
    assert.equal(enabled.State, 'enabling');
    assert.equal(enabled.ResourceType, 'snapshot');
    assert.deepEqual(enabled.SnapshotConfiguration, { TargetResourceCount: 5 });
    assert.deepEqual(enabled.LaunchTemplate, {
      LaunchTemplateId: FAST_LAUNCH_TEMPLATE_ID,
      LaunchTemplateName: FAST_LAUNCH_TEMPLATE_NAME,
      Version: '$Latest',
    });
    assert.equal(enabled.MaxParallelLaunches, 6);
    assert.equal(enabled.OwnerId, '111122223333');
    assert.equal(enabled.StateTransitionReason, 'Client.UserInitiated');
    assert.ok(enabled.StateTransitionTime instanceof Date);

    const [enabling] = await fastLaunchImages();
    assert.equal(enabling?.State, 'enabling');
    assert.equal((await sandbox.admin.state()).fastLaunch[0]?.readyAt, null);

    // A retry (or a replayed activity) must not restart anything.
    const again = await sandbox.ec2.send(
      enableRequest(imageId, { LaunchTemplate: { LaunchTemplateId: FAST_LAUNCH_TEMPLATE_ID, Version: '1' } }),
    );
    assert.equal(again.State, 'enabling');
    assert.equal(again.LaunchTemplate?.Version, '$Latest');

    await sandbox.admin.advance();
    const images = await fastLaunchImages([imageId]);
    assert.equal(images.length, 1);
    assert.equal(images[0]!.State, 'enabled');
    assert.equal(images[0]!.StateTransitionReason, 'Client.UserInitiated - Lifecycle state transition');
    assert.equal((await sandbox.ec2.send(enableRequest(imageId))).State, 'enabled');

    const [dumped] = (await sandbox.admin.state()).fastLaunch;
    assert.equal(dumped?.imageId, imageId);
    assert.equal(dumped?.state, 'enabled');
    assert.equal(typeof dumped?.readyAt, 'number');
    assert.equal((await sandbox.admin.calls()).ec2.EnableFastLaunch?.total, 3);
  });

  test('only an available Windows AMI of this account, valid settings and an existing launch template qualify', async () => {
    // This test is about validation: its eight EnableFastLaunch calls would outrun that API's own bucket (5, refilled at 2 a second).
    await sandbox.admin.configure({ throttling: { enabled: false } });
    const linux = await ownImage(LINUX_BASE_AMI_ID, 'golden-linux-fl');
    const linuxError = await rejectsWith(sandbox.ec2.send(enableRequest(linux)), 'InvalidParameter', 400);
    assert.match(linuxError.message, /only supported for Windows AMIs/);

    const pending = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-pending', { wait: false });
    await rejectsWith(sandbox.ec2.send(enableRequest(pending)), 'IncorrectState', 400);
    await rejectsWith(sandbox.ec2.send(enableRequest(WINDOWS_BASE_AMI_ID)), 'UnauthorizedOperation', 403);

    const windows = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-ok');
    const tooFew = await rejectsWith(sandbox.ec2.send(enableRequest(windows, { MaxParallelLaunches: 5 })), 'InvalidParameterValue', 400);
    assert.match(tooFew.message, /6 or greater/);
    await rejectsWith(
      sandbox.ec2.send(enableRequest(windows, { LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' } })),
      'InvalidLaunchTemplateId.NotFound',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(enableRequest(windows, { LaunchTemplate: { LaunchTemplateName: 'no-such-template', Version: '1' } })),
      'InvalidLaunchTemplateName.NotFoundException',
      400,
    );
    await rejectsWith(sandbox.ec2.send(enableRequest('ami-0123456789abcdef0')), 'InvalidAMIID.NotFound', 400);
    await rejectsWith(sandbox.ec2.send(enableRequest(windows, { DryRun: true })), 'DryRunOperation', 412);
    assert.deepEqual(await fastLaunchImages(), []);
    await rejectsWith(sandbox.ec2.send(new DescribeFastLaunchImagesCommand({ MaxResults: 201 })), 'InvalidParameterValue', 400);
  });

  test('an injected failure ends the enable in enabling-failed with its message as the reason', async () => {
    const imageId = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-fail');
    await sandbox.admin.fail({
      kind: 'fastLaunch',
      next: true,
      code: 'Client.InternalError',
      message: 'Insufficient capacity to pre-provision snapshots.',
    });
    assert.equal((await sandbox.ec2.send(enableRequest(imageId))).State, 'enabling');
    await sandbox.admin.advance();
    const [failed] = await fastLaunchImages([imageId]);
    assert.equal(failed?.State, 'enabling-failed');
    assert.equal(failed?.StateTransitionReason, 'Insufficient capacity to pre-provision snapshots.');
    assert.equal((await sandbox.admin.state()).fastLaunch[0]?.reason, 'Insufficient capacity to pre-provision snapshots.');

    // By image ID, on an enable already under way; enabling again after a failure starts over.
    const other = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-fail-by-id');
    await sandbox.ec2.send(enableRequest(other));
    await sandbox.admin.fail({ kind: 'fastLaunch', id: other, message: 'launch template has no default subnet' });
    await sandbox.admin.advance();
    assert.equal((await fastLaunchImages([other]))[0]?.State, 'enabling-failed');
    assert.equal((await sandbox.ec2.send(enableRequest(imageId))).State, 'enabling');
    await sandbox.admin.advance();
    assert.equal((await fastLaunchImages([imageId]))[0]?.State, 'enabled');
  });

  test('DisableFastLaunch: disabling → disabled, after which the image is no longer listed', async () => {
    const imageId = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-disable');
    const kept = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-kept');
    await sandbox.ec2.send(enableRequest(imageId));
    await sandbox.ec2.send(enableRequest(kept));
    await sandbox.admin.advance();

    const disabling = await sandbox.ec2.send(new DisableFastLaunchCommand({ ImageId: imageId, Force: false }));
    assert.equal(disabling.State, 'disabling');
    assert.equal(disabling.StateTransitionReason, 'Client.UserInitiated');
    const { FastLaunchImages } = await sandbox.ec2.send(
      new DescribeFastLaunchImagesCommand({ Filters: [{ Name: 'state', Values: ['disabling'] }] }),
    );
    assert.deepEqual(
      FastLaunchImages?.map((i) => i.ImageId),
      [imageId],
    );

    await sandbox.admin.advance(300);
    assert.deepEqual(await fastLaunchImages([imageId]), []);
    assert.deepEqual(
      (await fastLaunchImages()).map((i) => i.ImageId),
      [kept],
    );
    assert.equal((await sandbox.admin.state()).fastLaunch.find((f) => f.imageId === imageId)?.state, 'disabled');
    await rejectsWith(sandbox.ec2.send(new DisableFastLaunchCommand({ ImageId: imageId })), 'InvalidParameter', 400);

    // Deregistering an image with fast launch enabled drops its settings.
    await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: kept }));
    assert.deepEqual(await fastLaunchImages(), []);
  });

  test('DescribeFastLaunchImages pages and filters', async () => {
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await ownImage(WINDOWS_BASE_AMI_ID, `golden-windows-page-${n}`));
    for (const id of ids) await sandbox.ec2.send(enableRequest(id));
    const pages: string[][] = [];
    for await (const page of paginateDescribeFastLaunchImages({ client: sandbox.ec2, pageSize: 2 }, {}))
      pages.push(page.FastLaunchImages!.map((i) => i.ImageId!));
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 1],
    );
    assert.deepEqual(pages.flat(), ids);
    const filtered = await sandbox.ec2.send(
      new DescribeFastLaunchImagesCommand({
        Filters: [
          { Name: 'owner-id', Values: ['111122223333'] },
          { Name: 'resource-type', Values: ['snapshot'] },
          { Name: 'state', Values: ['enabling'] },
        ],
      }),
    );
    assert.equal(filtered.FastLaunchImages?.length, 3);
    const none = await sandbox.ec2.send(new DescribeFastLaunchImagesCommand({ Filters: [{ Name: 'state', Values: ['enabled'] }] }));
    assert.deepEqual(none.FastLaunchImages, []);
  });
});

describe('replace root volume', () => {
  test('with an ImageId: pending → in-progress → succeeded; the instance gets a new root volume from the image', async () => {
    const [instanceId] = await runningInstances(WINDOWS_BASE_AMI_ID, 1);
    const golden = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-rollout');
    const oldVolume = await rootVolumeId(instanceId!);

    const { ReplaceRootVolumeTask: created } = await sandbox.ec2.send(
      new CreateReplaceRootVolumeTaskCommand({
        InstanceId: instanceId,
        ImageId: golden,
        DeleteReplacedRootVolume: true,
        VolumeInitializationRate: 200,
        ClientToken: 'rollout-1-instance-a',
        TagSpecifications: [{ ResourceType: 'replace-root-volume-task', Tags: [{ Key: 'pipeline', Value: 'windows' }] }],
      }),
    );
    assert.match(created!.ReplaceRootVolumeTaskId!, /^replacevol-[0-9a-f]{17}$/);
    assert.equal(created!.TaskState, 'pending');
    assert.equal(created!.InstanceId, instanceId);
    assert.equal(created!.ImageId, golden);
    assert.equal(created!.DeleteReplacedRootVolume, true);
    assert.deepEqual(created!.Tags, [{ Key: 'pipeline', Value: 'windows' }]);
    assert.equal(created!.CompleteTime, undefined);

    await sandbox.admin.advance(300);
    assert.equal((await task(created!.ReplaceRootVolumeTaskId!)).TaskState, 'in-progress');
    assert.equal(await rootVolumeId(instanceId!), oldVolume);
    await sandbox.admin.advance(700);
    const done = await task(created!.ReplaceRootVolumeTaskId!);
    assert.equal(done.TaskState, 'succeeded');
    assert.ok(Date.parse(done.CompleteTime!) > Date.parse(done.StartTime!));

    const replaced = await instance(instanceId!);
    assert.equal(replaced.ImageId, golden);
    const newVolume = await rootVolumeId(instanceId!);
    assert.ok(newVolume && newVolume !== oldVolume);
    const { Volumes } = await sandbox.ec2.send(new DescribeVolumesCommand({ VolumeIds: [newVolume] }));
    const volume = Volumes![0]!;
    assert.equal(volume.State, 'in-use');
    assert.deepEqual(
      volume.Attachments?.map((a) => [a.InstanceId, a.Device, a.State]),
      [[instanceId, '/dev/sda1', 'attached']],
    );
    assert.equal(volume.VolumeInitializationRate, 200);
    const goldenSnapshot = (await sandbox.admin.state()).images.find((i) => i.id === golden)!.snapshotIds[0];
    assert.equal(volume.SnapshotId, goldenSnapshot);
    await rejectsWith(sandbox.ec2.send(new DescribeVolumesCommand({ VolumeIds: [oldVolume!] })), 'InvalidVolume.NotFound');

    const dumped = (await sandbox.admin.state()).replaceRootVolumeTasks[0]!;
    assert.deepEqual(
      {
        id: dumped.id,
        instanceId: dumped.instanceId,
        state: dumped.state,
        clientToken: dumped.clientToken,
        imageId: dumped.imageId,
        newVolumeId: dumped.newVolumeId,
      },
      {
        id: created!.ReplaceRootVolumeTaskId,
        instanceId,
        state: 'succeeded',
        clientToken: 'rollout-1-instance-a',
        imageId: golden,
        newVolumeId: newVolume,
      },
    );
    assert.equal(typeof dumped.readyAt, 'number');
  });

  test('without DeleteReplacedRootVolume the old volume stays, detached and available; no ImageId restores the launch state', async () => {
    const [instanceId] = await runningInstances(LINUX_BASE_AMI_ID, 1);
    const oldVolume = await rootVolumeId(instanceId!);
    const { ReplaceRootVolumeTask: created } = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId }));
    assert.equal(created!.DeleteReplacedRootVolume, false);
    await sandbox.admin.advance();
    assert.equal((await task(created!.ReplaceRootVolumeTaskId!)).TaskState, 'succeeded');
    const { Volumes } = await sandbox.ec2.send(new DescribeVolumesCommand({ VolumeIds: [oldVolume!, (await rootVolumeId(instanceId!))!] }));
    const [old, fresh] = [Volumes!.find((v) => v.VolumeId === oldVolume)!, Volumes!.find((v) => v.VolumeId !== oldVolume)!];
    assert.equal(old.State, 'available');
    assert.deepEqual(old.Attachments, []);
    assert.equal(fresh.SnapshotId, old.SnapshotId);
    assert.equal(fresh.VolumeInitializationRate, undefined);
    assert.equal((await instance(instanceId!)).ImageId, LINUX_BASE_AMI_ID);
  });

  test('ClientToken makes the call idempotent', async () => {
    const [instanceId] = await runningInstances(LINUX_BASE_AMI_ID, 1);
    const golden = await ownImage(LINUX_BASE_AMI_ID, 'golden-linux-idem');
    const request = { InstanceId: instanceId, ImageId: golden, ClientToken: 'wf-123/i-a' };
    const first = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand(request));
    const second = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand(request));
    assert.equal(second.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId, first.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId);
    const { ReplaceRootVolumeTasks } = await sandbox.ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId!] }] }),
    );
    assert.equal(ReplaceRootVolumeTasks?.length, 1);
    // Even after the task finished, a replay gets the same task rather than a second replacement.
    await sandbox.admin.advance();
    const replay = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand(request));
    assert.equal(replay.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId, first.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId);
    assert.equal(replay.ReplaceRootVolumeTask?.TaskState, 'succeeded');
    await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ ...request, ImageId: undefined })),
      'IdempotentParameterMismatch',
      400,
    );
    assert.equal((await sandbox.admin.state()).replaceRootVolumeTasks.length, 1);
  });

  test('bad requests: instance not running, platform mismatch, rate outside 100–300, one task at a time, DryRun', async () => {
    const windowsImage = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-mismatch');
    const pending = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
    await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: pending.Instances![0]!.InstanceId })),
      'IncorrectInstanceState',
      400,
    );
    const [linux] = await runningInstances(LINUX_BASE_AMI_ID, 1);
    const mismatch = await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: linux, ImageId: windowsImage })),
      'InvalidParameterValue',
      400,
    );
    assert.match(mismatch.message, /Windows.*does not match.*Linux\/UNIX/);
    await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: linux, VolumeInitializationRate: 99 })),
      'InvalidParameterValue',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: linux, VolumeInitializationRate: 301 })),
      'InvalidParameterValue',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: linux, DryRun: true })),
      'DryRunOperation',
      412,
    );
    await rejectsWith(
      sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: 'i-0123456789abcdef0' })),
      'InvalidInstanceID.NotFound',
      400,
    );
    await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: linux }));
    await rejectsWith(sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: linux })), 'IncorrectState', 400);
    assert.equal((await sandbox.admin.state()).replaceRootVolumeTasks.length, 1);
  });

  test('DescribeReplaceRootVolumeTasks pages (MaxResults 1–50), filters by instance-id, and follows AWS parameter rules', async () => {
    await sandbox.admin.reset({ throttling: { enabled: false } });
    const fleet = await runningInstances(LINUX_BASE_AMI_ID, 55);
    const taskIds: string[] = [];
    for (const instanceId of fleet) {
      const { ReplaceRootVolumeTask } = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId }));
      taskIds.push(ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId!);
    }
    const pages: string[][] = [];
    for await (const page of paginateDescribeReplaceRootVolumeTasks({ client: sandbox.ec2, pageSize: 20 }, {})) {
      pages.push(page.ReplaceRootVolumeTasks!.map((t) => t.ReplaceRootVolumeTaskId!));
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [20, 20, 15],
    );
    assert.deepEqual(pages.flat(), taskIds);
    const all = await sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({ MaxResults: 50 }));
    assert.equal(all.ReplaceRootVolumeTasks?.length, 50);
    assert.ok(all.NextToken);

    const { ReplaceRootVolumeTasks } = await sandbox.ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({ Filters: [{ Name: 'instance-id', Values: [fleet[7]!] }] }),
    );
    assert.deepEqual(
      ReplaceRootVolumeTasks?.map((t) => t.ReplaceRootVolumeTaskId),
      [taskIds[7]],
    );

    await rejectsWith(sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({ MaxResults: 51 })), 'InvalidParameterValue', 400);
    await rejectsWith(sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({ MaxResults: 0 })), 'InvalidParameterValue', 400);
    await rejectsWith(
      sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskIds[0]!], MaxResults: 5 })),
      'InvalidParameterCombination',
      400,
    );
    await rejectsWith(
      sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: ['replacevol-0123456789abcdef0'] })),
      'InvalidReplaceRootVolumeTaskId.NotFound',
      400,
    );
  });

  test('failed and failed-detached via per-instance fault injection: one instance of a fleet fails its own way', async () => {
    const [healthy, failing, detached] = await runningInstances(WINDOWS_BASE_AMI_ID, 3);
    const golden = await ownImage(WINDOWS_BASE_AMI_ID, 'golden-windows-fleet');
    const before = { failing: await rootVolumeId(failing!), detached: await rootVolumeId(detached!) };
    await sandbox.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: failing!, state: 'failed', message: 'volume attach timed out' });
    await sandbox.admin.fail({
      kind: 'replaceRootVolumeTask',
      instanceId: detached!,
      state: 'failed-detached',
      code: 'Server.InternalError',
    });

    const ids = new Map<string, string>();
    for (const instanceId of [healthy!, failing!, detached!]) {
      const { ReplaceRootVolumeTask } = await sandbox.ec2.send(
        new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId, ImageId: golden, DeleteReplacedRootVolume: true }),
      );
      ids.set(instanceId, ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId!);
    }
    await sandbox.admin.advance();
    assert.equal((await task(ids.get(healthy!)!)).TaskState, 'succeeded');
    assert.equal((await task(ids.get(failing!)!)).TaskState, 'failed');
    assert.equal((await task(ids.get(detached!)!)).TaskState, 'failed-detached');

    // failed: the original root volume is still attached, and kept despite DeleteReplacedRootVolume.
    assert.equal(await rootVolumeId(failing!), before.failing);
    assert.equal((await instance(failing!)).ImageId, WINDOWS_BASE_AMI_ID);
    // failed-detached: the instance reports no root volume at all.
    const orphaned = await instance(detached!);
    assert.deepEqual(orphaned.BlockDeviceMappings, []);
    const { Volumes } = await sandbox.ec2.send(new DescribeVolumesCommand({ VolumeIds: [before.detached!] }));
    assert.equal(Volumes![0]!.State, 'available');
    assert.deepEqual(Volumes![0]!.Attachments, []);

    const dumped = (await sandbox.admin.state()).replaceRootVolumeTasks.find((t) => t.instanceId === failing);
    assert.deepEqual(dumped?.failure, { code: 'Client.InternalError', message: 'volume attach timed out' });

    // The per-instance plans were used up: a second attempt on the failed instance succeeds.
    await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: failing, ImageId: golden }));
    await sandbox.admin.advance();
    assert.notEqual(await rootVolumeId(failing!), before.failing);
  });

  test('a task under way can be failed by ID; finished or unknown tasks cannot', async () => {
    const [instanceId] = await runningInstances(LINUX_BASE_AMI_ID, 1);
    const { ReplaceRootVolumeTask } = await sandbox.ec2.send(new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId }));
    const taskId = ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId!;
    await sandbox.admin.fail({ kind: 'replaceRootVolumeTask', id: taskId, state: 'failed-detached' });
    await sandbox.admin.advance();
    assert.equal((await task(taskId)).TaskState, 'failed-detached');
    await assert.rejects(sandbox.admin.fail({ kind: 'replaceRootVolumeTask', id: taskId }), /HTTP 404/);
    await assert.rejects(sandbox.admin.fail({ kind: 'fastLaunch', next: true, instanceId: instanceId! }), /HTTP 400/);
  });
});

test('the new actions draw from the throttling buckets AWS publishes', () => {
  assert.deepEqual(ec2BucketFor('EnableFastLaunch', false), { key: 'EnableFastLaunch', capacity: 5, refillPerSecond: 2 });
  assert.deepEqual(ec2BucketFor('DisableFastLaunch', false), { key: 'DisableFastLaunch', capacity: 5, refillPerSecond: 2 });
  assert.deepEqual(ec2BucketFor('CreateReplaceRootVolumeTask', false), {
    key: 'CreateReplaceRootVolumeTask',
    capacity: 50,
    refillPerSecond: 5,
  });
  assert.deepEqual(ec2BucketFor('CreateLaunchTemplate', false), { key: 'CreateLaunchTemplate', capacity: 50, refillPerSecond: 5 });
  for (const action of ['DescribeFastLaunchImages', 'DescribeReplaceRootVolumeTasks', 'DescribeLaunchTemplates']) {
    assert.deepEqual(ec2BucketFor(action, false), { key: action, capacity: 100, refillPerSecond: 20 });
  }
});
