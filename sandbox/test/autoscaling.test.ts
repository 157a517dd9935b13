import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import {
  AutoScalingClient,
  CancelInstanceRefreshCommand,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
  type AutoScalingGroup,
  type CreateAutoScalingGroupCommandInput,
  type InstanceRefresh,
  type StartInstanceRefreshCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { createSandbox, LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS, sendRawRequest, signRawRequest } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/**
 * EC2 Auto Scaling (groups, instance refreshes) and CloudWatch (alarms) through the real AWS SDK clients. Every
 * duration is long, so nothing moves until a test advances the virtual clock: each step lands where the test says.
 */

const SECOND = 1000;
const DURATIONS = {
  instance: 10 * SECOND,
  instanceRefreshStart: 5 * SECOND,
  // One second of InstanceWarmup, CheckpointDelay and BakeTime lasts a virtual second, as in the realistic profile.
  instanceRefreshSecond: SECOND,
  replaceRootVolumePending: 10 * SECOND,
  replaceRootVolumeInProgress: 20 * SECOND,
};
/** Every refresh below warms up its instances for 20 s. */
const WARMUP = 20;
const GROUP = 'web-asg';

const sandbox = ec2SandboxForThisFile({ profile: 'test', durations: DURATIONS });
const clientConfig = (region = 'us-east-1') => ({ endpoint: sandbox.url, region, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
const asg = (region?: string) => new AutoScalingClient(clientConfig(region));
const cloudWatch = () => new CloudWatchClient(clientConfig());

beforeEach(() => sandbox.admin.reset());

interface Fleet {
  templateId: string;
  oldImage: string;
  newImage: string;
}

/** A launch template whose version 1 runs the Linux base AMI and version 2 a newer one. */
async function templates(): Promise<Fleet> {
  const newer = await sandbox.admin.publishBaseImage('linux');
  const { LaunchTemplate } = await sandbox.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      LaunchTemplateData: { ImageId: LINUX_BASE_AMI_ID, InstanceType: 't3.micro' },
    }),
  );
  const templateId = LaunchTemplate!.LaunchTemplateId!;
  await sandbox.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: templateId,
      LaunchTemplateData: { ImageId: newer.imageId, InstanceType: 't3.micro' },
    }),
  );
  return { templateId, oldImage: LINUX_BASE_AMI_ID, newImage: newer.imageId };
}

/** A group of `desired` instances on version 1, in service. */
async function fleet(desired = 4, group: Partial<CreateAutoScalingGroupCommandInput> = {}): Promise<Fleet> {
  const made = await templates();
  await asg().send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: GROUP,
      MinSize: 0,
      MaxSize: 10,
      DesiredCapacity: desired,
      LaunchTemplate: { LaunchTemplateId: made.templateId, Version: '1' },
      VPCZoneIdentifier: 'subnet-0a1b2c3d4e5f60001',
      ...group,
    }),
  );
  await sandbox.admin.advance(DURATIONS.instance);
  return made;
}

const toVersion2 = { LaunchTemplate: { LaunchTemplateName: 'web', Version: '2' } };

async function start(input: Partial<StartInstanceRefreshCommandInput> = {}): Promise<string> {
  const { InstanceRefreshId } = await asg().send(
    new StartInstanceRefreshCommand({ AutoScalingGroupName: GROUP, DesiredConfiguration: toVersion2, ...input }),
  );
  return InstanceRefreshId!;
}

async function refresh(id?: string): Promise<InstanceRefresh> {
  const { InstanceRefreshes } = await asg().send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP, InstanceRefreshIds: id ? [id] : undefined }),
  );
  return InstanceRefreshes![0]!;
}

async function group(name = GROUP): Promise<AutoScalingGroup> {
  const { AutoScalingGroups } = await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return AutoScalingGroups![0]!;
}

/** The group's instances, by lifecycle state. */
async function lifecycles(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const i of (await group()).Instances!) counts[i.LifecycleState!] = (counts[i.LifecycleState!] ?? 0) + 1;
  return counts;
}

/** Each of the group's instances' launch template version and (from EC2) AMI. */
async function versions(): Promise<{ id: string; version: string; image: string }[]> {
  const instances = (await group()).Instances!;
  const { Reservations } = await sandbox.ec2.send(new DescribeInstancesCommand({ InstanceIds: instances.map((i) => i.InstanceId!) }));
  const images = new Map(Reservations!.flatMap((r) => r.Instances!).map((i) => [i.InstanceId!, i.ImageId!]));
  return instances.map((i) => ({ id: i.InstanceId!, version: i.LaunchTemplate!.Version!, image: images.get(i.InstanceId!)! }));
}

const advance = (ms: number) => sandbox.admin.advance(ms);

async function alarm(name = 'web-5xx'): Promise<void> {
  await cloudWatch().send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      MetricName: 'HTTPCode_Target_5XX_Count',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
}

