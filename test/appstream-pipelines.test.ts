/**
 * appStreamImageUpdate and appStreamImageBuilder end to end: a real Temporal dev server, the sandbox
 * over HTTP, the real AWS SDK.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateImageBuilderCommand,
  CreateUpdatedImageCommand,
  DescribeImageBuildersCommand,
  DescribeImagesCommand,
  ListTagsForResourceCommand,
  type AppStreamClient,
  type Image,
} from '@aws-sdk/client-appstream';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { startPipeline } from '../client/start-pipeline';
import { APPSTREAM_GOLDEN_IMAGE_NAME, APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME } from '@golden-image/aws-sandbox';
import type { AppStreamImageBuilderConfig, AppStreamImageBuilderResult } from '../contracts/appstream-image-builder';
import type { AppStreamImageUpdateConfig, AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import { PIPELINE, RESOURCES, STAGE } from '../contracts/search-attributes';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { startStack, type Stack } from './support/stack';
import { spawnWorker } from './support/worker-process';

let stack: Stack;
let appstream: AppStreamClient;

before(async () => {
  stack = await startStack();
  appstream = stack.clients.appstream;
});
after(async () => {
  await stack?.close();
});
beforeEach(async () => {
  await stack.admin.reset({ profile: 'test' });
});

const FAST_IMAGE = { image: { interval: '200ms', timeout: '2m' } };
const FAST_BUILDER = { builder: { interval: '200ms', timeout: '2m' } };
const PIPELINE_NAME = 'golden-appstream';

function startUpdate(config: Partial<AppStreamImageUpdateConfig>, taskQueue = stack.taskQueue, workflowId?: string) {
  return startPipeline(
    stack.env.client,
    'appstream-update',
    {
      name: PIPELINE_NAME,
      existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
      newImageName: '{{pipeline}}-{{date}}-{{run}}',
      waits: FAST_IMAGE,
      ...config,
    },
    { taskQueue, workflowId },
  );
}

async function runBuilder(action: AppStreamImageBuilderConfig['action'], config: Partial<AppStreamImageBuilderConfig> = {}) {
  return startPipeline(
    stack.env.client,
    'appstream-builder',
    { action, name: 'golden-builder', waits: FAST_BUILDER, ...config },
    { taskQueue: stack.taskQueue },
  );
}

async function privateImages(): Promise<Image[]> {
  return (await appstream.send(new DescribeImagesCommand({ Type: 'PRIVATE' }))).Images ?? [];
}

async function tagsOf(arn: string): Promise<Record<string, string>> {
  return (await appstream.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? {};
}

/** Names of the live (not DELETING) private images of a pipeline, newest first. */
async function imagesOfPipeline(pipeline: string): Promise<string[]> {
  const names: string[] = [];
  for (const image of (await privateImages()).reverse()) {
    if (image.State !== 'DELETING' && (await tagsOf(image.Arn!))['golden-image:pipeline'] === pipeline) names.push(image.Name!);
  }
  return names;
}

async function appStreamCalls(): Promise<Record<string, number>> {
  const calls = (await stack.admin.calls()).appstream;
  return Object.fromEntries(Object.entries(calls).map(([action, count]) => [action, count.total]));
}

async function builderState(name: string): Promise<string> {
  const out = await appstream.send(new DescribeImageBuildersCommand({ Names: [name] })).catch((err: Error) => {
    if (err.name === 'ResourceNotFoundException') return { ImageBuilders: [] };
    throw err;
  });
  return out.ImageBuilders?.[0]?.State ?? 'gone';
}

/** A builder made outside any run (as by another team), which a run must never stop or delete. */
async function createForeignBuilder(name: string): Promise<void> {
  await appstream.send(
    new CreateImageBuilderCommand({ Name: name, ImageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, InstanceType: 'stream.standard.small' }),
  );
}

