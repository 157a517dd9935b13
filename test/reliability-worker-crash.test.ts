/**
 * Fault 1: the worker process killed with SIGKILL in every stage of amiPipeline and in
 * appStreamImageUpdate, then a new worker process. Every run completes, exactly once: one AMI, one
 * EnableFastLaunch, one root-volume task per instance, one CreateUpdatedImage. The production worker
 * (worker/main.ts) runs as a child process; sandbox durations hold each run in the stage under test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeFastLaunchImagesCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeFleetsCommand,
  DescribeImageBuildersCommand,
  DescribeImagesCommand as DescribeAppStreamImagesCommand,
} from '@aws-sdk/client-appstream';
import { createAwsClients } from '../activities/aws/clients';
import type { WorkflowHandle } from '@temporalio/client';
import { approveRun } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import {
  APPSTREAM_ALWAYS_ON_FLEET,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_ON_DEMAND_FLEET,
  FAST_LAUNCH_TEMPLATE_NAME,
  type CallCounts,
  type Durations,
  type FaultInput,
} from '@golden-image/aws-sandbox';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import type { AppStreamImageUpdateConfig, AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import type { PipelineProgress } from '../contracts/progress';
import { rolloutCounts, stageIs, waitForProgress } from './support/runs';
import { checkSandbox, type SandboxExpectation } from './support/sandbox-state';
import {
  appStreamCount,
  arrangeStage,
  ec2Count,
  FAST_WAIT,
  FAST_WAITS,
  setAppStreamUpdateAvailable,
  untilCalls,
  untilStage,
  type StageScenario,
} from './support/scenarios';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { demoGroupFleet } from '../dev/demo-resources';
import { REGION, TEST_CREDENTIALS } from './support/stack';
import { temporalForThisFile } from './support/temporal';
import { WorkerChain } from './support/worker-chain';

const temporal = temporalForThisFile();

/**
 * Each scenario has its own sandbox and its own worker process on its own task queue, so the
 * scenarios run side by side (most of their time is the 30 s attempt timeout of a call lost with the
 * killed worker) and each keeps exact call counts.
 */
async function withScenario(
  name: string,
  body: (sandbox: OwnSandbox, workers: WorkerChain, buildInstance: string) => Promise<void>,
): Promise<void> {
  const sandbox = await startOwnSandbox();
  const workers = new WorkerChain({
    temporalAddress: temporal().address,
    sandboxUrl: sandbox.url,
    // The whole name: two scenarios of one stage (both rollouts) on one queue would run each other's activities against the wrong sandbox.
    taskQueue: `crash-${name.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}`,
  });
  try {
    const [buildInstance] = await sandbox.launchInstances('windows', 1, { Name: 'win-build' });
    await workers.start();
    await body(sandbox, workers, buildInstance!);
  } finally {
    await workers.stop();
    await sandbox.close();
  }
}

/** The images of the `crash` pipeline in another Region of the sandbox's default account. */
async function copiesIn(sandbox: OwnSandbox, region: string): Promise<string[]> {
  const clients = createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS });
  const out = await clients
    .at({ region })
    .ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:golden-image:pipeline', Values: ['crash'] }] }));
  return (out.Images ?? []).map((i) => i.ImageId!);
}

interface Scenario extends StageScenario {
  /** What the run needs after the new worker is up (an answer at the approval gate, say). */
  then?: (handle: WorkflowHandle) => Promise<void>;
  /** Exact call counts at the end: each mutating call made once. */
  calls: Record<string, number>;
  /** The same for SSM and Auto Scaling. */
  ssmCalls?: Record<string, number>;
  autoScalingCalls?: Record<string, number>;
  /** What the scenario needs in its sandbox beyond the build instance (a group, say). */
  arrange?: (sandbox: OwnSandbox) => Promise<void>;
}

/** The answer at the approval gate, once the new worker has the run waiting there again. */
async function approveOnceWaiting(handle: WorkflowHandle): Promise<void> {
  await waitForProgress(handle, stageIs('approval', 'running'), 60_000);
  await approveRun(temporal().client, handle.workflowId, { by: 'crash-test' });
}