describe('Auto Scaling groups', () => {
  test('CreateAutoScalingGroup launches DesiredCapacity instances through EC2, tagged; DescribeAutoScalingGroups follows them', async () => {
    const made = await templates();
    await asg().send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: GROUP,
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        LaunchTemplate: { LaunchTemplateName: 'web' },
        AvailabilityZones: ['us-east-1a'],
        Tags: [
          { Key: 'app', Value: 'web', PropagateAtLaunch: true },
          { Key: 'cost-centre', Value: '42', PropagateAtLaunch: false },
        ],
      }),
    );
    const created = await group();
    assert.equal(created.DesiredCapacity, 2);
    assert.deepEqual(created.LaunchTemplate, { LaunchTemplateId: made.templateId, LaunchTemplateName: 'web', Version: '$Default' });
    assert.match(
      created.AutoScalingGroupARN!,
      /^arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/web-asg$/,
    );
    assert.deepEqual(
      created.Instances!.map((i) => [i.LifecycleState, i.HealthStatus, i.LaunchTemplate!.Version, i.InstanceType]),
      [
        ['Pending', 'Healthy', '1', 't3.micro'],
        ['Pending', 'Healthy', '1', 't3.micro'],
      ],
    );
    assert.deepEqual(
      created.Tags!.map((t) => [t.Key, t.Value, t.PropagateAtLaunch, t.ResourceType]),
      [
        ['app', 'web', true, 'auto-scaling-group'],
        ['cost-centre', '42', false, 'auto-scaling-group'],
      ],
    );
    await advance(DURATIONS.instance);
    assert.deepEqual(await lifecycles(), { InService: 2 });
    const { Reservations } = await sandbox.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: created.Instances!.map((i) => i.InstanceId!) }),
    );
    for (const instance of Reservations!.flatMap((r) => r.Instances!)) {
      assert.equal(instance.State!.Name, 'running');
      assert.equal(instance.ImageId, LINUX_BASE_AMI_ID);
      const tags = Object.fromEntries(instance.Tags!.map((t) => [t.Key, t.Value]));
      assert.equal(tags['aws:autoscaling:groupName'], GROUP);
      assert.equal(tags['app'], 'web');
      assert.equal(tags['cost-centre'], undefined);
      assert.equal(tags['aws:ec2launchtemplate:version'], '1');
    }
    const { AutoScalingGroups } = await asg().send(new DescribeAutoScalingGroupsCommand({ IncludeInstances: false }));
    assert.equal(AutoScalingGroups![0]!.Instances, undefined);
  });

  test('CreateAutoScalingGroup refuses a taken name, sizes out of order, a missing template and a missing launch source', async () => {
    await fleet(1);
    const create = (input: Partial<CreateAutoScalingGroupCommandInput>) =>
      asg().send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'other',
          MinSize: 1,
          MaxSize: 2,
          LaunchTemplate: { LaunchTemplateName: 'web', Version: '1' },
          AvailabilityZones: ['us-east-1a'],
          ...input,
        }),
      );
    const taken = await rejectsWith(create({ AutoScalingGroupName: GROUP }), 'AlreadyExistsFault', 400);
    assert.match(taken.message, /already exists/);
    const desired = await rejectsWith(create({ DesiredCapacity: 3 }), 'ValidationError', 400);
    assert.equal(desired.message, 'Desired capacity:3 must be between the specified min size:1 and max size:2');
    await rejectsWith(create({ LaunchTemplate: { LaunchTemplateName: 'nope' } }), 'ValidationError');
    await rejectsWith(create({ LaunchTemplate: { LaunchTemplateName: 'web', Version: '9' } }), 'ValidationError');
    await rejectsWith(create({ LaunchTemplate: undefined }), 'ValidationError');
    await rejectsWith(create({ AvailabilityZones: ['us-east-1z'] }), 'ValidationError');
    const { AutoScalingGroups } = await asg().send(new DescribeAutoScalingGroupsCommand({}));
    assert.deepEqual(
      AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
      [GROUP],
    );
  });

  test('DescribeAutoScalingGroups: names, tag filters, MaxRecords and NextToken; groups are per Region', async () => {
    await templates();
    for (const [name, team] of [
      ['a', 'red'],
      ['b', 'blue'],
      ['c', 'red'],
    ] as const) {
      await asg().send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: name,
          MinSize: 0,
          MaxSize: 1,
          LaunchTemplate: { LaunchTemplateName: 'web', Version: '1' },
          AvailabilityZones: ['us-east-1a'],
          Tags: [{ Key: 'team', Value: team }],
        }),
      );
    }
    const first = await asg().send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2 }));
    assert.deepEqual(
      first.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
      ['a', 'b'],
    );
    assert.ok(first.NextToken);
    const second = await asg().send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2, NextToken: first.NextToken }));
    assert.deepEqual(
      second.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
      ['c'],
    );
    assert.equal(second.NextToken, undefined);
    const red = await asg().send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['red'] }] }));
    assert.deepEqual(
      red.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
      ['a', 'c'],
    );
    const named = await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['c', 'missing'] }));
    assert.deepEqual(
      named.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
      ['c'],
    );
    await rejectsWith(asg().send(new DescribeAutoScalingGroupsCommand({ NextToken: 'bogus' })), 'InvalidNextToken', 400);
    await rejectsWith(asg().send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })), 'ValidationError', 400);
    const west = await asg('us-west-2').send(new DescribeAutoScalingGroupsCommand({}));
    assert.deepEqual(west.AutoScalingGroups, []);
  });
});

