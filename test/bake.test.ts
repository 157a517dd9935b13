/**
 * Baking from a base image end to end (issue 15): the build instance launched from the source,
 * provisioned with SSM Run Command, stopped and imaged; the image tested on an instance of its own;
 * every instance terminated whatever happens; and a scheduled refresh that skips when nothing changed.
 * A real Temporal dev server, the sandbox over HTTP (Run Command, public parameters), the real AWS SDK.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DescribeImagesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '@golden-image/aws-sandbox';
import { approveRun } from '../client/runs';
import { createSchedule, describeSchedule, triggerSchedule } from '../client/schedules';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { RECIPE_TAG, RUN_TAG, SOURCE_IMAGE_TAG } from '../contracts/tags';
import { mutatingCalls } from './support/aws-checks';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { ec2Count } from './support/scenarios';
import { stackForThisFile } from './support/stack';

const stack = stackForThisFile();
const FAST = { interval: '100ms', timeout: '2m' };

const WINDOWS_BAKE: Partial<AmiPipelineConfig> = {
  source: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' },
  build: {
    instanceType: 'm6i.large',
    instanceProfile: 'golden-image-build',
    steps: [
      { document: 'AWS-RunPatchBaseline', parameters: { Operation: ['Install'] } },
      { document: 'AWS-RunPowerShellScript', parameters: { commands: ['Install-WindowsFeature Web-Server'] } },
    ],
  },
  test: {
    steps: [
      { document: 'AWS-RunPowerShellScript', parameters: { commands: ["if ((Get-Service W3SVC).Status -ne 'Running') { exit 1 }"] } },
    ],
  },
  waits: { image: FAST, copy: FAST, bake: { interval: '100ms' } },
};

beforeEach(async () => {
  await stack.admin.reset({ profile: 'test' });
});

function start(config: Partial<AmiPipelineConfig>, workflowId?: string) {
  return startPipeline(stack.env.client, 'ami', { name: 'web-bake', ...config }, { taskQueue: stack.taskQueue, workflowId });
}

/** Every instance a run launched, with its state: none may be left but terminated. */
async function runInstances(runId: string): Promise<{ id: string; state: string; role: string }[]> {
  const out = await stack.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${RUN_TAG}`, Values: [runId] }] }));
  return (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? []).map((i) => ({
      id: i.InstanceId!,
      state: i.State?.Name ?? '',
      role: i.Tags?.find((t) => t.Key === 'golden-image:role')?.Value ?? '',
    })),
  );
}

async function assertAllTerminated(runId: string, roles: string[]): Promise<void> {
  const instances = await runInstances(runId);
  assert.deepEqual(instances.map((i) => i.role).sort(), [...roles].sort(), 'one instance per role');
  for (const instance of instances) {
    assert.ok(['shutting-down', 'terminated'].includes(instance.state), `${instance.role} instance ${instance.id} is ${instance.state}`);
  }
}

const ssmCalls = async (action: string) => (await stack.admin.calls()).ssm[action]?.total ?? 0;

describe('bake from a base image', () => {
  test('Windows: patched, given IIS, stopped and imaged, tested, distributed and approved; every instance terminated', async () => {
    const handle = await start(
      { ...WINDOWS_BAKE, distribution: { regions: [{ region: 'us-west-2' }] }, approval: { timeout: '5m' } },
      'ami-pipeline-bake',
    );
    await waitForProgress(handle, stageIs('approval', 'running'), 120_000);
    await approveRun(stack.env.client, handle.workflowId, { by: 'bake-test' });
    const result = (await handle.result()) as AmiPipelineResult;

    assert.equal(result.sourceImageId, WINDOWS_BASE_AMI_ID);
    const [image] = (await stack.ec2.send(new DescribeImagesCommand({ ImageIds: [result.imageId] }))).Images ?? [];
    const tags = Object.fromEntries((image?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(tags[SOURCE_IMAGE_TAG], WINDOWS_BASE_AMI_ID);
    assert.match(tags[RECIPE_TAG] ?? '', /^[0-9a-f]{16}$/);
    assert.equal(image?.Platform, 'windows');
    assert.equal(result.copies?.length, 1);
    await assertAllTerminated(handle.firstExecutionRunId, ['build', 'test']);

    // Three steps, each sent once; the build instance stopped before CreateImage; IMDSv2 on every instance.
    assert.equal(await ssmCalls('SendCommand'), 3);
    const calls = await mutatingCalls(stack);
    assert.equal(calls['RunInstances'], 2);
    assert.equal(calls['StopInstances'], 1);
    assert.equal(calls['CreateImage'], 1);
    const launched = await stack.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: `tag:${RUN_TAG}`, Values: [handle.firstExecutionRunId] }] }),
    );
    for (const instance of launched.Reservations!.flatMap((r) => r.Instances ?? [])) {
      assert.equal(instance.MetadataOptions?.HttpTokens, 'required');
    }
    const progress = await waitForProgress(handle, () => true);
    const provision = progress.stages.find((s) => s.stage === 'provision')?.detail ?? '';
    assert.match(provision, /step 1 AWS-RunPatchBaseline: Success in [\d.]+s; step 2 AWS-RunPowerShellScript: Success/);
    await recordHistory(handle, 'ami-pipeline-bake');
  });

  test('a bake of four steps has the same history however many polls its steps take', async (t) => {
    const fourSteps: Partial<AmiPipelineConfig> = {
      ...WINDOWS_BAKE,
      test: undefined,
      build: {
        instanceType: 'm6i.large',
        steps: ['one', 'two', 'three', 'four'].map((n) => ({
          document: 'AWS-RunPowerShellScript',
          parameters: { commands: [`echo ${n}`] },
        })),
      },
    };
    const events: number[] = [];
    for (const command of [300, 3_000]) {
      await stack.admin.configure({ durations: { command } });
      const handle = await start(fourSteps);
      await handle.result();
      // Workflow tasks aside: how many there are depends on which parallel activities (the clean-up's) finish together.
      const history = (await handle.fetchHistory()).events ?? [];
      events.push(
        history.filter(
          (e) =>
            !e.workflowTaskScheduledEventAttributes && !e.workflowTaskStartedEventAttributes && !e.workflowTaskCompletedEventAttributes,
        ).length,
      );
      t.diagnostic(`command ${command} ms: ${history.length} events, ${events.at(-1)} of them not workflow tasks`);
      await stack.admin.reset({ profile: 'test' });
    }
    // Ten times the polls for the slow steps, and not one event more.
    assert.equal(events[0], events[1], `history events (workflow tasks aside) with short and long steps: ${events.join(' and ')}`);
  });

  test('an image from a prepared build instance, tested on an instance of its own, which is terminated', async () => {
    const buildInstance = await stack.launchInstance('windows', { Name: 'win-build' });
    const handle = await start({
      instanceId: buildInstance,
      test: { instanceType: 'm6i.large', steps: WINDOWS_BAKE.test!.steps },
      waits: { image: FAST, bake: { interval: '100ms' } },
    });
    const result = (await handle.result()) as AmiPipelineResult;
    assert.match(result.imageId, /^ami-/);
    await assertAllTerminated(handle.firstExecutionRunId, ['test']);
    assert.equal(await ssmCalls('SendCommand'), 1);
  });

  test('Linux, from the newest image matching a name', async () => {
    const handle = await start({
      source: { image: { owners: ['amazon'], name: 'al2023-ami-2023.*-x86_64' } },
      build: { instanceType: 't3.small', steps: [{ document: 'AWS-RunShellScript', parameters: { commands: ['dnf -y update'] } }] },
      waits: { image: FAST, bake: { interval: '100ms' } },
    });
    const result = (await handle.result()) as AmiPipelineResult;
    assert.equal(result.sourceImageId, LINUX_BASE_AMI_ID);
    await assertAllTerminated(handle.firstExecutionRunId, ['build']);
  });

  test('a failing build step fails the run with its document, exit code and output; nothing is created, the instance is terminated', async () => {
    await stack.admin.planCommandOutcome({
      documentName: 'AWS-RunPowerShellScript',
      parametersContain: 'Web-Server',
      status: 'Failed',
      exitCode: 3,
      stdout: 'Installing Web-Server\nInstall-WindowsFeature : The request to add or remove features failed.',
    });
    const handle = await start(WINDOWS_BAKE);
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'StepFailed');
    assert.match(
      failure.message,
      /^provision: provision step 2\/2 \(AWS-RunPowerShellScript\) ended Failed with exit code 3: .*features failed\./s,
    );
    assert.equal(ec2Count(await stack.admin.calls(), 'CreateImage'), 0);
    await assertAllTerminated(handle.firstExecutionRunId, ['build']);
  });

  test('a failing test step fails the run before anything is distributed; the image is removed and both instances terminated', async () => {
    await stack.admin.planCommandOutcome({
      documentName: 'AWS-RunPowerShellScript',
      parametersContain: 'W3SVC',
      status: 'Failed',
      exitCode: 1,
    });
    const handle = await start({ ...WINDOWS_BAKE, distribution: { regions: [{ region: 'us-west-2' }] } });
    const failure = await failureOf(handle);
    assert.match(failure.message, /^test: test step 1\/1 \(AWS-RunPowerShellScript\) ended Failed with exit code 1/);
    assert.equal(ec2Count(await stack.admin.calls(), 'CopyImage'), 0);
    const [image] =
      (
        await stack.ec2.send(
          new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: `tag:${RUN_TAG}`, Values: [handle.firstExecutionRunId] }] }),
        )
      ).Images ?? [];
    assert.ok(!image || image.State === 'deregistered', 'the untested image is gone');
    await assertAllTerminated(handle.firstExecutionRunId, ['build', 'test']);
  });

  test('a lost SendCommand answer: the step runs once', async () => {
    await stack.admin.fault({ service: 'ssm', action: 'SendCommand', count: 1, loseAnswer: true });
    const handle = await start(WINDOWS_BAKE);
    await handle.result();
    // Three steps: the lost one was sent once and found again by its comment, never sent twice.
    assert.equal(await ssmCalls('SendCommand'), 3);
    const commands = (await stack.admin.state()).ssm?.commands ?? [];
    assert.equal(commands.length, 3);
  });

  for (const stage of ['launch-build', 'provision', 'test'] as const) {
    test(`cancelled in ${stage}: no instance is left running`, async () => {
      // Slow steps and instances hold the run in the stage long enough to cancel it there.
      await stack.admin.configure({ durations: { instance: stage === 'launch-build' ? 5_000 : 300, command: 5_000 } });
      const handle = await start(WINDOWS_BAKE);
      await waitForProgress(handle, stageIs(stage, 'running'), 60_000);
      await handle.cancel();
      await assert.rejects(handle.result());
      const instances = await runInstances(handle.firstExecutionRunId);
      assert.ok(instances.length >= 1);
      for (const instance of instances)
        assert.ok(['shutting-down', 'terminated'].includes(instance.state), `${instance.id} is ${instance.state}`);
    });
  }

  test('bad input fails before anything is created: a parameter that does not exist, or holds no image', async () => {
    for (const [ssmParameter, message] of [
      ['/aws/service/ami-windows-latest/No_Such_Image', /does not exist/],
      ['/golden/not-an-image', /not an AMI ID/],
    ] as const) {
      if (ssmParameter === '/golden/not-an-image') {
        const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
        await stack.clients.at().ssm.send(new PutParameterCommand({ Name: ssmParameter, Value: 'hello', Type: 'String' }));
      }
      await stack.admin.resetCalls();
      const failure = await failureOf(await start({ ...WINDOWS_BAKE, source: { ssmParameter } }));
      assert.equal(failure.type, 'InvalidInput');
      assert.match(failure.message, message);
      assert.deepEqual(await mutatingCalls(stack), {});
    }
  });

  test('steps whose SSM documents cannot run them fail before anything is launched, every problem named', async () => {
    const failure = await failureOf(
      await start({
        ...WINDOWS_BAKE,
        build: {
          ...WINDOWS_BAKE.build!,
          steps: [
            { document: 'AWS-RunPatchBaseline', parameters: { Operation: ['Install'] } },
            { document: 'AWS-RunPowershell', parameters: { commands: ['Install-WindowsFeature Web-Server'] } },
            { document: 'AWS-RunShellScript', parameters: { commands: ['systemctl start nginx'] } },
          ],
        },
        test: { steps: [{ document: 'AWS-RunPatchBaseline', parameters: { Operaton: ['Scan'] } }] },
      }),
    );
    assert.equal(failure.type, 'InvalidInput');
    for (const problem of [
      /build\.steps\[1\]\.document: AWS-RunPowershell does not exist in this Region/,
      /build\.steps\[2\]\.document: AWS-RunShellScript runs on Linux( and \w+)* only, but the source image is Windows/,
      /test\.steps\[0\]\.parameters\.Operaton: AWS-RunPatchBaseline has no parameter Operaton/,
      /test\.steps\[0\]\.parameters: AWS-RunPatchBaseline requires Operation/,
    ]) {
      assert.match(failure.message, problem);
    }
    assert.doesNotMatch(failure.message, /build\.steps\[0\]/);
    // One question per document, however many steps name it; nothing launched, no command sent.
    assert.equal(await ssmCalls('DescribeDocument'), 3);
    assert.equal(await ssmCalls('SendCommand'), 0);
    assert.deepEqual(await mutatingCalls(stack), {});
  });

  test('fast launch on a Linux source is refused before anything is launched', async () => {
    const failure = await failureOf(
      await start({
        source: { imageId: LINUX_BASE_AMI_ID },
        build: { instanceType: 't3.small', steps: [{ document: 'AWS-RunShellScript', parameters: { commands: ['true'] } }] },
        fastLaunch: {},
      }),
    );
    assert.match(failure.message, /fast launch needs a Windows AMI, but source image .* runs linux/);
    assert.deepEqual(await mutatingCalls(stack), {});
  });

  test('skip if unchanged, on a schedule: the second run finishes unchanged; a new base image makes the third build', async () => {
    const client = stack.env.client;
    const config = { name: 'web-bake', ...WINDOWS_BAKE, test: undefined, refresh: { skipIfUnchanged: true } };
    await createSchedule(client, 'bake-nightly', { kind: 'ami', config }, { cron: ['0 3 * * *'] }, { taskQueue: stack.taskQueue });
    const nthRun = async (n: number) => {
      await triggerSchedule(client, 'bake-nightly');
      const deadline = Date.now() + 60_000;
      for (;;) {
        const report = await describeSchedule(client, 'bake-nightly');
        const run = report.recentRuns[n - 1];
        if (run?.status === 'COMPLETED')
          return { run, result: (await client.workflow.getHandle(run.workflowId).result()) as AmiPipelineResult };
        assert.ok(Date.now() < deadline, `scheduled run ${n} did not complete: ${JSON.stringify(report.recentRuns)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    try {
      const first = await nthRun(1);
      assert.equal(first.result.unchanged, undefined);
      const second = await nthRun(2);
      assert.deepEqual([second.result.unchanged, second.result.imageId, second.run.unchanged], [true, first.result.imageId, true]);
      assert.equal(ec2Count(await stack.admin.calls(), 'CreateImage'), 1, 'the unchanged run created nothing');
      assert.equal(ec2Count(await stack.admin.calls(), 'RunInstances'), 1, 'nor launched anything');
      await recordHistory(client.workflow.getHandle(second.run.workflowId), 'ami-pipeline-bake-unchanged');

      const published = await stack.admin.publishBaseImage('windows');
      const third = await nthRun(3);
      assert.equal(third.result.unchanged, undefined);
      assert.equal(third.result.sourceImageId, published.imageId);
    } finally {
      await client.schedule.getHandle('bake-nightly').delete();
    }
  });
});