const instancesRunning = (n: number) => (p: PipelineProgress) => p.rollout?.counts.running === n;

const SCENARIOS: Scenario[] = [
  {
    stage: 'create (mid-call: the build-image look-up never answers)',
    config: {},
    fault: { service: 'ec2', action: 'DescribeImages', count: 1, hang: true },
    at: { progress: stageIs('create', 'running'), calls: (c) => ec2Count(c, 'DescribeImages', 'faulted') === 1 },
    calls: { CreateImage: 1 },
  },
  {
    stage: 'wait-available',
    config: {},
    durations: { image: 6_000 },
    at: { progress: stageIs('wait-available', 'running') },
    calls: { CreateImage: 1 },
  },
  {
    stage: 'distribute (two copies under way)',
    config: { distribution: { regions: [{ region: 'us-west-2' }, { region: 'eu-west-1' }] } },
    durations: { copyImage: 6_000 },
    at: { progress: stageIs('distribute', 'running'), calls: (c) => ec2Count(c, 'CopyImage') === 2 },
    calls: { CreateImage: 1, CopyImage: 2 },
  },
  {
    stage: 'provision (a bake: its second step under way)',
    config: {
      instanceTags: undefined,
      source: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' },
      build: {
        instanceType: 'm6i.large',
        steps: [
          { document: 'AWS-RunPowerShellScript', parameters: { commands: ['echo one'] } },
          { document: 'AWS-RunPowerShellScript', parameters: { commands: ['echo two'] } },
          { document: 'AWS-RunPowerShellScript', parameters: { commands: ['echo three'] } },
        ],
      },
      waits: { ...FAST_WAITS, bake: { interval: '100ms' } },
    },
    durations: { command: 4_000 },
    at: { progress: stageIs('provision', 'running'), calls: (c) => (c.ssm['SendCommand']?.total ?? 0) === 2 },
    calls: { RunInstances: 1, StopInstances: 1, CreateImage: 1 },
    ssmCalls: { SendCommand: 3 },
  },
  {
    stage: 'fast-launch (enabling)',
    config: { fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME } } },
    durations: { fastLaunch: 6_000 },
    at: { progress: stageIs('fast-launch', 'running'), calls: (c) => ec2Count(c, 'EnableFastLaunch') === 1 },
    calls: { CreateImage: 1, EnableFastLaunch: 1 },
  },
  {
    stage: 'approval',
    config: { approval: { timeout: '5m' } },
    at: { progress: stageIs('approval', 'running') },
    then: approveOnceWaiting,
    calls: { CreateImage: 1 },
  },
  {
    stage: 'rollout (two replacements under way)',
    config: { rollout: { tags: { fleet: 'web' }, concurrency: 2 } },
    // Long enough that the kill lands while both tasks are with EC2, before a third is asked for.
    durations: { replaceRootVolumePending: 3_000, replaceRootVolumeInProgress: 5_000 },
    at: { progress: instancesRunning(2), calls: (c) => ec2Count(c, 'CreateReplaceRootVolumeTask') === 2 },
    calls: { CreateImage: 1, CreateReplaceRootVolumeTask: 4 },
  },
  {
    stage: 'rollout onto an Auto Scaling group (its refresh under way)',
    arrange: (sandbox) =>
      demoGroupFleet(createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS }).at(), REGION),
    config: {
      publish: { launchTemplates: [{ name: 'web', setDefault: true }] },
      rollout: {
        autoScalingGroups: [{ name: 'web-asg' }],
        instanceWarmup: '0s',
        minHealthyPercentage: 50,
        checkpoints: [50, 100],
        checkpointDelay: '2s',
      },
      waits: { ...FAST_WAITS, refresh: FAST_WAIT },
    },
    at: { progress: (p) => p.groups?.[0]?.status === 'InProgress' },
    calls: { CreateImage: 1, CreateLaunchTemplateVersion: 1 },
    autoScalingCalls: { StartInstanceRefresh: 1 },
  },
  {
    stage: 'retention (fast launch of the first old image disabling)',
    config: { retention: { keep: 1 } },
    earlierImages: 2,
    durations: { fastLaunchDisable: 4_000 },
    at: { progress: stageIs('retention', 'running'), calls: (c) => ec2Count(c, 'DisableFastLaunch') === 1 },
    calls: { CreateImage: 1, DisableFastLaunch: 2, DeregisterImage: 2 },
  },
];