describe('Rolling instance refresh', () => {
  test('replaces instances in batches within the healthy percentages, waits at a checkpoint, then updates the group', async () => {
    const { newImage } = await fleet(4);
    const id = await start({
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, CheckpointPercentages: [50, 100], CheckpointDelay: 300 },
    });
    let r = await refresh(id);
    assert.equal(r.Status, 'Pending');
    assert.equal(r.Strategy, 'Rolling');
    assert.deepEqual(r.DesiredConfiguration, {
      LaunchTemplate: { LaunchTemplateId: (await group()).LaunchTemplate!.LaunchTemplateId, LaunchTemplateName: 'web', Version: '2' },
    });
    assert.deepEqual(r.Preferences, {
      MinHealthyPercentage: 50,
      InstanceWarmup: WARMUP,
      CheckpointPercentages: [50, 100],
      CheckpointDelay: 300,
      SkipMatching: false,
      AutoRollback: false,
      ScaleInProtectedInstances: 'Wait',
      StandbyInstances: 'Wait',
    });

    // 5 s: InProgress; 50 % minimum healthy of 4 lets two go at once, terminated before their replacements launch.
    await advance(6 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'InProgress');
    assert.equal(r.PercentageComplete, 0);
    assert.equal(r.InstancesToUpdate, 4);
    assert.match(r.StatusReason!, /^Waiting for instances to warm up before continuing\. For example: i-[0-9a-f]+ is warming up\.$/);
    assert.deepEqual(await lifecycles(), { InService: 2, Terminating: 2, Pending: 2 });

    // 35 s: the first two are in service and warmed up: the 50 % checkpoint holds the refresh for 300 s.
    await advance(30 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'InProgress');
    assert.equal(r.PercentageComplete, 50);
    assert.equal(r.InstancesToUpdate, 2);
    assert.match(r.StatusReason!, /checkpoint 1 of 2/);
    assert.deepEqual(r.ProgressDetails, { LivePoolProgress: { PercentageComplete: 50, InstancesToUpdate: 2 } });
    assert.deepEqual(await lifecycles(), { InService: 4 });
    assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '1', '2', '2']);
    await advance(250 * SECOND);
    assert.match((await refresh(id)).StatusReason!, /checkpoint/);

    // 335 s: the second batch; 365 s: done.
    await advance(60 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'InProgress');
    assert.match(r.StatusReason!, /warming up/);
    await advance(40 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'Successful');
    assert.equal(r.PercentageComplete, 100);
    assert.equal(r.InstancesToUpdate, 0);
    assert.equal(r.StatusReason, undefined);
    assert.equal(r.EndTime!.getTime() - r.StartTime!.getTime(), 365 * SECOND);
    const updated = await group();
    assert.equal(updated.LaunchTemplate!.Version, '2');
    assert.deepEqual(
      (await versions()).map((v) => [v.version, v.image]),
      Array(4).fill(['2', newImage]),
    );
  });

  test('above 100 % maximum healthy, new instances launch before old ones are terminated', async () => {
    await fleet(4);
    const id = await start({ Preferences: { MinHealthyPercentage: 100, MaxHealthyPercentage: 150, InstanceWarmup: WARMUP } });
    await advance(6 * SECOND);
    // 150 % of 4 is 6 in service or pending, 100 % keeps all 4 old ones in service.
    assert.deepEqual(await lifecycles(), { InService: 4, Pending: 2 });
    await advance(30 * SECOND);
    // The first new pair is ready: its old pair goes, and the second new pair launches.
    assert.deepEqual(await lifecycles(), { InService: 4, Terminating: 2, Pending: 2 });
    await advance(40 * SECOND);
    assert.equal((await refresh(id)).Status, 'Successful');
    assert.deepEqual(await lifecycles(), { InService: 4 });
  });

  test('BakeTime: Baking before Successful', async () => {
    await fleet(1);
    const id = await start({ Preferences: { InstanceWarmup: WARMUP, BakeTime: 600 } });
    await advance(40 * SECOND);
    const baking = await refresh(id);
    assert.equal(baking.Status, 'Baking');
    assert.equal(baking.PercentageComplete, 100);
    await advance(600 * SECOND);
    assert.equal((await refresh(id)).Status, 'Successful');
  });

  test('SkipMatching leaves the instances already on the desired configuration', async () => {
    const { newImage } = await fleet(4);
    // A refresh whose last checkpoint is 50 % stops there, successful: half the group moves to version 2.
    const half = await start({ Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, CheckpointPercentages: [50] } });
    await advance(40 * SECOND);
    assert.equal((await refresh(half)).Status, 'Successful');
    const before = await versions();
    const onVersion2 = before.filter((v) => v.version === '2').map((v) => v.id);
    assert.equal(onVersion2.length, 2);
    assert.equal((await group()).LaunchTemplate!.Version, '2');

    // No desired configuration: the group's own (now version 2) is the target.
    const id = await start({
      DesiredConfiguration: undefined,
      Preferences: { MinHealthyPercentage: 50, SkipMatching: true, InstanceWarmup: WARMUP },
    });
    const r = await refresh(id);
    assert.equal(r.PercentageComplete, 50);
    assert.equal(r.InstancesToUpdate, 2);
    await advance(40 * SECOND);
    assert.equal((await refresh(id)).Status, 'Successful');
    const after = await versions();
    assert.deepEqual(
      after.map((v) => [v.version, v.image]),
      Array(4).fill(['2', newImage]),
    );
    for (const kept of onVersion2)
      assert.ok(
        after.some((v) => v.id === kept),
        `${kept} was replaced`,
      );
  });

  test('a second StartInstanceRefresh while one runs is refused with InstanceRefreshInProgress', async () => {
    await fleet(2);
    const first = await start({ Preferences: { InstanceWarmup: WARMUP } });
    const refused = await rejectsWith(start(), 'InstanceRefreshInProgressFault', 400);
    assert.match(refused.message, /already in progress/);
    await advance(120 * SECOND);
    assert.equal((await refresh(first)).Status, 'Successful');
    const second = await start({ DesiredConfiguration: undefined });
    assert.notEqual(second, first);
    const { InstanceRefreshes } = await asg().send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP }));
    assert.deepEqual(
      InstanceRefreshes!.map((r) => r.InstanceRefreshId),
      [second, first],
    );
  });

  test('CancelInstanceRefresh: Cancelling while the batch under way finishes, then Cancelled; nothing rolled back', async () => {
    await fleet(4);
    const id = await start({ Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP } });
    await advance(6 * SECOND);
    const { InstanceRefreshId } = await asg().send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: GROUP }));
    assert.equal(InstanceRefreshId, id);
    assert.equal((await refresh(id)).Status, 'Cancelling');
    await rejectsWith(
      asg().send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: GROUP })),
      'ActiveInstanceRefreshNotFoundFault',
      400,
    );
    // The new pair is in service at 15 s.
    await advance(10 * SECOND);
    const r = await refresh(id);
    assert.equal(r.Status, 'Cancelled');
    assert.equal(r.EndTime!.getTime() - r.StartTime!.getTime(), 15 * SECOND);
    await advance(60 * SECOND);
    assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '1', '2', '2']);
    assert.equal((await group()).LaunchTemplate!.Version, '1');
    await rejectsWith(asg().send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: GROUP })), 'ActiveInstanceRefreshNotFoundFault');
  });

  test('RollbackInstanceRefresh puts the replaced instances back on the previous configuration', async () => {
    const { oldImage } = await fleet(4);
    const id = await start({
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, CheckpointPercentages: [50, 100], CheckpointDelay: 300 },
    });
    await advance(36 * SECOND);
    assert.equal((await refresh(id)).PercentageComplete, 50);
    await asg().send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: GROUP }));
    let r = await refresh(id);
    assert.equal(r.Status, 'RollbackInProgress');
    assert.equal(r.RollbackDetails!.PercentageCompleteOnRollback, 50);
    assert.equal(r.RollbackDetails!.InstancesToUpdateOnRollback, 2);
    assert.match(r.RollbackDetails!.RollbackReason!, /manual rollback/i);
    assert.equal(r.InstancesToUpdate, 2);
    // The two new instances are being replaced: the percentage falls to zero.
    assert.equal(r.PercentageComplete, 0);
    await advance(40 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'RollbackSuccessful');
    assert.deepEqual(
      (await versions()).map((v) => [v.version, v.image]),
      Array(4).fill(['1', oldImage]),
    );
    assert.equal((await group()).LaunchTemplate!.Version, '1');
    await rejectsWith(
      asg().send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: GROUP })),
      'ActiveInstanceRefreshNotFoundFault',
      400,
    );

    // A refresh without a desired configuration cannot be rolled back.
    await start({ DesiredConfiguration: undefined });
    await rejectsWith(
      asg().send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: GROUP })),
      'IrreversibleInstanceRefreshFault',
      400,
    );
  });
});

