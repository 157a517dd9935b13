/**
 * A worker upgrade under worker versioning (README: Upgrading workers). Build A, the released workflow
 * code, starts a pipeline that waits at its approval gate. Build B, whose amiPipeline changed without a
 * patch (test/fixtures/next-build-workflows.ts), comes up beside it and is made current: a new run starts
 * and finishes on B, and the open run, pinned to A, finishes on A, where B's code would have failed it
 * with a nondeterminism error. Which build ran each workflow task is read from the runs' histories.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { startPipeline } from '../client/start-pipeline';
import { HOME_ACCOUNT, HOME_REGION, laneQueue } from '../contracts/rate-lanes';
import { approveRun } from '../client/runs';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../worker/workflow-bundle';
import { NEXT_BUILD_MEMO } from './fixtures/next-build-workflows';
import { stageIs, waitForProgress } from './support/runs';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { startScenarioWorker, type ScenarioWorker } from './support/scenario-worker';
import { FAST_WAITS } from './support/scenarios';
import { temporalForThisFile, workflowBundle } from './support/temporal';

const env = temporalForThisFile();
const taskQueue = `upgrade-${process.pid}`;
const deploymentName = `golden-image-upgrade-${process.pid}`;
const BUILD_A: WorkerDeploymentVersion = { deploymentName, buildId: 'build-a' };
const BUILD_B: WorkerDeploymentVersion = { deploymentName, buildId: 'build-b' };

let sandbox: OwnSandbox;

before(async () => {
  sandbox = await startOwnSandbox();
});
after(async () => {
  await sandbox?.close();
});

/** Makes a build current, as `temporal worker deployment set-current-version` does, once its worker's polls have made it known. */
async function setCurrent(client: Client, version: WorkerDeploymentVersion): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await latestBuild(client, version.deploymentName)) !== version.buildId) {
    if (Date.now() > deadline) throw new Error(`${version.buildId} never showed in ${version.deploymentName}`);
    await sleep(200);
  }
  await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', ...version, identity: 'worker-upgrade test' });
}

/** The deployment's newest version: a build's first poll makes it the newest. */
async function latestBuild(client: Client, deploymentName: string): Promise<string | undefined> {
  const { workerDeployments } = await client.workflowService.listWorkerDeployments({ namespace: 'default' });
  return workerDeployments.find((d) => d.name === deploymentName)?.latestVersionSummary?.deploymentVersion?.buildId ?? undefined;
}

/** The build of every completed workflow task of a run, in order. */
async function buildsOf(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((e) => {
    const completed = e.workflowTaskCompletedEventAttributes;
    return completed ? [completed.deploymentVersion?.buildId || 'unversioned'] : [];
  });
}

/** The run's activities sent through the rate governor's lanes, as `<type> <lane> <outcome>`. */
async function laneCalls(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const completed = new Set(events.map((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString()));
  return events.flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    const lane = scheduled?.taskQueue?.name;
    if (!lane?.startsWith(`${taskQueue}/`)) return [];
    return [`${scheduled!.activityType?.name} ${lane} ${completed.has(e.eventId?.toString()) ? 'completed' : 'not completed'}`];
  });
}

async function versioningOf(handle: WorkflowHandle) {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId };
}

const PINNED = temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;

test('an open run finishes on the build it started on, while new runs start on the new current build', async (t) => {
  const { client } = env();
  const nextBundle = bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/next-build-workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: (m) => console.error(m) },
  });
  // Two builds side by side, each with its own connection, as two worker processes would be.
  const connectionB = await NativeConnection.connect({ address: env().address });
  const workers: ScenarioWorker[] = [];
  // Before the file's hooks close the server's connection, which a running worker still holds.
  t.after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await connectionB.close();
  });
  const [buildInstance] = await sandbox.launchInstances('windows', 1);
  const config = (name: string, approval?: { timeout: string }) => ({ name, instanceId: buildInstance, waits: FAST_WAITS, approval });

  workers.push(
    await startScenarioWorker(env(), sandbox.url, taskQueue, undefined, { deployment: BUILD_A, workflowBundle: await workflowBundle() }),
  );
  await setCurrent(client, BUILD_A);
  const open = await startPipeline(client, 'ami', config('upgrade-open', { timeout: '1h' }), { taskQueue });
  await waitForProgress(open, stageIs('approval', 'running'), 60_000);
  const tasksBeforeUpgrade = (await buildsOf(open)).length;

  workers.push(
    await startScenarioWorker(env(), sandbox.url, taskQueue, undefined, {
      deployment: BUILD_B,
      workflowBundle: await nextBundle,
      connection: connectionB,
    }),
  );
  await setCurrent(client, BUILD_B);
  const fresh = await startPipeline(client, 'ami', config('upgrade-new'), { taskQueue });
  await fresh.result();

  await approveRun(client, open.workflowId);
  await open.result();

  const freshBuilds = await buildsOf(fresh);
  assert.ok(freshBuilds.length > 3, `the new run took ${freshBuilds.length} workflow tasks`);
  assert.deepEqual(new Set(freshBuilds), new Set(['build-b']), 'every workflow task of the new run ran on build B');
  assert.deepEqual((await fresh.describe()).memo, NEXT_BUILD_MEMO, "the new run ran B's changed code");
  assert.deepEqual(await versioningOf(fresh), { behavior: PINNED, buildId: 'build-b' });

  const openBuilds = await buildsOf(open);
  assert.ok(openBuilds.length > tasksBeforeUpgrade, 'the open run had workflow tasks after B became current');
  assert.deepEqual(
    new Set(openBuilds),
    new Set(['build-a']),
    'every workflow task of the open run, before and after B became current, ran on build A',
  );
  assert.deepEqual((await open.describe()).memo, {}, "the open run never ran B's code");
  assert.deepEqual(await versioningOf(open), { behavior: PINNED, buildId: 'build-a' });
  // The lanes are unversioned, each shared by both builds: the pinned run's governed calls went through them,
  // its image's release tag after B's lane workers had joined A's.
  const lane = (bucket: 'mutating' | 'CreateTags') => laneQueue(taskQueue, bucket, HOME_ACCOUNT, HOME_REGION);
  assert.deepEqual(await laneCalls(open), [`createImage ${lane('mutating')} completed`, `tagImage ${lane('CreateTags')} completed`]);

  // And B's code could not have carried it: replayed there, the open run's history breaks.
  await assert.rejects(Worker.runReplayHistory({ workflowBundle: await nextBundle }, await open.fetchHistory()), DeterminismViolationError);
});