/** appStreamImageUpdate killed in each stage after tag; the config carries what the stage needs. */
interface AppStreamScenario {
  stage: string;
  config: Partial<AppStreamImageUpdateConfig>;
  durations?: Partial<Durations>;
  fault?: FaultInput;
  at: { progress: (p: PipelineProgress) => boolean; calls?: (c: CallCounts) => boolean };
  then?: (handle: WorkflowHandle) => Promise<void>;
  /** Exact AppStream call counts at the end, in every Region. */
  calls: Record<string, number>;
}

const APPSTREAM_SCENARIOS: AppStreamScenario[] = [
  {
    stage: 'test (the builder starting)',
    config: { test: { imageBuilder: { instanceType: 'stream.standard.medium' } } },
    durations: { builderTransition: 6_000 },
    at: { progress: stageIs('test', 'running'), calls: (c) => appStreamCount(c, 'CreateImageBuilder') === 1 },
    calls: { CreateUpdatedImage: 2, CreateImageBuilder: 1, StopImageBuilder: 1, DeleteImageBuilder: 1 },
  },
  {
    stage: 'approval',
    config: { approval: { timeout: '5m' } },
    at: { progress: stageIs('approval', 'running') },
    then: approveOnceWaiting,
    calls: { CreateUpdatedImage: 2 },
  },
  {
    stage: 'copy (the copy under way)',
    config: { copyTo: [{ region: 'us-west-2' }] },
    durations: { appStreamCopy: 6_000 },
    at: { progress: stageIs('copy', 'running'), calls: (c) => appStreamCount(c, 'CopyImage') === 1 },
    calls: { CreateUpdatedImage: 2, CopyImage: 1 },
  },
  {
    stage: 'share (the share never answering)',
    config: { copyTo: [{ region: 'us-west-2' }], shareWith: [{ account: '444455556666' }] },
    fault: { service: 'appstream', action: 'UpdateImagePermissions', count: 1, hang: true },
    at: { progress: stageIs('share', 'running'), calls: (c) => appStreamCount(c, 'UpdateImagePermissions', 'faulted') === 1 },
    // The lost call, then one for each of the two images (the copy's in its own Region).
    calls: { CreateUpdatedImage: 2, CopyImage: 1, UpdateImagePermissions: 3 },
  },
  {
    stage: 'fleets (restarting the first of two)',
    config: { fleets: [{ name: APPSTREAM_ALWAYS_ON_FLEET }, { name: APPSTREAM_ON_DEMAND_FLEET }], fleetUpdate: { restart: true } },
    durations: { fleetStart: 6_000 },
    at: { progress: stageIs('fleets', 'running'), calls: (c) => appStreamCount(c, 'StartFleet') === 1 },
    calls: { CreateUpdatedImage: 2, StopFleet: 2, UpdateFleet: 2, StartFleet: 2 },
  },
];

