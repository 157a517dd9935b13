/**
 * Fault 6: cancellation at every stage of amiPipeline and of appStreamImageUpdate. The run ends
 * CANCELLED and leaves nothing half-made: before the rollout the image it created is
 * deregistered with its snapshots (or deleted, on AppStream); from the rollout on the image is kept,
 * replacements already under way finish, and no new one starts. Each scenario has its own sandbox and
 * worker, so they run side by side.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { startPipeline } from '../client/start-pipeline';
import { APPSTREAM_GOLDEN_IMAGE_NAME, FAST_LAUNCH_TEMPLATE_NAME, type FaultInput } from '@golden-image/aws-sandbox';
import type { PipelineProgress } from '../contracts/progress';
import { rolloutCounts, stageIs, waitForProgress } from './support/runs';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { checkSandbox } from './support/sandbox-state';
import { startScenarioWorker } from './support/scenario-worker';
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
import { temporalForThisFile } from './support/temporal';

const temporal = temporalForThisFile();
const resets = (service: 'ec2' | 'appstream', action: string): FaultInput => ({ service, action, count: 4, reset: true });

interface Scenario extends StageScenario {
  /** Before the rollout the new image goes; from the rollout on it stays. */
  keepsImage: boolean;
}

const running = (p: PipelineProgress) => p.rollout?.counts.running ?? 0;

const SCENARIOS: Scenario[] = [
  {
    stage: 'create (CreateImage failing with connection resets, then going through)',
    config: {},
    fault: resets('ec2', 'CreateImage'),
    at: { progress: stageIs('create', 'running'), calls: (c) => ec2Count(c, 'CreateImage', 'faulted') >= 1 },
    keepsImage: false,
  },
  {
    stage: 'wait-available',
    config: {},
    durations: { image: 60_000 },
    at: { progress: stageIs('wait-available', 'running') },
    keepsImage: false,
  },
  {
    stage: 'fast-launch (enabling)',
    config: { fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME } } },
    durations: { fastLaunch: 60_000 },
    at: { progress: stageIs('fast-launch', 'running'), calls: (c) => ec2Count(c, 'EnableFastLaunch') === 1 },
    keepsImage: false,
  },
  { stage: 'approval', config: { approval: { timeout: '1h' } }, at: { progress: stageIs('approval', 'running') }, keepsImage: false },
  {
    stage: 'rollout (two of four replacements under way)',
    config: { rollout: { tags: { fleet: 'web' }, concurrency: 2 } },
    durations: { replaceRootVolumePending: 1_500, replaceRootVolumeInProgress: 2_500 },
    at: { progress: (p) => running(p) === 2, calls: (c) => ec2Count(c, 'CreateReplaceRootVolumeTask') === 2 },
    keepsImage: true,
  },
  {
    stage: 'retention (fast launch of an old image disabling)',
    config: { retention: { keep: 1 } },
    earlierImages: 2,
    durations: { fastLaunchDisable: 60_000 },
    at: { progress: stageIs('retention', 'running'), calls: (c) => ec2Count(c, 'DisableFastLaunch') === 1 },
    keepsImage: true,
  },
];