describe('instance refresh failures: alarms and health checks', () => {
  test('an alarm in ALARM fails the refresh; the batch under way finishes and nothing is rolled back', async () => {
    await fleet(4);
    await alarm();
    const id = await start({
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, AlarmSpecification: { Alarms: ['web-5xx'] } },
    });
    await advance(6 * SECOND);
    await sandbox.admin.setAlarmState({ alarmName: 'web-5xx', state: 'ALARM' });
    const r = await refresh(id);
    assert.equal(r.Status, 'Failed');
    assert.match(r.StatusReason!, /alarm web-5xx went into the ALARM state/);
    assert.ok(r.EndTime);
    await advance(60 * SECOND);
    assert.equal((await refresh(id)).Status, 'Failed');
    assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '1', '2', '2']);
    assert.equal((await group()).LaunchTemplate!.Version, '1');
  });

  test('with AutoRollback, an alarm in ALARM rolls the refresh back: RollbackInProgress, then RollbackSuccessful', async () => {
    const { oldImage } = await fleet(4);
    await alarm();
    const id = await start({
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, AutoRollback: true, AlarmSpecification: { Alarms: ['web-5xx'] } },
    });
    await advance(6 * SECOND);
    // SetAlarmState is AWS's own way to test what watches an alarm.
    await cloudWatch().send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'testing the rollback' }));
    let r = await refresh(id);
    assert.equal(r.Status, 'RollbackInProgress');
    assert.match(r.StatusReason!, /web-5xx/);
    assert.match(r.RollbackDetails!.RollbackReason!, /web-5xx/);
    await advance(60 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'RollbackSuccessful');
    assert.match(r.StatusReason!, /web-5xx/);
    assert.deepEqual(
      (await versions()).map((v) => [v.version, v.image]),
      Array(4).fill(['1', oldImage]),
    );
  });

  test('an instance the refresh launched that fails its health check fails the refresh', async () => {
    await fleet(2);
    await sandbox.admin.setInstanceUnhealthy({ next: true, group: GROUP });
    const id = await start({ Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP } });
    await advance(6 * SECOND);
    const launched = (await group()).Instances!.find((i) => i.LifecycleState === 'Pending')!.InstanceId!;
    // The health check fails once the instance is in service, at 15 s.
    await advance(10 * SECOND);
    const r = await refresh(id);
    assert.equal(r.Status, 'Failed');
    assert.match(r.StatusReason!, new RegExp(`instance ${launched}.*failed its health check`));
    assert.equal(r.EndTime!.getTime() - r.StartTime!.getTime(), 15 * SECOND);
    assert.equal((await group()).Instances!.find((i) => i.InstanceId === launched)!.HealthStatus, 'Unhealthy');
  });

  test('with AutoRollback, an updated instance marked unhealthy rolls the refresh back', async () => {
    const { oldImage } = await fleet(4);
    const id = await start({
      Preferences: {
        MinHealthyPercentage: 50,
        InstanceWarmup: WARMUP,
        AutoRollback: true,
        CheckpointPercentages: [50, 100],
        CheckpointDelay: 300,
      },
    });
    await advance(36 * SECOND);
    const updated = (await versions()).find((v) => v.version === '2')!.id;
    const answer = await sandbox.admin.setInstanceUnhealthy({ instanceId: updated });
    assert.deepEqual(answer, { applied: 'now', instanceId: updated, group: GROUP, accountId: '111122223333', region: 'us-east-1' });
    assert.equal((await refresh(id)).Status, 'RollbackInProgress');
    await advance(40 * SECOND);
    assert.equal((await refresh(id)).Status, 'RollbackSuccessful');
    assert.deepEqual(
      (await versions()).map((v) => [v.version, v.image]),
      Array(4).fill(['1', oldImage]),
    );
  });

  test('a rollback whose own instance fails its health check ends RollbackFailed', async () => {
    await fleet(2);
    await alarm();
    const id = await start({
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, AutoRollback: true, AlarmSpecification: { Alarms: ['web-5xx'] } },
    });
    await advance(40 * SECOND);
    await sandbox.admin.setInstanceUnhealthy({ next: true });
    await sandbox.admin.setAlarmState({ alarmName: 'web-5xx', state: 'ALARM' });
    assert.equal((await refresh(id)).Status, 'RollbackInProgress');
    await advance(60 * SECOND);
    const r = await refresh(id);
    assert.equal(r.Status, 'RollbackFailed');
    assert.match(r.StatusReason!, /rollback failed because instance i-[0-9a-f]+ failed its health check/);
  });
});

