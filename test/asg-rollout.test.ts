/**
 * Rolling the image onto Auto Scaling groups (issue 16): publish writes a new launch-template version
 * in each group's Region, and an instance refresh moves each group onto it, with its checkpoints and
 * alarms; a cancel cancels or rolls back the refresh; a refresh someone else started is never adopted.
 * A real Temporal dev server, the sandbox's EC2 Auto Scaling and CloudWatch over HTTP, the real AWS SDK.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../activities/aws/clients';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { demoGroupFleet } from '../dev/demo-resources';
import { mutatingCalls } from './support/aws-checks';
import { runProgress } from '../client/runs';
import { failureOf, recordHistory, waitForProgress } from './support/runs';
import { freshSandbox, REGION, stackForThisFile, TEST_CREDENTIALS } from './support/stack';

const stack = stackForThisFile();
const WEST = 'us-west-2';
const FAST = { interval: '100ms', timeout: '2m' };
let clients: AwsClients | undefined;
const at = (region: string) =>
  (clients ??= createAwsClients({ endpoint: stack.sandboxUrl, region: REGION, credentials: TEST_CREDENTIALS })).at(
    region === REGION ? {} : { region },
  );

beforeEach(async () => {
  await freshSandbox(stack);
  await demoGroupFleet(at(REGION), REGION);
  await stack.admin.resetCalls();
});

function start(config: Partial<AmiPipelineConfig>, workflowId?: string) {
  return startPipeline(
    stack.env.client,
    'ami',
    {
      name: 'web-asg',
      instanceTags: { Name: 'win-build' },
      publish: { launchTemplates: [{ name: 'web', setDefault: true }] },
      rollout: { autoScalingGroups: [{ name: 'web-asg' }], instanceWarmup: '0s', minHealthyPercentage: 50 },
      waits: { image: FAST, copy: FAST, refresh: FAST },
      ...config,
    },
    { taskQueue: stack.taskQueue, workflowId },
  );
}

/** The images the group's in-service instances run. */
async function groupImages(region: string): Promise<string[]> {
  const { autoscaling, ec2 } = at(region);
  const [group] =
    (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups ?? [];
  const ids = (group?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId!);
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return out.Reservations!.flatMap((r) => r.Instances ?? []).map((i) => i.ImageId!);
}

const refreshesOf = async (region: string) =>
  (await at(region).autoscaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: 'web-asg' }))).InstanceRefreshes ?? [];

describe('rollout onto Auto Scaling groups', () => {
  test('two groups in two Regions, one at a time, with checkpoints: each on the new version, every instance on the image of its Region', async () => {
    await demoGroupFleet(at(WEST), WEST);
    const handle = await start(
      {
        distribution: { regions: [{ region: WEST }] },
        publish: {
          launchTemplates: [
            { name: 'web', setDefault: true },
            { name: 'web', region: WEST, setDefault: true },
          ],
        },
        rollout: {
          autoScalingGroups: [{ name: 'web-asg' }, { name: 'web-asg', region: WEST }],
          instanceWarmup: '0s',
          minHealthyPercentage: 50,
          checkpoints: [50, 100],
          checkpointDelay: '1s',
          alarms: ['web-5xx'],
        },
      },
      'ami-pipeline-asg-rollout',
    );
    const result = (await handle.result()) as AmiPipelineResult;
    assert.deepEqual(
      result.groups?.map((g) => [g.group, g.status, g.percentageComplete]),
      [
        [`${REGION}/web-asg`, 'Successful', 100],
        [`${WEST}/web-asg`, 'Successful', 100],
      ],
    );
    const westImage = result.copies!.find((c) => c.place.region === WEST)!.imageId;
    assert.deepEqual(await groupImages(REGION), [result.imageId, result.imageId]);
    assert.deepEqual(await groupImages(WEST), [westImage, westImage]);
    // One refresh per group: the waits asked, they never started a second.
    assert.equal((await refreshesOf(REGION)).length, 1);
    assert.equal((await refreshesOf(WEST)).length, 1);
    await recordHistory(handle, 'ami-pipeline-asg-rollout');
  });

  for (const autoRollback of [false, true]) {
    test(`an alarm during the refresh ${autoRollback ? 'rolls the group back' : 'fails it'}, and the run with it`, async () => {
      const handle = await start({
        rollout: {
          autoScalingGroups: [{ name: 'web-asg' }],
          instanceWarmup: '0s',
          minHealthyPercentage: 50,
          alarms: ['web-5xx'],
          autoRollback,
          checkpoints: [50, 100],
          checkpointDelay: '30s',
        },
      });
      await waitForProgress(handle, (p) => p.groups?.[0]?.status === 'InProgress', 60_000);
      await stack.admin.setAlarmState({ alarmName: 'web-5xx', state: 'ALARM' });
      const failure = await failureOf(handle);
      assert.equal(failure.type, 'InstanceRefreshFailed');
      assert.match(failure.message, new RegExp(`web-asg ended ${autoRollback ? 'RollbackSuccessful' : 'Failed'}`));
    });
  }

  test('a lost StartInstanceRefresh answer: the run adopts the refresh it started, and there is one', async () => {
    await stack.admin.fault({ service: 'autoscaling', action: 'StartInstanceRefresh', count: 1, loseAnswer: true });
    const result = (await (await start({})).result()) as AmiPipelineResult;
    assert.equal(result.groups?.[0]?.status, 'Successful');
    assert.equal((await refreshesOf(REGION)).length, 1);
  });

  test('a refresh someone else started is refused before anything is created', async () => {
    await at(REGION).autoscaling.send(
      new StartInstanceRefreshCommand({ AutoScalingGroupName: 'web-asg', Preferences: { InstanceWarmup: 600 } }),
    );
    await stack.admin.resetCalls();
    const handle = await start({});
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'InvalidInput');
    assert.match(failure.message, /group web-asg has an instance refresh running/);
    assert.deepEqual(await mutatingCalls(stack), {});
    // The stage table (CLI follow, the UI's current details) names the problem, not just "invalid pipeline input:".
    const create = (await runProgress(handle))?.stages.find((row) => row.stage === 'create');
    assert.match(create?.detail ?? '', /group web-asg has an instance refresh running/);
  });

  test('cancelled during the refresh: the refresh is cancelled, and the run ends once it has', async () => {
    const handle = await start({
      rollout: {
        autoScalingGroups: [{ name: 'web-asg' }],
        instanceWarmup: '0s',
        minHealthyPercentage: 50,
        checkpoints: [50, 100],
        checkpointDelay: '60s',
      },
    });
    await waitForProgress(handle, (p) => p.groups?.[0]?.status === 'InProgress', 60_000);
    await handle.cancel();
    await assert.rejects(handle.result());
    const [refresh] = await refreshesOf(REGION);
    assert.equal(refresh?.Status, 'Cancelled');
  });

  test('bad input: an unknown group, and a group whose template publish does not write; zero mutating calls', async () => {
    const cases: [Partial<AmiPipelineConfig>, RegExp][] = [
      [{ rollout: { autoScalingGroups: [{ name: 'no-such-group' }] } }, /no Auto Scaling group no-such-group in us-east-1/],
      [
        { publish: { ssmParameters: [{ name: '/golden/web' }] } },
        /group web-asg launches from web in us-east-1, which publish does not write a version of/,
      ],
    ];
    for (const [config, message] of cases) {
      const failure = await failureOf(await start(config));
      assert.equal(failure.type, 'InvalidInput');
      assert.match(failure.message, message);
    }
    assert.deepEqual(await mutatingCalls(stack), {});
  });
});
