/**
 * amiPipeline's later stages end to end: fast launch, the approval gate, the rollout by
 * replace-root-volume child workflows, and retention. Real dev server, sandbox over HTTP, real SDK.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateLaunchTemplateCommand,
  DescribeFastLaunchImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EnableFastLaunchCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
} from '@aws-sdk/client-ec2';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { startPipeline } from '../client/start-pipeline';
import { approveRun, rejectRun } from '../client/runs';
import { FAST_LAUNCH_TEMPLATE_NAME, WINDOWS_BASE_AMI_ID } from '@golden-image/aws-sandbox';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { progressQuery, type InstanceRow, type RolloutSummary } from '../contracts/progress';
import { listRolloutInstances } from '../client/rollout-instances';
import { notStartedQuery, replacementWorkflowId, rolloutWorkflowId } from '../contracts/root-volume-rollout';
import { imagesOfPipeline, mutatingCalls } from './support/aws-checks';
import { failureOf, recordHistory, rolloutCounts, stageIs, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';
import { spawnWorker } from './support/worker-process';

const stack = stackForThisFile();
let fleet: string[];

beforeEach(async () => {
  await freshSandbox(stack);
  fleet = await stack.launchInstances('windows', 4, { fleet: 'web' });
  await stack.admin.resetCalls();
});

const FAST = { interval: '100ms', timeout: '2m' };
const WAITS = { image: FAST, fastLaunch: FAST, rootVolume: FAST };

function start(config: Partial<AmiPipelineConfig>, taskQueue = stack.taskQueue, workflowId?: string) {
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'web-golden', instanceTags: { Name: 'win-build' }, waits: WAITS, ...config },
    { taskQueue, workflowId },
  );
}

async function rootVolumes(instanceIds: string[]): Promise<Record<string, string | undefined>> {
  const out = await stack.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
  return Object.fromEntries(
    instances.map((i) => [i.InstanceId, i.BlockDeviceMappings?.find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.VolumeId]),
  );
}

async function tasksByInstance(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const task of (await stack.admin.state()).replaceRootVolumeTasks) counts[task.instanceId] = (counts[task.instanceId] ?? 0) + 1;
  return counts;
}

describe('amiPipeline: fast launch, approval, rollout, retention', () => {
  test('the full Windows pipeline: fast launch enabled, approved, every fleet instance on the new image, two at a time', async () => {
    const before = await rootVolumes(fleet);
    const handle = await start(
      {
        fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME }, targetResourceCount: 5, maxParallelLaunches: 6 },
        approval: { timeout: '5m' },
        rollout: { tags: { fleet: 'web' }, concurrency: 2, failureBudget: 0, volumeInitializationRate: 200 },
        retention: { keep: 3 },
      },
      stack.taskQueue,
      'ami-pipeline-full',
    );
    await waitForProgress(handle, stageIs('approval', 'running'));
    const decision = await approveRun(stack.env.client, handle.workflowId, { by: 'alice', comment: 'smoke tests green' });
    const { answers, ...decided } = decision;
    assert.deepEqual(decided, { approved: true, by: 'alice', comment: 'smoke tests green' });
    // Who said they approved, and which client sent it: both on the record.
    assert.deepEqual(
      answers?.map((a) => [a.by, a.identity]),
      [['alice', stack.env.client.options.identity]],
    );
    const result = (await handle.result()) as AmiPipelineResult;

    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: fleet.length });
    const fastLaunch = await stack.ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [result.imageId] }));
    assert.equal(fastLaunch.FastLaunchImages?.[0]?.State, 'enabled');
    const after = await rootVolumes(fleet);
    for (const id of fleet) assert.notEqual(after[id], before[id], `${id} has a new root volume`);
    assert.deepEqual(await tasksByInstance(), Object.fromEntries(fleet.map((id) => [id, 1])), 'exactly one task per instance');
    const tasks = (await stack.admin.state()).replaceRootVolumeTasks;
    assert.ok(tasks.every((t) => t.imageId === result.imageId && t.state === 'succeeded'));
    const volumes = (await stack.admin.state()).volumes.filter((v) => Object.values(after).includes(v.id));
    assert.ok(volumes.length === 4 && volumes.every((v) => v.volumeInitializationRate === 200));
    assert.deepEqual(result.retired, []);
    assert.deepEqual(result.approval, decision);

    // The rollout ran as a child, and each instance as its child, each visible in the UI.
    const child = stack.env.client.workflow.getHandle(replacementWorkflowId(rolloutWorkflowId(handle.workflowId), fleet[0]!));
    assert.equal((await child.describe()).status.name, 'COMPLETED');
    await recordHistory(handle, 'ami-pipeline-full');
  });

  test('a rollout by launch template: publish makes the new image its default, and exactly the instances launched from it take the image', async () => {
    const template = async (name: string) => {
      const { LaunchTemplate } = await stack.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: name,
          LaunchTemplateData: { ImageId: WINDOWS_BASE_AMI_ID, InstanceType: 'm5.large' },
        }),
      );
      return LaunchTemplate!.LaunchTemplateId!;
    };
    const launchFrom = async (name: string, count: number) => {
      const { Instances } = await stack.ec2.send(
        new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: name }, MinCount: count, MaxCount: count }),
      );
      const ids = Instances!.map((i) => i.InstanceId!).sort();
      await waitUntilInstanceRunning({ client: stack.ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { InstanceIds: ids });
      return ids;
    };
    const webId = await template('web');
    await template('other');
    const fromWeb = await launchFrom('web', 3);
    // Not launched from `web`: one from another template, and the fleet tagged `fleet=web`.
    const untouched = [...(await launchFrom('other', 1)), ...fleet];
    const before = await rootVolumes([...fromWeb, ...untouched]);

    const handle = await start({
      publish: { launchTemplates: [{ name: 'web', setDefault: true }] },
      rollout: { launchTemplate: { name: 'web' } },
    });
    const result = (await handle.result()) as AmiPipelineResult;

    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: fromWeb.length });
    assert.deepEqual(await tasksByInstance(), Object.fromEntries(fromWeb.map((id) => [id, 1])), 'one task per instance launched from web');
    assert.ok((await stack.admin.state()).replaceRootVolumeTasks.every((t) => t.imageId === result.imageId && t.state === 'succeeded'));
    const after = await rootVolumes([...fromWeb, ...untouched]);
    for (const id of fromWeb) assert.notEqual(after[id], before[id], `${id} has a new root volume`);
    for (const id of untouched) assert.equal(after[id], before[id], `${id} keeps its root volume`);
    const { LaunchTemplateVersions } = await stack.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: webId, Versions: ['$Default'] }),
    );
    assert.deepEqual(
      LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.LaunchTemplateData?.ImageId]),
      [[2, result.imageId]],
    );

    // The UI names the targets by their template.
    const rollout = stack.env.client.workflow.getHandle(rolloutWorkflowId(handle.workflowId));
    assert.equal(
      await (await rollout.describe()).staticSummary(),
      `Roll \`${result.imageId}\` out onto the instances launched from launch template web`,
    );
    const summaries = ((await rollout.fetchHistory()).events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => defaultPayloadConverter.fromPayload<string>(e.userMetadata!.summary!));
    assert.deepEqual(summaries, ['find running instances launched from launch template web']);
  });

  test("enabling-failed fails the run with EC2's reason and removes the unfinished image", async () => {
    await stack.admin.fail({
      kind: 'fastLaunch',
      next: true,
      message: 'Launch template instances failed to start: InsufficientInstanceCapacity',
    });
    const handle = await start({ fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME } } });
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'FastLaunchFailed');
    assert.match(
      failure.message,
      /^fast-launch: fast launch for ami-[0-9a-f]+ is enabling-failed: Launch template instances failed to start: InsufficientInstanceCapacity$/,
    );
    assert.deepEqual(await imagesOfPipeline(stack, 'web-golden'), []);
  });

  test('a failure with budget 0 halts the rollout: the rest is untouched and the table says so', async () => {
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[1]!, state: 'failed' });
    const before = await rootVolumes(fleet);
    const handle = await start({ rollout: { instanceIds: fleet, concurrency: 1, failureBudget: 0 } });
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'RolloutHalted');
    assert.match(failure.message, /rollout halted: 1 of 4 instances failed, over the failure budget of 0/);
    const summary = failure.details?.[0] as RolloutSummary;
    assert.deepEqual(rolloutCounts(summary), { succeeded: 1, failed: 1, skipped: 2 });
    assert.match(summary.failed[0]!.detail ?? '', /failed; the original root volume is still attached/);
    // The whole table, as `golden-image status --instances` pages through it: started instances, then the rest.
    const rows: InstanceRow[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listRolloutInstances(stack.env.client, handle.workflowId, { pageSize: 1, pageToken });
      rows.push(...page.instances);
      pageToken = page.nextPageToken;
    } while (pageToken);
    assert.deepEqual(rows.map((r) => [r.instanceId, r.state]).sort(), [
      [fleet[0], 'succeeded'],
      [fleet[1], 'failed'],
      [fleet[2], 'skipped'],
      [fleet[3], 'skipped'],
    ]);
    assert.match(rows.find((r) => r.state === 'failed')!.detail ?? '', /failed; the original root volume is still attached/);
    assert.deepEqual(await tasksByInstance(), { [fleet[0]!]: 1, [fleet[1]!]: 1 });
    const after = await rootVolumes(fleet);
    assert.notEqual(after[fleet[0]!], before[fleet[0]!]);
    for (const id of fleet.slice(1)) assert.equal(after[id], before[id], `${id} keeps its root volume`);
    assert.equal((await imagesOfPipeline(stack, 'web-golden')).length, 1, 'an image already on the fleet is kept');
  });

  test('failed-detached is surfaced as an incident that needs a person', async () => {
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[0]!, state: 'failed-detached' });
    const handle = await start({ rollout: { instanceIds: fleet, concurrency: 2, failureBudget: 1 } });
    const result = (await handle.result()) as AmiPipelineResult;
    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: fleet.length - 1, 'failed-detached': 1 });
    assert.equal(result.rollout?.failed[0]?.instanceId, fleet[0]);
    assert.match(
      result.rollout?.failed[0]?.detail ?? '',
      /INCIDENT: task replacevol-[0-9a-f]+ failed-detached: instance i-[0-9a-f]+ has no root volume/,
    );
    const progress = await handle.query<{ stages: { stage: string; detail?: string }[] }>('progress');
    assert.match(
      progress.stages.find((s) => s.stage === 'rollout')?.detail ?? '',
      new RegExp(`INCIDENT: ${fleet[0]} left without a root volume; needs a person`),
    );
  });

  test('approval: an early answer is refused, a rejection stops the run, and silence times out', async () => {
    const approved = await start({ approval: { timeout: '5m' } });
    const early = await approveRun(stack.env.client, approved.workflowId).catch((e: unknown) => e);
    assert.ok(early instanceof WorkflowUpdateFailedError);
    assert.match((early.cause as Error).message, /not waiting for approval/);
    await waitForProgress(approved, stageIs('approval', 'running'));
    await approveRun(stack.env.client, approved.workflowId, {});
    assert.equal(((await approved.result()) as AmiPipelineResult).approval?.approved, true);

    const rejected = await start({ name: 'rejected', approval: { timeout: '5m' } });
    await waitForProgress(rejected, stageIs('approval', 'running'));
    const noReason = await rejectRun(stack.env.client, rejected.workflowId, { reason: ' ' }).catch((e: unknown) => e);
    assert.match(((noReason as Error).cause as Error).message, /a rejection needs a reason/);
    await rejectRun(stack.env.client, rejected.workflowId, { reason: 'CIS benchmark failed', by: 'bob' });
    const rejection = await failureOf(rejected);
    assert.equal(rejection.type, 'Rejected');
    assert.equal(rejection.message, 'approval: rejected by bob: CIS benchmark failed');
    assert.deepEqual(await imagesOfPipeline(stack, 'rejected'), [], 'a rejected image is removed');

    const silent = await start({ name: 'silent', approval: { timeout: '2s' } });
    const timeout = await failureOf(silent);
    assert.equal(timeout.type, 'ApprovalTimeout');
    assert.equal(timeout.message, 'approval: no approval within 2s');
  });

  test('cancel during the rollout: running replacements finish, nothing new starts', async () => {
    await stack.admin.configure({ durations: { replaceRootVolumePending: 1_500, replaceRootVolumeInProgress: 1_500 } });
    const handle = await start({ rollout: { instanceIds: fleet, concurrency: 2 } });
    const rollout = stack.env.client.workflow.getHandle(rolloutWorkflowId(handle.workflowId));
    await waitForProgress(rollout, (p) => p.rollout?.counts.running === 2);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected cancellation, got ${String(err)}`);
    assert.deepEqual(rolloutCounts((await rollout.query(progressQuery)).rollout), { succeeded: 2, cancelled: 2 });
    assert.deepEqual(await rollout.query(notStartedQuery, { offset: 0, limit: 10 }), {
      state: 'cancelled',
      instanceIds: fleet.slice(2),
      total: 2,
    });
    assert.deepEqual(await tasksByInstance(), { [fleet[0]!]: 1, [fleet[1]!]: 1 });
  });

  test('the worker killed hard during the rollout: a new worker resumes it with no duplicate tasks', async () => {
    await stack.admin.configure({ durations: { replaceRootVolumePending: 1_000, replaceRootVolumeInProgress: 2_000 } });
    const taskQueue = `${stack.taskQueue}-crash`;
    const options = { temporalAddress: stack.env.address, sandboxUrl: stack.sandboxUrl, taskQueue };
    const first = spawnWorker(options);
    const handle = await start({ rollout: { tags: { fleet: 'web' }, concurrency: 2 } }, taskQueue);
    const rollout = stack.env.client.workflow.getHandle(rolloutWorkflowId(handle.workflowId));
    await waitForProgress(rollout, (p) => (p.rollout?.counts.running ?? 0) > 0, 60_000);
    await first.kill();
    const second = spawnWorker(options);
    try {
      const result = (await handle.result()) as AmiPipelineResult;
      assert.deepEqual(rolloutCounts(result.rollout), { succeeded: fleet.length });
      assert.deepEqual(await tasksByInstance(), Object.fromEntries(fleet.map((id) => [id, 1])));
      assert.equal((await stack.admin.calls()).ec2['CreateImage']?.total, 1);
    } finally {
      await second.kill();
    }
  });

  test('retention keeps the newest N of this pipeline and retires exactly the older ones with their snapshots', async () => {
    const earlier: string[] = [];
    for (let i = 0; i < 3; i++) earlier.push(((await (await start({ name: 'ret' })).result()) as AmiPipelineResult).imageId);
    const other = ((await (await start({ name: 'other' })).result()) as AmiPipelineResult).imageId;
    // The oldest has fast launch on: retention must switch it off before deregistering.
    await stack.ec2.send(
      new EnableFastLaunchCommand({
        ImageId: earlier[0],
        LaunchTemplate: { LaunchTemplateName: FAST_LAUNCH_TEMPLATE_NAME, Version: '$Default' },
      }),
    );
    await stack.admin.advance();
    const before = await stack.admin.state();
    const snapshotsOf = (id: string) => before.images.find((i) => i.id === id)!.snapshotIds;

    const result = (await (await start({ name: 'ret', retention: { keep: 2 } })).result()) as AmiPipelineResult;
    assert.deepEqual(new Set(result.retired), new Set([earlier[0], earlier[1]]));
    const remaining = (await imagesOfPipeline(stack, 'ret')).map((i) => i.ImageId).sort();
    assert.deepEqual(remaining, [earlier[2], result.imageId].sort());
    assert.equal((await imagesOfPipeline(stack, 'other'))[0]?.ImageId, other, "another pipeline's image is untouched");
    const afterState = await stack.admin.state();
    for (const id of [earlier[0]!, earlier[1]!]) {
      for (const snapshot of snapshotsOf(id))
        assert.ok(!afterState.snapshots.some((s) => s.id === snapshot), `${snapshot} of ${id} is deleted`);
    }
    for (const snapshot of snapshotsOf(earlier[2]!)) assert.ok(afterState.snapshots.some((s) => s.id === snapshot));
    assert.equal(afterState.fastLaunch.find((f) => f.imageId === earlier[0])?.state ?? 'disabled', 'disabled');
    assert.equal((await stack.admin.calls()).ec2['DisableFastLaunch']?.total, 1);
  });

  test('bad input: a clear error before anything is created, and zero mutating calls', async () => {
    const linuxBuild = await stack.launchInstance('linux', { Name: 'linux-build' });
    const terminated = await stack.launchInstance('windows', { fleet: 'gone' });
    await stack.ec2.send(new TerminateInstancesCommand({ InstanceIds: [terminated] }));
    await stack.admin.resetCalls();
    const cases: [string, Partial<AmiPipelineConfig>, string, RegExp][] = [
      [
        'fast launch on a Linux AMI',
        { instanceTags: undefined, instanceId: linuxBuild, fastLaunch: {} },
        'InvalidInput',
        /fast launch needs a Windows AMI, but build instance i-[0-9a-f]+ runs linux/,
      ],
      [
        'MaxParallelLaunches below 6',
        { fastLaunch: { maxParallelLaunches: 5 } },
        'InvalidInput',
        /fastLaunch.maxParallelLaunches: must be at least 6/,
      ],
      [
        'VolumeInitializationRate above 300',
        { rollout: { tags: { fleet: 'web' }, volumeInitializationRate: 301 } },
        'InvalidInput',
        /rollout.volumeInitializationRate: must be between 100 and 300/,
      ],
      ['an empty fleet', { rollout: { tags: { fleet: 'nobody' } } }, 'EmptyFleet', /no running instance has the tags \{"fleet":"nobody"\}/],
      [
        'a launch template no running instance was launched from',
        { rollout: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME } } },
        'EmptyFleet',
        new RegExp(`no running instance was launched from launch template ${FAST_LAUNCH_TEMPLATE_NAME} \\(lt-[0-9a-f]+\\)`),
      ],
      [
        'an unknown rollout launch template',
        { rollout: { launchTemplate: { name: 'no-such-fleet' } } },
        'InvalidLaunchTemplateName.NotFoundException',
        /DescribeLaunchTemplates \(no-such-fleet\) failed: InvalidLaunchTemplateName.NotFoundException/,
      ],
      ['a concurrency of 0', { rollout: { tags: { fleet: 'web' }, concurrency: 0 } }, 'InvalidInput', /rollout.concurrency: must be >= 1/],
      ['a malformed ID', { rollout: { instanceIds: ['i-oops'] } }, 'InvalidInput', /rollout.instanceIds.0: must be an EC2 instance ID/],
      [
        'an unknown launch template',
        { fastLaunch: { launchTemplate: { name: 'no-such-template' } } },
        'InvalidLaunchTemplateName.NotFoundException',
        /DescribeLaunchTemplates \(no-such-template\) failed: InvalidLaunchTemplateName.NotFoundException/,
      ],
      [
        'a rollout target that is not running',
        { rollout: { instanceIds: [fleet[0]!, terminated] } },
        'InvalidRolloutTarget',
        new RegExp(`${terminated} is (terminated|shutting-down), not running`),
      ],
      [
        'a Linux target for a Windows image',
        { rollout: { instanceIds: [linuxBuild] } },
        'InvalidRolloutTarget',
        /runs linux, the image is windows/,
      ],
      [
        'both targets and tags',
        { rollout: { instanceIds: fleet, tags: { fleet: 'web' } } },
        'InvalidInput',
        /give exactly one of instanceIds, tags, launchTemplate or autoScalingGroups/,
      ],
      ['retention keep 0', { retention: { keep: 0 } }, 'InvalidInput', /retention.keep: must be >= 1/],
      [
        'a canary as large as the tagged fleet',
        { rollout: { tags: { fleet: 'web' }, canary: { instances: fleet.length } } },
        'InvalidInput',
        new RegExp(`rollout.canary.instances: ${fleet.length} is not fewer than the ${fleet.length} instances`),
      ],
    ];
    for (const [label, config, type, message] of cases) {
      const handle = await stack.env.client.workflow.start('amiPipeline', {
        args: [{ name: 'web-golden', instanceTags: { Name: 'win-build' }, waits: WAITS, ...config }],
        taskQueue: stack.taskQueue,
        workflowId: `bad-fleet-input-${label.replaceAll(' ', '-')}`,
      });
      const failure = await failureOf(handle);
      assert.equal(failure.type, type, label);
      assert.match(failure.message, message, label);
    }
    assert.deepEqual(await mutatingCalls(stack), {}, 'no mutating call was made');
  });
});