describe('ReplaceRootVolume instance refresh', () => {
  async function mixedFleet(): Promise<Fleet> {
    const made = await templates();
    await asg().send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: GROUP,
        MinSize: 0,
        MaxSize: 4,
        DesiredCapacity: 2,
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: made.templateId, Version: '1' },
            Overrides: [{ InstanceType: 't3.micro', ImageId: made.oldImage }],
          },
        },
        AvailabilityZones: ['us-east-1a'],
      }),
    );
    await advance(DURATIONS.instance);
    return made;
  }

  const desiredMixed = (made: Fleet) => ({
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateId: made.templateId, Version: '2' },
        Overrides: [{ InstanceType: 't3.micro', ImageId: made.newImage }],
      },
    },
  });

  test('swaps the root volumes of the same instances, one batch at a time, through EC2 replace-root-volume tasks', async () => {
    const made = await mixedFleet();
    const before = (await group()).Instances!.map((i) => i.InstanceId!);
    assert.deepEqual(
      (await group()).Instances!.map((i) => i.ImageId),
      [made.oldImage, made.oldImage],
    );
    const id = await start({
      Strategy: 'ReplaceRootVolume',
      DesiredConfiguration: desiredMixed(made),
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP },
    });
    await advance(6 * SECOND);
    let r = await refresh(id);
    assert.equal(r.Strategy, 'ReplaceRootVolume');
    assert.match(r.StatusReason!, /root volume/);
    assert.deepEqual(await lifecycles(), { ReplacingRootVolume: 1, InService: 1 });
    const { ReplaceRootVolumeTasks } = await sandbox.ec2.send(new DescribeReplaceRootVolumeTasksCommand({}));
    assert.equal(ReplaceRootVolumeTasks!.length, 1);
    assert.equal(ReplaceRootVolumeTasks![0]!.InstanceId, before[0]);
    assert.equal(ReplaceRootVolumeTasks![0]!.ImageId, made.newImage);

    // The task succeeds at 35 s, the instance warms up until 55 s, then the second goes; done at 105 s.
    await advance(50 * SECOND);
    r = await refresh(id);
    assert.equal(r.PercentageComplete, 50);
    await advance(50 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'Successful');
    const after = await group();
    assert.deepEqual(
      after.Instances!.map((i) => i.InstanceId),
      before,
    );
    assert.deepEqual(
      (await versions()).map((v) => [v.version, v.image]),
      [
        ['2', made.newImage],
        ['2', made.newImage],
      ],
    );
    assert.deepEqual(
      after.Instances!.map((i) => i.ImageId),
      [made.newImage, made.newImage],
    );
    assert.equal(after.MixedInstancesPolicy!.LaunchTemplate!.Overrides![0]!.ImageId, made.newImage);
  });

  test('with AutoRollback, an instance unhealthy after its new root volume gets its old root volume back', async () => {
    const made = await mixedFleet();
    const [first] = (await group()).Instances!.map((i) => i.InstanceId!);
    await sandbox.admin.setInstanceUnhealthy({ next: true, group: GROUP });
    const id = await start({
      Strategy: 'ReplaceRootVolume',
      DesiredConfiguration: desiredMixed(made),
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: WARMUP, AutoRollback: true },
    });
    // The first instance has its new root volume at 35 s and fails its health check.
    await advance(36 * SECOND);
    let r = await refresh(id);
    assert.equal(r.Status, 'RollbackInProgress');
    assert.match(r.StatusReason!, new RegExp(`instance ${first}.*failed its health check`));
    await advance(60 * SECOND);
    r = await refresh(id);
    assert.equal(r.Status, 'RollbackSuccessful');
    assert.deepEqual(
      (await versions()).map((v) => [v.version, v.image]),
      [
        ['1', made.oldImage],
        ['1', made.oldImage],
      ],
    );
    const { ReplaceRootVolumeTasks } = await sandbox.ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({ Filters: [{ Name: 'instance-id', Values: [first!] }] }),
    );
    assert.deepEqual(
      ReplaceRootVolumeTasks!.map((t) => [t.ImageId, t.TaskState]).sort(),
      [
        [made.newImage, 'succeeded'],
        [made.oldImage, 'succeeded'],
      ].sort(),
    );
  });

  test('is refused for a group without a mixed instances policy whose overrides name AMIs, and without such a desired configuration', async () => {
    const made = await fleet(1);
    const plain = await rejectsWith(
      start({ Strategy: 'ReplaceRootVolume', DesiredConfiguration: desiredMixed(made) }),
      'ValidationError',
      400,
    );
    assert.match(plain.message, /mixed instances policy/);
    await asg().send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'mixed-no-ami',
        MinSize: 0,
        MaxSize: 1,
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: made.templateId, Version: '1' },
            Overrides: [{ InstanceType: 't3.micro' }],
          },
        },
        AvailabilityZones: ['us-east-1a'],
      }),
    );
    const noAmi = await rejectsWith(
      start({ AutoScalingGroupName: 'mixed-no-ami', Strategy: 'ReplaceRootVolume', DesiredConfiguration: desiredMixed(made) }),
      'ValidationError',
    );
    assert.match(noAmi.message, /ImageId/);
  });

  test('a desired configuration without AMI overrides is refused', async () => {
    await mixedFleet();
    const refused = await rejectsWith(start({ Strategy: 'ReplaceRootVolume' }), 'ValidationError');
    assert.match(refused.message, /desired configuration/);
  });
});