async function cancelAndConfirm(handle: Awaited<ReturnType<typeof startPipeline>>): Promise<void> {
  await handle.cancel();
  const err = await handle.result().catch((e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected cancellation, got ${String(err)}`);
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
}

async function withScenario(name: string, body: (sandbox: OwnSandbox, taskQueue: string) => Promise<void>): Promise<void> {
  const sandbox = await startOwnSandbox();
  const worker = await startScenarioWorker(temporal(), sandbox.url, `cancel-${name}-${process.pid}`);
  try {
    await body(sandbox, worker.taskQueue);
  } finally {
    await sandbox.close();
    await worker.stop();
  }
}

describe('cancellation at every stage: the run ends CANCELLED with nothing half-made', { concurrency: true }, () => {
  for (const scenario of SCENARIOS) {
    test(`amiPipeline: ${scenario.stage}`, () =>
      withScenario(scenario.stage.split(' ')[0]!, async (sandbox, taskQueue) => {
        const [build] = await sandbox.launchInstances('windows', 1);
        const { fleet, earlier } = await arrangeStage(sandbox, scenario, 'cancel', build!);
        const handle = await startPipeline(
          temporal().client,
          'ami',
          { name: 'cancel', instanceId: build, waits: FAST_WAITS, ...scenario.config },
          { taskQueue },
        );
        await untilStage(handle, sandbox.admin, scenario.at);
        await cancelAndConfirm(handle);

        const progress = await waitForProgress(handle, () => true);
        const calls = await sandbox.admin.calls();
        const made = progress.resources.filter((id) => id.startsWith('ami-'));
        if (scenario.stage.startsWith('create')) assert.equal(made.length, 1, 'CreateImage, once sent, finished');
        assert.equal(ec2Count(calls, 'CreateImage') - ec2Count(calls, 'CreateImage', 'faulted'), made.length);
        const state = await sandbox.admin.state();
        if (scenario.keepsImage) {
          const notRetired = earlier.filter((id) => !state.images.find((i) => i.id === id)?.deregistered);
          await checkSandbox(sandbox.admin, { amis: [...made, ...notRetired] });
        } else {
          assert.equal(ec2Count(calls, 'DeregisterImage'), made.length, 'the unfinished image was deregistered');
          await checkSandbox(sandbox.admin, { amis: earlier });
        }
        if (scenario.config.rollout) {
          // The two replacements already with EC2 finished; the other two never started.
          assert.deepEqual(rolloutCounts(progress.rollout), { succeeded: 2, cancelled: 2 });
          await checkSandbox(sandbox.admin, { tasksPerInstance: { [fleet[0]!]: 1, [fleet[1]!]: 1 } });
          assert.ok(state.replaceRootVolumeTasks.every((task) => task.state === 'succeeded'));
        }
      }));
  }

  test('amiPipeline: cancelled while EnableFastLaunch is in flight: the call ends, fast launch is disabled, then the image goes', () =>
    withScenario('fast-launch-in-flight', async (sandbox, taskQueue) => {
      const [build] = await sandbox.launchInstances('windows', 1);
      await sandbox.admin.configure({ durations: { fastLaunch: 60_000 } });
      await sandbox.admin.resetCalls();
      // The first EnableFastLaunch never answers: the SDK gives up on it after its request timeout and sends it again.
      await sandbox.admin.fault({ service: 'ec2', action: 'EnableFastLaunch', count: 1, hang: true });
      const handle = await startPipeline(
        temporal().client,
        'ami',
        { name: 'cancel-fl', instanceId: build, waits: FAST_WAITS, fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME } } },
        { taskQueue },
      );
      await waitForProgress(handle, stageIs('fast-launch', 'running'), 60_000);
      await untilCalls(sandbox.admin, (c) => ec2Count(c, 'EnableFastLaunch', 'faulted') >= 1);
      await cancelAndConfirm(handle);

      const events = (await handle.fetchHistory()).events ?? [];
      const activities = events.flatMap((e) => {
        const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
        if (type) return [`scheduled ${type}`];
        if (e.activityTaskCompletedEventAttributes) return ['completed'];
        if (e.activityTaskCancelRequestedEventAttributes) return ['cancel requested'];
        return [];
      });
      const from = activities.indexOf('scheduled enableFastLaunch');
      assert.deepEqual(activities.slice(from), [
        'scheduled enableFastLaunch',
        'completed',
        'scheduled disableFastLaunch',
        'completed',
        'scheduled waitForFastLaunch',
        'completed',
        'scheduled deregisterImage',
        'completed',
      ]);
      const calls = await sandbox.admin.calls();
      assert.equal(ec2Count(calls, 'DisableFastLaunch'), 1);
      assert.equal(ec2Count(calls, 'DeregisterImage'), 1);
      await checkSandbox(sandbox.admin, { amis: [] });
    }));

  test('appStreamImageUpdate: create (the look-up of the new name failing with connection resets)', () =>
    withScenario('appstream', async (sandbox, taskQueue) => {
      await setAppStreamUpdateAvailable(sandbox.url, APPSTREAM_GOLDEN_IMAGE_NAME);
      await sandbox.admin.resetCalls();
      await sandbox.admin.fault(resets('appstream', 'DescribeImages'));
      const handle = await startPipeline(
        temporal().client,
        'appstream-update',
        {
          name: 'cancel-appstream',
          existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
          newImageName: '{{pipeline}}-{{run}}',
          waits: { image: FAST_WAIT },
        },
        { taskQueue },
      );
      await waitForProgress(handle, stageIs('create', 'running'), 60_000);
      await untilCalls(sandbox.admin, (c) => appStreamCount(c, 'DescribeImages', 'faulted') >= 1);
      await cancelAndConfirm(handle);
      const calls = await sandbox.admin.calls();
      assert.equal(appStreamCount(calls, 'CreateUpdatedImage'), 2, 'the dry run, and the CreateUpdatedImage that was already under way');
      assert.equal(
        appStreamCount(calls, 'DeleteImage') - appStreamCount(calls, 'DeleteImage', 'faulted') >= 1,
        true,
        'the unfinished image was deleted',
      );
      await checkSandbox(sandbox.admin, { appStreamImages: [] });
    }));
});