describe('appStreamImageUpdate', () => {
  test('happy path: an update is available → a new AVAILABLE, tagged image, with the run observable in the UI', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await stack.admin.resetCalls();
    const handle = await startUpdate(
      { tags: { team: 'euc' }, newImageDescription: 'monthly updates' },
      stack.taskQueue,
      'appstream-image-update',
    );
    const result = (await handle.result()) as AppStreamImageUpdateResult;

    assert.ok(result.updated);
    assert.match(result.imageName, /^golden-appstream-\d{8}-\d{6}-[0-9a-f]{8}$/);
    assert.equal(result.arn, `arn:aws:appstream:us-east-1:111122223333:image/${result.imageName}`);
    assert.ok(result.timings['wait-available']! > 0);
    const [image] = (await appstream.send(new DescribeImagesCommand({ Names: [result.imageName] }))).Images ?? [];
    assert.equal(image?.State, 'AVAILABLE');
    assert.equal(image?.Description, 'monthly updates');
    const { 'golden-image:released': released, ...tags } = await tagsOf(result.arn);
    assert.deepEqual(tags, {
      team: 'euc',
      'golden-image:pipeline': PIPELINE_NAME,
      'golden-image:run-id': handle.firstExecutionRunId,
    });
    assert.match(released ?? '', /^\d{4}-\d\d-\d\dT/, 'the finished run marked its image released');
    const calls = await appStreamCalls();
    assert.equal(calls['CreateUpdatedImage'], 2, 'the dry run and the update');
    assert.equal(calls['TagResource'], 2, 'its tags, then released');
    assert.equal(calls['DeleteImage'], undefined);

    // What the Temporal UI shows: summary, search attributes, current details, activity summaries.
    const description = await handle.describe();
    assert.equal(
      await description.staticSummary(),
      `AppStream image update **${PIPELINE_NAME}**: \`${APPSTREAM_GOLDEN_IMAGE_NAME}\` → \`{{pipeline}}-{{date}}-{{run}}\``,
    );
    assert.equal(description.typedSearchAttributes.get(PIPELINE), PIPELINE_NAME);
    assert.equal(description.typedSearchAttributes.get(STAGE), 'tag');
    assert.deepEqual(description.typedSearchAttributes.get(RESOURCES), [result.imageName]);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    for (const row of ['check-update \\| ✔ succeeded', 'create \\| ✔ succeeded', 'wait-available \\| ✔ succeeded', 'tag \\| ✔ succeeded']) {
      assert.match(metadata.currentDetails ?? '', new RegExp(`\\| ${row} \\|`));
    }
    assert.match(metadata.currentDetails ?? '', /– test, approval, copy, share, fleets, retention: not configured/);
    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => defaultPayloadConverter.fromPayload<string>(e.userMetadata!.summary!));
    assert.deepEqual(summaries, [
      `CreateUpdatedImage dry run: is there an update for ${APPSTREAM_GOLDEN_IMAGE_NAME}?`,
      `CreateUpdatedImage ${result.imageName} from ${APPSTREAM_GOLDEN_IMAGE_NAME}`,
      `wait until ${result.imageName} is AVAILABLE`,
      `tag ${result.imageName}`,
      `mark ${result.imageName} released`,
      'notify completed',
    ]);
    await recordHistory(handle, 'appstream-image-update');
  });

  test('no update available: completes as "no update available" having changed nothing', async () => {
    await stack.admin.resetCalls();
    const handle = await startUpdate({ retention: { keep: 1 } });
    const result = (await handle.result()) as AppStreamImageUpdateResult;
    assert.deepEqual(
      { ...result, timings: undefined },
      {
        pipeline: PIPELINE_NAME,
        updated: false,
        message: 'no update available',
        existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        timings: undefined,
      },
    );
    // The dry run is the only CreateUpdatedImage; nothing was created, tagged or deleted.
    assert.deepEqual(await appStreamCalls(), { CreateUpdatedImage: 1 });
    assert.deepEqual(
      (await privateImages()).map((i) => i.Name),
      [APPSTREAM_GOLDEN_IMAGE_NAME],
    );
    const progress = await handle.query<{ stages: { stage: string; state: string }[] }>('progress');
    assert.deepEqual(
      progress.stages.map((s) => `${s.stage}:${s.state}`),
      [
        'check-update:succeeded',
        ...['create', 'wait-available', 'tag', 'test', 'approval', 'copy', 'share', 'fleets', 'retention'].map(
          (stage) => `${stage}:skipped`,
        ),
      ],
    );
  });

  test('an image that ends FAILED fails the run with its StateChangeReason and ImageErrors, and is deleted', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await stack.admin.fail({
      kind: 'appStreamImage',
      next: true,
      code: 'IMAGE_UPDATE_FAILURE',
      message: 'Windows Update failed with 0x80070643',
    });
    const handle = await startUpdate({});
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'AppStreamImageFailed');
    assert.equal(failure.nonRetryable, true);
    assert.match(
      failure.message,
      /^wait-available: image golden-appstream-\S+ is FAILED: IMAGE_UPDATE_FAILURE: Windows Update failed with 0x80070643; errors: INTERNAL_SERVICE_ERROR: Windows Update failed with 0x80070643$/,
    );
    assert.deepEqual(await imagesOfPipeline(PIPELINE_NAME), [], 'the failed image is deleted');
    assert.equal((await appStreamCalls())['DeleteImage'], 1);
  });

  test('the new name already taken by a foreign image: a clear error, and the foreign image is untouched', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await appstream.send(
      new CreateUpdatedImageCommand({
        existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        newImageName: 'golden-taken',
        newImageTags: { owner: 'someone-else' },
      }),
    );
    await stack.admin.advance();
    await stack.admin.resetCalls();
    const failure = await failureOf(await startUpdate({ newImageName: 'golden-taken' }));
    assert.equal(failure.type, 'ImageNameTaken');
    assert.equal(failure.nonRetryable, true);
    assert.equal(
      failure.message,
      'create: an image named golden-taken already exists and was not created by this run; choose another name',
    );
    const calls = await appStreamCalls();
    assert.equal(calls['CreateUpdatedImage'], 1, 'only the dry run');
    assert.equal(calls['DeleteImage'], undefined);
    const [image] = (await appstream.send(new DescribeImagesCommand({ Names: ['golden-taken'] }))).Images ?? [];
    assert.equal(image?.State, 'AVAILABLE');
    assert.deepEqual(await tagsOf(image!.Arn!), { owner: 'someone-else' });
  });

  test("retention deletes only this pipeline's older images", async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await appstream.send(new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'foreign-image' }));
    const other = (await (await startUpdate({ name: 'other-pipeline' })).result()) as AppStreamImageUpdateResult & { updated: true };
    const made: string[] = [];
    for (let run = 0; run < 3; run++) {
      const result = (await (await startUpdate({ retention: { keep: 2 } })).result()) as AppStreamImageUpdateResult & { updated: true };
      made.push(result.imageName);
      if (run === 2) assert.deepEqual(result.retired, [made[0]]);
      else assert.deepEqual(result.retired, []);
    }
    assert.deepEqual(await imagesOfPipeline(PIPELINE_NAME), [made[2], made[1]]);
    const survivors = (await privateImages()).filter((i) => i.State !== 'DELETING').map((i) => i.Name);
    for (const name of [APPSTREAM_GOLDEN_IMAGE_NAME, 'foreign-image', other.imageName])
      assert.ok(survivors.includes(name), `${name} survives`);
    assert.equal((await appStreamCalls())['DeleteImage'], 1);
  });

  test('a new image not visible yet (AppStream is eventually consistent): "not found" means "not yet" within the grace window', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await stack.admin.configure({ notFoundWindowMs: 2_000 });
    const handle = await startUpdate({});
    const result = await handle.result().catch((err: unknown) => assert.fail(String((err as Error).cause ?? err)));
    assert.ok((result as AppStreamImageUpdateResult).updated);
  });

  test('cancel mid-wait: the run is cancelled and its image is deleted once AppStream allows it', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await stack.admin.configure({ durations: { appStreamImage: 3_000 } });
    const handle = await startUpdate({});
    const progress = await waitForProgress(handle, stageIs('wait-available', 'running'));
    const [imageName] = progress.resources;
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected cancellation, got ${String(err)}`);
    const image = (await stack.admin.state()).appstream.images.find((i) => i.name === imageName);
    assert.ok(!image || image.state === 'DELETING' || image.state === 'DELETED', `image ${imageName} is ${image?.state}`);
  });

  test('bad input straight to the workflow: a clear non-retryable error and no AppStream call', async () => {
    await stack.admin.resetCalls();
    const cases: [string, Partial<AppStreamImageUpdateConfig>, RegExp][] = [
      ['bad new name', { newImageName: '-bad {{run}}' }, /newImageName: must be 1-101 letters/],
      ['keep 0', { retention: { keep: 0 } }, /retention.keep: must be >= 1/],
      ['reserved tag', { tags: { 'golden-image:run-id': 'x' } }, /reserved for the pipeline/],
    ];
    for (const [label, config, message] of cases) {
      const handle = await stack.env.client.workflow.start('appStreamImageUpdate', {
        args: [{ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'x-{{run}}', ...config }],
        taskQueue: stack.taskQueue,
        workflowId: `appstream-bad-input-${label.replaceAll(' ', '-')}`,
      });
      const failure = await failureOf(handle);
      assert.equal(failure.type, 'InvalidInput', label);
      assert.equal(failure.nonRetryable, true, label);
      assert.match(failure.message, message, label);
    }
    assert.deepEqual(await appStreamCalls(), {});
  });

  test('the worker killed hard mid-wait: a new worker finishes the run, with exactly one image', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await stack.admin.configure({ durations: { appStreamImage: 6_000 } });
    await stack.admin.resetCalls();
    const taskQueue = `${stack.taskQueue}-appstream-crash`;
    const workerOptions = { temporalAddress: stack.env.address, sandboxUrl: stack.sandboxUrl, taskQueue };
    const first = spawnWorker(workerOptions);
    const handle = await startUpdate({ waits: { image: { interval: '300ms', timeout: '2m' } } }, taskQueue);
    await waitForProgress(handle, stageIs('wait-available', 'running'), 60_000);
    await first.kill();
    const second = spawnWorker(workerOptions);
    try {
      const result = (await handle.result()) as AppStreamImageUpdateResult & { updated: true };
      assert.deepEqual(await imagesOfPipeline(PIPELINE_NAME), [result.imageName]);
      assert.equal((await appStreamCalls())['CreateUpdatedImage'], 2, 'one dry run, one update');
    } finally {
      await second.kill();
    }
  });
});

describe('appStreamImageBuilder', () => {
  test('the full cycle: create → stop → start → stop → delete, each run waiting for its state', async () => {
    const steps: [AppStreamImageBuilderConfig['action'], string, Partial<AppStreamImageBuilderConfig>][] = [
      [
        'create',
        'RUNNING',
        { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, instanceType: 'stream.standard.medium', tags: { team: 'euc' } },
      ],
      ['stop', 'STOPPED', {}],
      ['start', 'RUNNING', {}],
      ['stop', 'STOPPED', {}],
      ['delete', 'gone', {}],
    ];
    for (const [action, expected, config] of steps) {
      const handle = await runBuilder(action, config);
      assert.match(handle.workflowId, new RegExp(`^appstream-builder-golden-builder-${action}-[0-9a-f]{8}$`));
      const result = (await handle.result()) as AppStreamImageBuilderResult;
      assert.equal(result.action, action);
      assert.equal(await builderState('golden-builder'), expected, `after ${action}`);
      const progress = await handle.query<{ stages: { stage: string; state: string }[] }>('progress');
      assert.deepEqual(
        progress.stages.map((s) => s.state),
        ['succeeded', 'succeeded'],
        action,
      );
    }
    const calls = await appStreamCalls();
    for (const action of ['CreateImageBuilder', 'StartImageBuilder', 'DeleteImageBuilder']) assert.equal(calls[action], 1, action);
    assert.equal(calls['StopImageBuilder'], 2);
  });

  test('an illegal transition (delete a RUNNING builder): a clear non-retryable error', async () => {
    await (await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME })).result();
    await stack.admin.resetCalls();
    const failure = await failureOf(await runBuilder('delete'));
    assert.equal(failure.type, 'OperationNotPermittedException');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^delete: DeleteImageBuilder failed: OperationNotPermittedException: .*RUNNING/);
    assert.equal((await appStreamCalls())['DeleteImageBuilder'], 1, 'refused once, not retried');
    assert.equal(await builderState('golden-builder'), 'RUNNING');
  });

  test('stop a builder that is already STOPPED: nothing to do, and the run says so', async () => {
    await (await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME })).result();
    await (await runBuilder('stop')).result();
    await stack.admin.resetCalls();
    const handle = await runBuilder('stop');
    assert.equal(((await handle.result()) as AppStreamImageBuilderResult).state, 'STOPPED');
    assert.equal((await appStreamCalls())['StopImageBuilder'], undefined, 'no StopImageBuilder sent');
    const progress = await handle.query<{ stages: { stage: string; note?: string }[] }>('progress');
    assert.match(JSON.stringify(progress.stages[0]), /already STOPPED/);
  });

  test('a lost answer: AppStream made the change, refused the SDK\'s resend ("is STOPPING"), and the run still succeeds', async () => {
    await (await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME })).result();
    const steps: [AppStreamImageBuilderConfig['action'], string, string][] = [
      ['stop', 'StopImageBuilder', 'STOPPED'],
      ['start', 'StartImageBuilder', 'RUNNING'],
      ['stop', 'StopImageBuilder', 'STOPPED'],
      ['delete', 'DeleteImageBuilder', 'gone'],
    ];
    for (const [action, call, expected] of steps) {
      await stack.admin.resetCalls();
      await stack.admin.fault({ service: 'appstream', action: call, count: 1, loseAnswer: true });
      const handle = await runBuilder(action);
      const result = await handle.result().catch((err: unknown) => assert.fail(`${action}: ${String((err as Error).cause ?? err)}`));
      assert.equal((result as AppStreamImageBuilderResult).action, action);
      assert.equal(await builderState('golden-builder'), expected, `after ${action}`);
      const calls = (await stack.admin.calls()).appstream[call];
      assert.deepEqual([calls?.total, calls?.faulted], [2, 1], `${action}: the lost call and the SDK's resend, nothing more`);
    }
  });

  test('a cancelled create deletes the builder it made (stopping it first, since AppStream deletes only a STOPPED builder)', async () => {
    await stack.admin.configure({ durations: { builderTransition: 1_500 } });
    const handle = await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME });
    await waitForProgress(handle, stageIs('wait-running', 'running'));
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected cancellation, got ${String(err)}`);
    assert.ok(['DELETING', 'gone'].includes(await builderState('golden-builder')), 'no billed builder left behind');
    const calls = await appStreamCalls();
    assert.equal(calls['StopImageBuilder'], 1);
    assert.equal(calls['DeleteImageBuilder'], 1);
  });

  test('a cancelled create never touches a builder of that name that another run made', async () => {
    await createForeignBuilder('golden-builder');
    await stack.admin.fault({ service: 'appstream', action: 'DescribeImageBuilders', count: 50, reset: true });
    const handle = await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME });
    await waitForProgress(handle, stageIs('create', 'running'));
    await handle.cancel();
    await stack.admin.clearFaults();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, `expected the run to end, got ${String(err)}`);
    assert.ok(['PENDING', 'RUNNING'].includes(await builderState('golden-builder')), 'the foreign builder is untouched');
    const calls = await appStreamCalls();
    assert.equal(calls['StopImageBuilder'], undefined);
    assert.equal(calls['DeleteImageBuilder'], undefined);
  });

  test('the builder name already taken by a foreign builder: a clear error, and that builder is untouched', async () => {
    await createForeignBuilder('golden-builder');
    const failure = await failureOf(await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME }));
    assert.equal(failure.type, 'ImageBuilderNameTaken');
    assert.equal(
      failure.message,
      'create: an image builder named golden-builder already exists and was not created by this run; choose another name',
    );
    assert.equal((await appStreamCalls())['CreateImageBuilder'], 1, 'only the foreign one');
  });

  test('a builder that ends FAILED fails the run with its StateChangeReason', async () => {
    await stack.admin.fail({ kind: 'builder', next: true, code: 'IMAGE_UNAVAILABLE', message: 'base image unavailable' });
    const failure = await failureOf(await runBuilder('create', { imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME }));
    assert.equal(failure.type, 'ImageBuilderFailed');
    assert.match(failure.message, /^wait-running: image builder golden-builder is FAILED: IMAGE_UNAVAILABLE: base image unavailable/);
  });
});