describe('StartInstanceRefresh checks its input', () => {
  test('bad preferences, a missing group or alarm, and AutoRollback without a desired configuration', async () => {
    await fleet(1);
    const refused = async (input: Partial<StartInstanceRefreshCommandInput>, pattern: RegExp) =>
      assert.match((await rejectsWith(start(input), 'ValidationError', 400)).message, pattern);
    await refused(
      { Preferences: { MinHealthyPercentage: 101 } },
      /minHealthyPercentage' failed to satisfy constraint: Member must have value less than or equal to 100/,
    );
    await refused({ Preferences: { MinHealthyPercentage: 90, MaxHealthyPercentage: 250 } }, /less than or equal to 200/);
    await refused({ Preferences: { MaxHealthyPercentage: 120 } }, /must also specify MinHealthyPercentage/);
    await refused({ Preferences: { MinHealthyPercentage: 0, MaxHealthyPercentage: 150 } }, /cannot be greater than 100/);
    await refused({ Preferences: { CheckpointPercentages: [50, 20, 100] } }, /ascending/);
    await refused({ Preferences: { CheckpointDelay: 60 } }, /CheckpointPercentages/);
    await refused({ Preferences: { AlarmSpecification: { Alarms: ['nope'] } } }, /nope/);
    await refused(
      { DesiredConfiguration: undefined, Preferences: { AutoRollback: true } },
      /AutoRollback parameter cannot be set to true when the DesiredConfiguration parameter is empty/,
    );
    await refused({ DesiredConfiguration: { LaunchTemplate: { LaunchTemplateName: 'web', Version: '7' } } }, /launch template/);
    await refused({ AutoScalingGroupName: 'missing' }, /AutoScalingGroup name not found/);
    const { InstanceRefreshes } = await asg().send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP }));
    assert.deepEqual(InstanceRefreshes, []);
  });

  test('AutoRollback needs a group on a numbered launch template version', async () => {
    await fleet(1, { LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' } });
    await rejectsWith(start({ Preferences: { AutoRollback: true } }), 'ValidationError');
  });

  test('DescribeInstanceRefreshes: newest first, by ID, paged', async () => {
    await fleet(0);
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      ids.push(await start());
      await advance(DURATIONS.instanceRefreshStart + SECOND);
    }
    const first = await asg().send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP, MaxRecords: 2 }));
    assert.deepEqual(
      first.InstanceRefreshes!.map((r) => [r.InstanceRefreshId, r.Status, r.PercentageComplete]),
      [
        [ids[2], 'Successful', 100],
        [ids[1], 'Successful', 100],
      ],
    );
    const second = await asg().send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP, MaxRecords: 2, NextToken: first.NextToken }),
    );
    assert.deepEqual(
      second.InstanceRefreshes!.map((r) => r.InstanceRefreshId),
      [ids[0]],
    );
    const byId = await asg().send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP, InstanceRefreshIds: [ids[1]!] }));
    assert.deepEqual(
      byId.InstanceRefreshes!.map((r) => r.InstanceRefreshId),
      [ids[1]],
    );
    await rejectsWith(
      asg().send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP, NextToken: 'x' })),
      'InvalidNextToken',
    );
  });
});

