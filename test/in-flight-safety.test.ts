/**
 * Nothing in flight is retired or made twice: retention counts only images whose run finished, a
 * retention that is cancelled never leaves an image it kept with fast launch off, a reset run makes no
 * second AMI or replace-root-volume task, and a tighter input schema never breaks the replay of a run
 * that started under the looser one. Real dev server, sandbox over HTTP, real SDK.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { EnableFastLaunchCommand } from '@aws-sdk/client-ec2';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { APPSTREAM_GOLDEN_IMAGE_NAME, FAST_LAUNCH_TEMPLATE_NAME } from '@golden-image/aws-sandbox';
import { startPipeline } from '../client/start-pipeline';
import { approveRun } from '../client/runs';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import type { AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import type { RootVolumeReplacementInput, RootVolumeReplacementResult } from '../contracts/root-volume-replacement';
import { imagesOfPipeline } from './support/aws-checks';
import { stageIs, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';
import { workflowBundle } from './support/temporal';

const stack = stackForThisFile();
beforeEach(() => freshSandbox(stack));

const FAST = { interval: '100ms', timeout: '2m' };
const WAITS = { image: FAST, fastLaunch: FAST, rootVolume: FAST };

function start(config: Partial<AmiPipelineConfig>) {
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'inflight', instanceTags: { Name: 'win-build' }, waits: WAITS, ...config },
    {
      taskQueue: stack.taskQueue,
    },
  );
}

const imageIdsOf = async (pipeline: string) => (await imagesOfPipeline(stack, pipeline)).map((image) => image.ImageId!).sort();

/** Resets a run to the end of its first workflow task, as an operator would; returns the new run's ID. */
async function resetToFirstWorkflowTask(handle: WorkflowHandle): Promise<string> {
  const { runId } = await handle.describe();
  const events = (await handle.fetchHistory()).events ?? [];
  const firstTask = events.find((e) => e.workflowTaskCompletedEventAttributes);
  const { runId: newRunId } = await stack.env.client.workflowService.resetWorkflowExecution({
    namespace: stack.env.client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId },
    reason: 'test: reset to the first workflow task',
    workflowTaskFinishEventId: firstTask!.eventId,
    requestId: randomUUID(),
  });
  return newRunId!;
}