describe(
  'worker killed with SIGKILL in every stage of amiPipeline and in appStreamImageUpdate; a new worker process finishes each run exactly once',
  // Each scenario runs a worker process and a sandbox of its own: three at a time keep the 2-core machine's load
  // (beside the other test files) well below what would slow a worker past its attempt timeouts.
  { concurrency: 3 },
  () => {
    for (const scenario of SCENARIOS) {
      test(scenario.stage, (t) =>
        withScenario(scenario.stage, async (stack, workers, buildInstance) => {
          await scenario.arrange?.(stack);
          const { fleet, earlier } = await arrangeStage(stack, scenario, 'crash', buildInstance);
          const handle = await startPipeline(
            temporal().client,
            'ami',
            { name: 'crash', instanceTags: { Name: 'win-build' }, waits: FAST_WAITS, ...scenario.config },
            { taskQueue: workers.taskQueue },
          );
          const at = await untilStage(handle, stack.admin, scenario.at);
          await workers.crash();
          await scenario.then?.(handle);
          const result = (await handle.result()) as AmiPipelineResult;
          const seconds = (Date.now() - at) / 1000;

          const calls = await stack.admin.calls();
          for (const [action, expected] of Object.entries(scenario.calls)) {
            const made = ec2Count(calls, action);
            // A replacement's create (or a copy) that the killed worker had sent is sent again when its attempt times
            // out; its ClientToken makes it take effect once, which tasksPerInstance (and one copy per Region) check below.
            if (action === 'CreateReplaceRootVolumeTask' || action === 'CopyImage') {
              assert.ok(made >= expected, `${action}: ${made} calls for ${expected} resources`);
            } else assert.equal(made, expected, `${action} made exactly once`);
          }
          for (const [action, expected] of Object.entries(scenario.ssmCalls ?? {})) {
            assert.equal(calls.ssm[action]?.total ?? 0, expected, `${action} made exactly once a step`);
          }
          for (const [action, expected] of Object.entries(scenario.autoScalingCalls ?? {})) {
            assert.equal(calls.autoscaling[action]?.total ?? 0, expected, `${action} made exactly once`);
          }
          if (scenario.config.rollout?.autoScalingGroups) assert.equal(result.groups?.[0]?.status, 'Successful');
          const expected: SandboxExpectation = { amis: [result.imageId] };
          if (scenario.config.rollout && !scenario.config.rollout.autoScalingGroups) {
            expected.tasksPerInstance = Object.fromEntries(fleet.map((id) => [id, 1]));
            assert.deepEqual(rolloutCounts(result.rollout), { succeeded: 4 });
          }
          if (scenario.config.fastLaunch) {
            const out = await stack.ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [result.imageId] }));
            assert.equal(out.FastLaunchImages?.[0]?.State, 'enabled');
          }
          if (scenario.config.approval) assert.equal(result.approval?.by, 'crash-test');
          for (const { region } of scenario.config.distribution?.regions ?? []) {
            const copies = await copiesIn(stack, region);
            assert.deepEqual(copies, [result.copies?.find((c) => c.place.region === region)?.imageId], `one copy in ${region}`);
          }
          if (earlier.length) assert.deepEqual(new Set(result.retired), new Set(earlier));
          await checkSandbox(stack.admin, expected);
          t.diagnostic(`killed in ${scenario.stage}; run completed ${seconds.toFixed(1)} s after the kill`);
        }),
      );
    }

    for (const scenario of APPSTREAM_SCENARIOS) {
      test(`appStreamImageUpdate: ${scenario.stage}`, (t) =>
        withScenario(`appstream ${scenario.stage}`, async (stack, workers) => {
          await setAppStreamUpdateAvailable(stack.url, APPSTREAM_GOLDEN_IMAGE_NAME);
          if (scenario.durations) await stack.admin.configure({ durations: scenario.durations });
          await stack.admin.resetCalls();
          if (scenario.fault) await stack.admin.fault(scenario.fault);
          const handle = await startPipeline(
            temporal().client,
            'appstream-update',
            {
              name: 'crash-appstream',
              existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
              newImageName: '{{pipeline}}-{{run}}',
              waits: { image: FAST_WAIT, copy: FAST_WAIT, builder: FAST_WAIT, fleet: FAST_WAIT },
              ...scenario.config,
            },
            { taskQueue: workers.taskQueue },
          );
          const at = await untilStage(handle, stack.admin, scenario.at);
          await workers.crash();
          await scenario.then?.(handle);
          const result = (await handle.result()) as AppStreamImageUpdateResult & { updated: true };
          const seconds = (Date.now() - at) / 1000;

          const calls = await stack.admin.calls();
          for (const [action, expected] of Object.entries(scenario.calls)) {
            assert.equal(appStreamCount(calls, action), expected, `${action} made ${expected} times`);
          }
          const appstreamIn = (region?: string) =>
            createAwsClients({ endpoint: stack.url, region: REGION, credentials: TEST_CREDENTIALS }).at(region ? { region } : {}).appstream;
          for (const copy of result.copies ?? []) {
            const copies = (await appstreamIn(copy.region).send(new DescribeAppStreamImagesCommand({ Type: 'PRIVATE' }))).Images ?? [];
            assert.deepEqual(
              copies.filter((i) => i.Name?.startsWith('crash-appstream')).map((i) => [i.Name, i.State]),
              [[copy.name, 'AVAILABLE']],
              `one copy in ${copy.region}`,
            );
          }
          for (const fleet of result.fleets ?? []) {
            const [found] = (await appstreamIn().send(new DescribeFleetsCommand({ Names: [fleet.name] }))).Fleets ?? [];
            assert.deepEqual([found?.ImageArn, found?.State], [result.arn, 'RUNNING'], `${fleet.name} runs the new image`);
          }
          if (scenario.config.test) {
            const builders = (await appstreamIn().send(new DescribeImageBuildersCommand({}))).ImageBuilders ?? [];
            assert.deepEqual(
              builders.filter((b) => b.Name === result.testedWith),
              [],
              'the test builder is gone',
            );
          }
          for (const { account } of scenario.config.shareWith ?? []) {
            for (const { name, region } of [{ name: result.imageName, region: REGION }, ...(result.copies ?? [])]) {
              const other = createAwsClients({ endpoint: stack.url, region: REGION, credentials: TEST_CREDENTIALS }).at({
                region,
                roleArn: `arn:aws:iam::${account}:role/golden-image-distribution`,
              }).appstream;
              const shared = (await other.send(new DescribeAppStreamImagesCommand({ Type: 'SHARED' }))).Images ?? [];
              assert.ok(
                shared.some((i) => i.Name === name),
                `${account} sees ${name} in ${region}`,
              );
            }
          }
          if (scenario.config.approval) assert.equal(result.approval?.by, 'crash-test');
          t.diagnostic(`killed in ${scenario.stage}; run completed ${seconds.toFixed(1)} s after the kill`);
        }));
    }

    test('appStreamImageUpdate: create (mid-call: the look-up of the new name never answers)', (t) =>
      withScenario('appstream', async (stack, workers) => {
        await setAppStreamUpdateAvailable(stack.url, APPSTREAM_GOLDEN_IMAGE_NAME);
        await stack.admin.resetCalls();
        await stack.admin.fault({ service: 'appstream', action: 'DescribeImages', count: 1, hang: true });
        const handle = await startPipeline(
          temporal().client,
          'appstream-update',
          {
            name: 'crash-appstream',
            existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
            newImageName: '{{pipeline}}-{{run}}',
            waits: { image: FAST_WAIT },
          },
          { taskQueue: workers.taskQueue },
        );
        await waitForProgress(handle, stageIs('create', 'running'), 60_000);
        const { at } = await untilCalls(stack.admin, (c) => appStreamCount(c, 'DescribeImages', 'faulted') === 1);
        await workers.crash();
        const retried = await untilCalls(stack.admin, (c) => appStreamCount(c, 'DescribeImages') >= 2, 90_000);
        const result = (await handle.result()) as AppStreamImageUpdateResult & { updated: true };

        const calls = await stack.admin.calls();
        assert.equal(appStreamCount(calls, 'CreateUpdatedImage'), 2, 'one dry run and one CreateUpdatedImage');
        assert.equal(appStreamCount(calls, 'TagResource'), 2, 'its tags, then released');
        await checkSandbox(stack.admin, { appStreamImages: [result.imageName], amis: [] });
        t.diagnostic(
          `the call lost with the killed worker was retried ${((retried.at - at) / 1000).toFixed(1)} s after it was sent (attempt timeout 30 s)`,
        );
      }));
  },
);