describe('CloudWatch alarms', () => {
  test('PutMetricAlarm, DescribeAlarms by names, state and pages, SetAlarmState', async () => {
    // PutMetricAlarm's quota is 3 a second: this test puts four.
    await sandbox.admin.configure({ throttling: { buckets: { 'cloudwatch:PutMetricAlarm': { capacity: 10, refillPerSecond: 10 } } } });
    for (const name of ['web-5xx', 'web-latency', 'db-cpu']) await alarm(name);
    const all = await cloudWatch().send(new DescribeAlarmsCommand({}));
    assert.deepEqual(
      all.MetricAlarms!.map((a) => [a.AlarmName, a.StateValue]),
      [
        ['web-5xx', 'INSUFFICIENT_DATA'],
        ['web-latency', 'INSUFFICIENT_DATA'],
        ['db-cpu', 'INSUFFICIENT_DATA'],
      ],
    );
    assert.equal(all.MetricAlarms![0]!.AlarmArn, 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:web-5xx');
    assert.equal(all.MetricAlarms![0]!.Threshold, 10);
    await sandbox.admin.setAlarmState({ alarmName: 'web-latency', state: 'ALARM', reason: 'p99 above 2 s' });
    const inAlarm = await cloudWatch().send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    assert.deepEqual(
      inAlarm.MetricAlarms!.map((a) => [a.AlarmName, a.StateReason]),
      [['web-latency', 'p99 above 2 s']],
    );
    const named = await cloudWatch().send(new DescribeAlarmsCommand({ AlarmNames: ['db-cpu', 'missing'] }));
    assert.deepEqual(
      named.MetricAlarms!.map((a) => a.AlarmName),
      ['db-cpu'],
    );
    const page = await cloudWatch().send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    assert.equal(page.MetricAlarms!.length, 2);
    const rest = await cloudWatch().send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: page.NextToken }));
    assert.deepEqual(
      rest.MetricAlarms!.map((a) => a.AlarmName),
      ['db-cpu'],
    );
    await rejectsWith(cloudWatch().send(new DescribeAlarmsCommand({ NextToken: 'x' })), 'InvalidNextToken', 400);
    await rejectsWith(
      cloudWatch().send(new SetAlarmStateCommand({ AlarmName: 'missing', StateValue: 'OK', StateReason: 'x' })),
      'ResourceNotFound',
      404,
    );
    await rejectsWith(
      cloudWatch().send(new PutMetricAlarmCommand({ AlarmName: 'bare', MetricName: 'm', EvaluationPeriods: 1 })),
      'MissingRequiredParameterException',
    );
    const west = await new CloudWatchClient(clientConfig('us-west-2')).send(new DescribeAlarmsCommand({}));
    assert.deepEqual(west.MetricAlarms, []);
  });

  test('the Query protocol: DescribeAlarms and errors in XML', async () => {
    await alarm();
    const post = async (body: string) => {
      const request = signRawRequest(
        { method: 'POST', url: `${sandbox.url}/`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
        { service: 'monitoring' },
      );
      const response = await sendRawRequest(request);
      return { status: response.status, text: await response.text() };
    };
    const ok = await post('Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=web-5xx');
    assert.equal(ok.status, 200);
    assert.match(
      ok.text,
      /<DescribeAlarmsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><DescribeAlarmsResult><MetricAlarms><member>/,
    );
    assert.match(ok.text, /<AlarmName>web-5xx<\/AlarmName>/);
    assert.match(ok.text, /<StateValue>INSUFFICIENT_DATA<\/StateValue>/);
    assert.match(ok.text, /<ResponseMetadata><RequestId>[0-9a-f-]+<\/RequestId><\/ResponseMetadata>/);
    const missing = await post('Action=SetAlarmState&Version=2010-08-01&AlarmName=nope&StateValue=ALARM&StateReason=x');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>ResourceNotFound<\/Code>/);
  });
});

