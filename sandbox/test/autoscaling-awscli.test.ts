import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS } from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';

/**
 * The official AWS CLI against the sandbox's EC2 Auto Scaling (botocore's Query protocol serializer and parser):
 * a group made and refreshed with `aws autoscaling`, the refresh followed with describe-instance-refreshes; and
 * its CloudWatch (AWS JSON 1.0, as botocore speaks it).
 */

// Nothing moves until the test advances the clock: each aws CLI call takes a second or two to start.
const SECOND = 1000;
const sandbox = awsCliSandboxForThisFile({
  profile: 'test',
  durations: { instance: 10 * SECOND, instanceRefreshStart: 60 * SECOND, instanceRefreshSecond: SECOND },
});
const { json: aws, fails: awsFails } = sandbox.cli('autoscaling');
const { json: cloudWatch } = sandbox.cli('cloudwatch');

interface CliRefresh {
  InstanceRefreshId: string;
  AutoScalingGroupName: string;
  Status: string;
  StatusReason?: string;
  StartTime: string;
  PercentageComplete: number;
  InstancesToUpdate: number;
  Preferences: { MinHealthyPercentage: number; CheckpointPercentages?: number[]; CheckpointDelay?: number; InstanceWarmup?: number };
  DesiredConfiguration?: { LaunchTemplate: { LaunchTemplateName: string; Version: string } };
}

interface CliGroup {
  AutoScalingGroupName: string;
  LaunchTemplate: { LaunchTemplateName: string; Version: string };
  Instances: { InstanceId: string; LifecycleState: string; HealthStatus: string; LaunchTemplate: { Version: string } }[];
}

test('aws autoscaling: create-auto-scaling-group, start-instance-refresh, describe-instance-refreshes to Successful', async () => {
  const ec2 = new EC2Client({ endpoint: sandbox.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS });
  const newer = await sandbox.admin.publishBaseImage('linux');
  const { LaunchTemplate } = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      LaunchTemplateData: { ImageId: LINUX_BASE_AMI_ID, InstanceType: 't3.micro' },
    }),
  );
  await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: LaunchTemplate!.LaunchTemplateId,
      LaunchTemplateData: { ImageId: newer.imageId, InstanceType: 't3.micro' },
    }),
  );
  ec2.destroy();

  await aws(
    'create-auto-scaling-group',
    '--auto-scaling-group-name',
    'web-asg',
    '--launch-template',
    'LaunchTemplateName=web,Version=1',
    '--min-size',
    '1',
    '--max-size',
    '4',
    '--desired-capacity',
    '2',
    '--availability-zones',
    'us-east-1a',
  );
  await sandbox.admin.advance(10 * SECOND);
  const { AutoScalingGroups } = await aws<{ AutoScalingGroups: CliGroup[] }>(
    'describe-auto-scaling-groups',
    '--auto-scaling-group-names',
    'web-asg',
  );
  assert.deepEqual(
    AutoScalingGroups[0]!.Instances.map((i) => [i.LifecycleState, i.HealthStatus, i.LaunchTemplate.Version]),
    [
      ['InService', 'Healthy', '1'],
      ['InService', 'Healthy', '1'],
    ],
  );

  const { InstanceRefreshId } = await aws<{ InstanceRefreshId: string }>(
    'start-instance-refresh',
    '--auto-scaling-group-name',
    'web-asg',
    '--strategy',
    'Rolling',
    '--desired-configuration',
    JSON.stringify({ LaunchTemplate: { LaunchTemplateName: 'web', Version: '2' } }),
    '--preferences',
    JSON.stringify({ MinHealthyPercentage: 50, InstanceWarmup: 20, CheckpointPercentages: [50, 100], CheckpointDelay: 300 }),
  );
  assert.match(InstanceRefreshId, /^[0-9a-f-]{36}$/);
  const refused = await awsFails('start-instance-refresh', '--auto-scaling-group-name', 'web-asg');
  assert.match(refused, /InstanceRefreshInProgress/);

  const describe = async () =>
    (await aws<{ InstanceRefreshes: CliRefresh[] }>('describe-instance-refreshes', '--auto-scaling-group-name', 'web-asg'))
      .InstanceRefreshes;
  let [refresh] = await describe();
  assert.equal(refresh!.InstanceRefreshId, InstanceRefreshId);
  assert.equal(refresh!.Status, 'Pending');
  assert.deepEqual(refresh!.Preferences.CheckpointPercentages, [50, 100]);
  assert.equal(refresh!.Preferences.CheckpointDelay, 300);
  assert.deepEqual(refresh!.DesiredConfiguration!.LaunchTemplate.Version, '2');
  assert.ok(!Number.isNaN(Date.parse(refresh!.StartTime)));

  // It starts at 60 s; one instance at a time (50 % of 2): the first is in service and warmed up at 90 s,
  // where the checkpoint holds the refresh until 390 s; the second is done at 420 s.
  await sandbox.admin.advance(91 * SECOND);
  [refresh] = await describe();
  assert.equal(refresh!.Status, 'InProgress');
  assert.equal(refresh!.PercentageComplete, 50);
  assert.equal(refresh!.InstancesToUpdate, 1);
  assert.match(refresh!.StatusReason!, /checkpoint/);

  await sandbox.admin.advance(340 * SECOND);
  [refresh] = await describe();
  assert.equal(refresh!.Status, 'Successful');
  assert.equal(refresh!.PercentageComplete, 100);
  const after = await aws<{ AutoScalingGroups: CliGroup[] }>('describe-auto-scaling-groups', '--auto-scaling-group-names', 'web-asg');
  assert.equal(after.AutoScalingGroups[0]!.LaunchTemplate.Version, '2');
  assert.deepEqual(
    after.AutoScalingGroups[0]!.Instances.map((i) => i.LaunchTemplate.Version),
    ['2', '2'],
  );
});

test('aws cloudwatch: put-metric-alarm, then describe-alarms by state once the admin API set it', async () => {
  await cloudWatch(
    'put-metric-alarm',
    '--alarm-name',
    'web-5xx',
    '--metric-name',
    'HTTPCode_Target_5XX_Count',
    '--namespace',
    'AWS/ApplicationELB',
    '--statistic',
    'Sum',
    '--period',
    '60',
    '--evaluation-periods',
    '1',
    '--threshold',
    '10',
    '--comparison-operator',
    'GreaterThanOrEqualToThreshold',
  );
  await sandbox.admin.setAlarmState({ alarmName: 'web-5xx', state: 'ALARM', reason: '5xx above 10' });
  const { MetricAlarms } = await cloudWatch<{
    MetricAlarms: { AlarmName: string; StateValue: string; StateReason: string; Threshold: number }[];
  }>('describe-alarms', '--state-value', 'ALARM');
  assert.deepEqual(
    MetricAlarms.map((a) => [a.AlarmName, a.StateValue, a.StateReason, a.Threshold]),
    [['web-5xx', 'ALARM', '5xx above 10', 10]],
  );
});