describe('in-flight safety', () => {
  test('retention never retires the image of a run still awaiting approval; that run then completes', async () => {
    const waiting = await start({ approval: { timeout: '5m' }, retention: { keep: 1 } });
    await waitForProgress(waiting, stageIs('approval', 'running'));
    const [waitingImage] = await imageIdsOf('inflight');

    const second = (await (await start({ retention: { keep: 1 } })).result()) as AmiPipelineResult;
    assert.ok(!second.retired?.includes(waitingImage!), `the second run retired ${waitingImage}, whose run is still awaiting approval`);
    assert.ok((await imageIdsOf('inflight')).includes(waitingImage!), `${waitingImage} still exists`);

    await approveRun(stack.env.client, waiting.workflowId, { by: 'alice' });
    const first = (await waiting.result()) as AmiPipelineResult;
    assert.equal(first.imageId, waitingImage);
    assert.ok((await imageIdsOf('inflight')).includes(waitingImage!));
  });

  test('AppStream retention never deletes the image of a run still under way', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    const update = () =>
      startPipeline(
        stack.env.client,
        'appstream-update',
        {
          name: 'inflight',
          existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
          newImageName: '{{pipeline}}-{{date}}-{{run}}',
          waits: { image: FAST },
          retention: { keep: 1 },
        },
        { taskQueue: stack.taskQueue },
      );
    // The first run's image is AVAILABLE, but its run is held in its tag stage (one TagResource hangs until the SDK gives up).
    await stack.admin.fault({ service: 'appstream', action: 'TagResource', hang: true });
    const first = await update();
    const [firstImage] = (await waitForProgress(first, stageIs('tag', 'running'))).resources;

    const second = (await (await update()).result()) as AppStreamImageUpdateResult & { updated: true };
    assert.ok(second.updated);
    assert.ok(!second.retired?.includes(firstImage!), `the second run deleted ${firstImage}, whose run is still under way`);
    const firstResult = (await first.result()) as AppStreamImageUpdateResult & { updated: true };
    assert.equal(firstResult.imageName, firstImage);
  });

  test('a retention cancelled while fast launch is being disabled still retires that image: never left kept with fast launch off', async () => {
    const earlier = ((await (await start({})).result()) as AmiPipelineResult).imageId;
    await stack.ec2.send(
      new EnableFastLaunchCommand({
        ImageId: earlier,
        LaunchTemplate: { LaunchTemplateName: FAST_LAUNCH_TEMPLATE_NAME, Version: '$Default' },
      }),
    );
    await stack.admin.advance();
    await stack.admin.configure({ durations: { fastLaunchDisable: 3_000 } });

    const handle = await start({ retention: { keep: 1 } });
    await waitForProgress(handle, stageIs('retention', 'running'));
    for (let i = 0; i < 100 && !(await stack.admin.calls()).ec2['DisableFastLaunch']?.total; i++)
      await new Promise((r) => setTimeout(r, 50));
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected cancellation, got ${String(err)}`);

    const state = await stack.admin.state();
    const kept = state.images.find((i) => i.id === earlier && i.state !== 'deregistered');
    const fastLaunch = state.fastLaunch.find((f) => f.imageId === earlier)?.state;
    assert.ok(
      !kept || fastLaunch === 'enabled',
      `${earlier} was kept (${kept?.state}) with fast launch ${fastLaunch}: retention must finish retiring it or leave it as it was`,
    );
  });

  test('a run reset after CreateImage adopts its image: no second AMI, none orphaned', async () => {
    const handle = await start({ approval: { timeout: '5m' } });
    await waitForProgress(handle, stageIs('approval', 'running'));
    const [image] = await imageIdsOf('inflight');

    await resetToFirstWorkflowTask(handle);
    const current = stack.env.client.workflow.getHandle(handle.workflowId);
    await waitForProgress(current, stageIs('approval', 'running'));
    await approveRun(stack.env.client, handle.workflowId, {});
    const result = (await current.result()) as AmiPipelineResult;

    assert.equal(result.imageId, image, 'the reset run adopted the image its first run made');
    assert.deepEqual(await imageIdsOf('inflight'), [image]);
  });

  test('a replacement reset after CreateReplaceRootVolumeTask makes no second task', async () => {
    const imageId = ((await (await start({})).result()) as AmiPipelineResult).imageId;
    const instanceId = await stack.launchInstance('windows', { fleet: 'web' });
    await stack.admin.configure({ durations: { replaceRootVolumePending: 1_500, replaceRootVolumeInProgress: 1_500 } });
    const input: RootVolumeReplacementInput = { pipeline: 'inflight', instanceId, imageId, deleteReplacedRootVolume: true, wait: FAST };
    const handle = await stack.env.client.workflow.start('rootVolumeReplacement', {
      taskQueue: stack.taskQueue,
      workflowId: `reset-replacement-${randomUUID().slice(0, 8)}`,
      args: [input],
    });
    await waitForProgress(handle, stageIs('wait-task', 'running'));

    await resetToFirstWorkflowTask(handle);
    const result = (await stack.env.client.workflow.getHandle(handle.workflowId).result()) as RootVolumeReplacementResult;

    const tasks = (await stack.admin.state()).replaceRootVolumeTasks.filter((t) => t.instanceId === instanceId);
    assert.deepEqual(
      tasks.map((t) => t.id),
      [result.taskId],
      'one task for the instance, across the reset',
    );
  });

  test('a run whose input a tighter schema now rejects still replays without a nondeterminism error', async () => {
    const handle = await start({});
    await handle.result();
    const history = await handle.fetchHistory();
    // As if the run had started under an older, looser schema: its input carries a field today's strict one refuses.
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const input = defaultPayloadConverter.fromPayload<Record<string, unknown>>(started.input!.payloads![0]!);
    started.input!.payloads![0] = defaultPayloadConverter.toPayload({ ...input, retiredOption: true });
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
  });
});