describe('faults, throttling, call counts, state and persistence', () => {
  test('a StartInstanceRefresh whose answer is lost has started: the retry meets InstanceRefreshInProgress; calls are counted', async () => {
    await fleet(1);
    await sandbox.admin.resetCalls();
    await sandbox.admin.fault({ service: 'autoscaling', action: 'StartInstanceRefresh', loseAnswer: true });
    await assert.rejects(start());
    const started = await refresh();
    assert.equal(started.Status, 'Pending');
    await rejectsWith(start(), 'InstanceRefreshInProgressFault');
    const calls = await sandbox.admin.calls();
    assert.deepEqual(calls.autoscaling.StartInstanceRefresh, { total: 2, throttled: 0, faulted: 1 });
    assert.equal(calls.autoscaling.DescribeInstanceRefreshes!.total, 1);
    await sandbox.admin.fault({ service: 'cloudwatch', action: 'DescribeAlarms', error: { code: 'InternalFailure', status: 500 } });
    await rejectsWith(cloudWatch().send(new DescribeAlarmsCommand({})), 'InternalFailure', 500);
  });

  test('throttling answers Throttling, which the SDK classes as such, and is counted', async () => {
    await sandbox.admin.configure({
      throttling: {
        buckets: {
          'autoscaling:describe': { capacity: 1, refillPerSecond: 0.001 },
          'cloudwatch:DescribeAlarms': { capacity: 1, refillPerSecond: 0.001 },
        },
      },
    });
    await asg().send(new DescribeAutoScalingGroupsCommand({}));
    const throttled = await rejectsWith(asg().send(new DescribeAutoScalingGroupsCommand({})), 'Throttling', 400);
    assert.equal(throttled.message, 'Rate exceeded');
    await cloudWatch().send(new DescribeAlarmsCommand({}));
    await rejectsWith(cloudWatch().send(new DescribeAlarmsCommand({})), 'Throttling', 400);
    const calls = await sandbox.admin.calls();
    assert.deepEqual(calls.autoscaling.DescribeAutoScalingGroups, { total: 2, throttled: 1, faulted: 0 });
    assert.deepEqual(calls.cloudwatch.DescribeAlarms, { total: 2, throttled: 1, faulted: 0 });
  });

  test('the state dump shows groups, refreshes and alarms', async () => {
    await fleet(2);
    await alarm();
    const id = await start({ Preferences: { InstanceWarmup: WARMUP } });
    const state = await sandbox.admin.state();
    assert.deepEqual(
      state.autoscaling.autoScalingGroups.map((g) => [g.name, g.instances.map((i) => [i.lifecycleState, i.templateVersion])]),
      [
        [
          GROUP,
          [
            ['InService', 1],
            ['InService', 1],
          ],
        ],
      ],
    );
    assert.deepEqual(
      state.autoscaling.instanceRefreshes.map((r) => [r.instanceRefreshId, r.status]),
      [[id, 'Pending']],
    );
    assert.deepEqual(
      state.cloudwatch.alarms.map((a) => [a.alarmName, a.state]),
      [['web-5xx', 'INSUFFICIENT_DATA']],
    );
  });

  test('a state saved before Auto Scaling and CloudWatch existed restores with neither, empty', async () => {
    const running = await createSandbox({ port: 0, config: { profile: 'test' } });
    try {
      const withoutThem = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(withoutThem);
        if (typeof node !== 'object' || node === null) return node;
        const entries = Object.entries(node).filter(([key]) => key !== 'autoScaling' && key !== 'cloudWatch');
        return Object.fromEntries(entries.map(([key, value]) => [key, withoutThem(value)]));
      };
      const old = JSON.stringify(withoutThem(JSON.parse(running.sandbox.snapshot())));
      assert.doesNotMatch(old, /AutoScalingResources/);
      running.sandbox.restore(old);
      const client = new AutoScalingClient({
        endpoint: running.url,
        region: 'us-east-1',
        credentials: SANDBOX_CREDENTIALS,
        maxAttempts: 1,
      });
      assert.deepEqual((await client.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups, []);
    } finally {
      await running.close();
    }
  });

  test('a refresh under way is saved with the state and goes on after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-asg-state-'));
    const stateFile = path.join(dir, 'state.sqlite');
    const config = { profile: 'test' as const, durations: DURATIONS };
    try {
      let running = await createSandbox({ port: 0, config, stateFile });
      const client = (url: string) =>
        new AutoScalingClient({ endpoint: url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
      const ec2 = new EC2Client({ endpoint: running.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS });
      await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'web',
          LaunchTemplateData: { ImageId: LINUX_BASE_AMI_ID, InstanceType: 't3.micro' },
        }),
      );
      await client(running.url).send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: GROUP,
          MinSize: 1,
          MaxSize: 2,
          LaunchTemplate: { LaunchTemplateName: 'web', Version: '1' },
          AvailabilityZones: ['us-east-1a'],
        }),
      );
      const { InstanceRefreshId } = await client(running.url).send(
        new StartInstanceRefreshCommand({ AutoScalingGroupName: GROUP, Preferences: { InstanceWarmup: WARMUP } }),
      );
      running.sandbox.state.advance(6 * SECOND);
      await running.close();

      running = await createSandbox({ port: 0, config, stateFile });
      const refreshes = async () =>
        (await client(running.url).send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP }))).InstanceRefreshes!;
      assert.deepEqual(
        (await refreshes()).map((r) => [r.InstanceRefreshId, r.Status]),
        [[InstanceRefreshId, 'InProgress']],
      );
      running.sandbox.state.advance(60 * SECOND);
      assert.equal((await refreshes())[0]!.Status, 'Successful');
      await running.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
