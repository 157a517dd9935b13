/**
 * The main branches of every workflow type, each run once with its fixture's name as workflow ID, so
 * that `npm run histories:record` saves them to test/histories/ for the replay tests: clean-up after a
 * failure, retention that retires images, a halted rollout, a rejection, an approval timeout, AppStream's
 * "no update", an image builder's create, and one `rootVolumeReplacement` child. (test/rollout-at-scale.test.ts
 * records a `rootVolumeRollout` run that continues as new.) Fixtures no test records any more, such as
 * ami-pipeline-full.json and ami-pipeline-rollout-halted.json (a rollout inline, before the rollout
 * workflow), stay as they were: they prove that runs started by older code still replay.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { APPSTREAM_GOLDEN_IMAGE_NAME, APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME } from '@golden-image/aws-sandbox';
import { startPipeline } from '../client/start-pipeline';
import { rejectRun } from '../client/runs';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import type { AppStreamImageBuilderResult } from '../contracts/appstream-image-builder';
import type { AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import type { PipelineKindName } from '../contracts/pipeline-kinds';
import type { RootVolumeReplacementInput, RootVolumeReplacementResult } from '../contracts/root-volume-replacement';
import { imagesOfPipeline } from './support/aws-checks';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';

const stack = stackForThisFile();
beforeEach(async () => {
  await freshSandbox(stack);
});

const FAST = { interval: '100ms', timeout: '2m' };
const WAITS = { image: FAST, fastLaunch: FAST, rootVolume: FAST };

/** A run of `kind`; with a fixture name it runs under that workflow ID, which the replay reuses. */
function start(kind: PipelineKindName, config: object, fixture?: string) {
  // A fixture's workflow ID is reused on every recording: a new run may take it once the last one closed.
  return startPipeline(stack.env.client, kind, config, { taskQueue: stack.taskQueue, workflowId: fixture });
}

function startAmi(config: Partial<AmiPipelineConfig>, fixture?: string) {
  return start('ami', { name: 'branches', instanceTags: { Name: 'win-build' }, waits: WAITS, ...config }, fixture);
}

describe('main branches, recorded for replay', () => {
  test('clean-up after failure: a failed image is deregistered', async () => {
    await stack.admin.fail({ kind: 'image', next: true, code: 'Client.InternalError', message: 'Client error on snapshot creation' });
    const handle = await startAmi({}, 'ami-pipeline-cleanup-after-failure');
    assert.equal((await failureOf(handle)).type, 'ImageFailed');
    assert.deepEqual(await imagesOfPipeline(stack, 'branches'), []);
    await recordHistory(handle, 'ami-pipeline-cleanup-after-failure');
  });

  test('retention retires the older images', async () => {
    const earlier: string[] = [];
    for (let i = 0; i < 2; i++) earlier.push(((await (await startAmi({})).result()) as AmiPipelineResult).imageId);
    const handle = await startAmi({ retention: { keep: 1 } }, 'ami-pipeline-retention');
    const result = (await handle.result()) as AmiPipelineResult;
    assert.deepEqual(new Set(result.retired), new Set(earlier));
    await recordHistory(handle, 'ami-pipeline-retention');
  });

  test('a halted rollout', async () => {
    const fleet = await stack.launchInstances('windows', 2, { fleet: 'web' });
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[0]!, state: 'failed' });
    const handle = await startAmi(
      { rollout: { instanceIds: fleet, concurrency: 1, failureBudget: 0 } },
      'ami-pipeline-rollout-workflow-halted',
    );
    assert.equal((await failureOf(handle)).type, 'RolloutHalted');
    await recordHistory(handle, 'ami-pipeline-rollout-workflow-halted');
  });

  test('a rejection', async () => {
    const handle = await startAmi({ approval: { timeout: '5m' } }, 'ami-pipeline-rejected');
    await waitForProgress(handle, stageIs('approval', 'running'));
    await rejectRun(stack.env.client, handle.workflowId, { reason: 'CIS benchmark failed', by: 'bob' });
    assert.equal((await failureOf(handle)).type, 'Rejected');
    assert.deepEqual(await imagesOfPipeline(stack, 'branches'), []);
    await recordHistory(handle, 'ami-pipeline-rejected');
  });

  test('an approval timeout', async () => {
    const handle = await startAmi({ approval: { timeout: '2s' } }, 'ami-pipeline-approval-timeout');
    assert.equal((await failureOf(handle)).type, 'ApprovalTimeout');
    await recordHistory(handle, 'ami-pipeline-approval-timeout');
  });

  test('one rootVolumeReplacement child', async () => {
    const imageId = ((await (await startAmi({})).result()) as AmiPipelineResult).imageId;
    const [instanceId] = await stack.launchInstances('windows', 1, { fleet: 'web' });
    const input: RootVolumeReplacementInput = {
      pipeline: 'branches',
      instanceId: instanceId!,
      imageId,
      deleteReplacedRootVolume: true,
      wait: FAST,
    };
    const handle = await stack.env.client.workflow.start('rootVolumeReplacement', {
      taskQueue: stack.taskQueue,
      workflowId: 'root-volume-replacement',
      args: [input],
    });
    assert.equal(((await handle.result()) as RootVolumeReplacementResult).instanceId, instanceId);
    await recordHistory(handle, 'root-volume-replacement');
  });

  test('AppStream: no update available', async () => {
    const handle = await start(
      'appstream-update',
      {
        name: 'branches',
        existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        newImageName: '{{pipeline}}-{{date}}-{{run}}',
        retention: { keep: 1 },
      },
      'appstream-image-update-no-update',
    );
    assert.equal(((await handle.result()) as AppStreamImageUpdateResult).updated, false);
    await recordHistory(handle, 'appstream-image-update-no-update');
  });

  test('AppStream: an image builder created and running', async () => {
    const handle = await start(
      'appstream-builder',
      { action: 'create', name: 'branches-builder', imageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, waits: { builder: FAST } },
      'appstream-image-builder',
    );
    assert.equal(((await handle.result()) as AppStreamImageBuilderResult).action, 'create');
    await recordHistory(handle, 'appstream-image-builder');
  });
});
