/**
 * A standalone rollout's canary and its way back (issue 16, points 4-5), on the real stack: the canary
 * goes first, then its bake time and approval (the same approve/reject, sent to the pipeline run); a
 * rejected canary or a rollout over its failure budget, with `onFailure: rollback`, puts every instance it
 * moved back on the image it ran before, checked on the sandbox through DescribeInstances.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, test } from 'node:test';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { instanceLine } from '../client/progress-view';
import { listRolloutInstances } from '../client/rollout-instances';
import { approveRun, rejectRun } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult, RolloutSpec } from '../contracts/ami-pipeline';
import { progressQuery, type InstanceRow, type PipelineProgress, type RolloutSummary } from '../contracts/progress';
import { rollbackWorkflowId, rolloutWorkflowId, type RootVolumeRolloutInput } from '../contracts/root-volume-rollout';
import { failureOf, recordHistory, rolloutCounts, stageIs, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';

const FAST = { interval: '100ms', timeout: '2m' };
const CANARY = { bakeTime: '0s', approval: true };

const stack = stackForThisFile();
let fleet: string[];
/** The image the fleet was launched from: where a rollback puts it back. */
let oldImage: string;

beforeEach(async () => {
  await freshSandbox(stack);
  fleet = await stack.launchInstances('windows', 4, { fleet: 'canary' });
  oldImage = Object.values(await imagesOf(fleet))[0]!;
});

function startAmi(config: Partial<AmiPipelineConfig>) {
  const waits = { image: FAST, fastLaunch: FAST, rootVolume: FAST };
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'canary', instanceTags: { Name: 'win-build' }, waits, ...config },
    { taskQueue: stack.taskQueue },
  );
}

/** A new image of the build instance, for a rollout started on its own. */
async function newImage(): Promise<string> {
  return ((await (await startAmi({})).result()) as AmiPipelineResult).imageId;
}

function startRollout(workflowId: string, imageId: string, spec: Partial<RolloutSpec>, instancesPerRun?: number) {
  const input: RootVolumeRolloutInput = {
    pipeline: 'canary',
    imageId,
    spec: { instanceIds: fleet, concurrency: 2, failureBudget: 0, deleteReplacedRootVolume: false, ...spec },
    platform: 'windows',
    architecture: 'x86_64',
    wait: FAST,
    instancesPerRun,
  };
  return stack.env.client.workflow.start('rootVolumeRollout', { taskQueue: stack.taskQueue, workflowId, args: [input] });
}

/** Each instance's ImageId, as EC2 describes it. */
async function imagesOf(instanceIds: string[]): Promise<Record<string, string | undefined>> {
  const out = await stack.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  return Object.fromEntries((out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.ImageId]));
}

/** The images each instance's replace-root-volume tasks came from, in the order they were made, and how each ended. */
async function tasksByInstance(): Promise<Record<string, string[]>> {
  const tasks: Record<string, string[]> = {};
  for (const t of (await stack.admin.state()).replaceRootVolumeTasks) (tasks[t.instanceId] ??= []).push(`${t.imageId} ${t.state}`);
  return tasks;
}

const rolloutDetail = (p: PipelineProgress) => p.stages.find((s) => s.stage === 'rollout')?.detail ?? '';

/** Every instance as `golden-image status --instances` lists it, once visibility has caught up with the rollout's end. */
async function listed(client: Client, workflowId: string): Promise<InstanceRow[]> {
  for (let tries = 0; ; tries++) {
    const rows: InstanceRow[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listRolloutInstances(client, workflowId, { pageSize: 100, pageToken });
      rows.push(...page.instances);
      pageToken = page.nextPageToken;
    } while (pageToken);
    const settled = rows.length === fleet.length && !rows.some((r) => ['running', 'rolling-back'].includes(r.state));
    if (settled || tries === 50) return rows.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    await sleep(100);
  }
}

describe('standalone rollouts: canary and rollback', () => {
  test('a canary approved through the pipeline run: it goes first, bakes, waits for approval, then the rest follows', async () => {
    const handle = await startAmi({
      rollout: { instanceIds: fleet, concurrency: 2, canary: { instances: 1, bakeTime: '1s', approval: true } },
    });
    await waitForProgress(handle, (p) => p.rollout?.counts.running === 1, 60_000);
    const early = await approveRun(stack.env.client, handle.workflowId).catch((e: unknown) => e);
    assert.ok(early instanceof WorkflowUpdateFailedError, 'an answer before the canary waits is refused');
    assert.match((early.cause as Error).message, /not waiting for approval/);

    const waiting = await waitForProgress(handle, (p) => /waiting for approval of the canary/.test(rolloutDetail(p)), 60_000);
    assert.equal(rolloutDetail(waiting), 'canary: 1 succeeded; waiting 1s bake time; waiting for approval of the canary');
    assert.deepEqual(rolloutCounts(waiting.rollout), { pending: 3, succeeded: 1 });
    const imageId = waiting.resources[0]!;
    assert.deepEqual(await tasksByInstance(), { [fleet[0]!]: [`${imageId} succeeded`] }, 'nothing beyond the canary yet');

    // `approve <pipeline run>` reaches the gate of its rollout's canary.
    const decision = await approveRun(stack.env.client, handle.workflowId, { by: 'alice', comment: 'canary healthy' });
    assert.deepEqual({ ...decision, answers: undefined }, { approved: true, by: 'alice', comment: 'canary healthy', answers: undefined });
    const result = (await handle.result()) as AmiPipelineResult;
    assert.equal(result.imageId, imageId);
    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: 4 });
    assert.deepEqual(await imagesOf(fleet), Object.fromEntries(fleet.map((id) => [id, imageId])));
    const rollout = await stack.env.client.workflow.getHandle(rolloutWorkflowId(handle.workflowId)).query(progressQuery);
    assert.match(rolloutDetail(rollout), /; canary approved by alice: canary healthy$/);
  });

  test('a canary rejected through the pipeline run halts the rollout: the canary keeps the image, the rest is untouched', async () => {
    // The pipeline's approvers answer the canary's gate too.
    const handle = await startAmi({
      approval: { timeout: '5m', approvers: ['alice', 'bob'], required: 1 },
      rollout: { tags: { fleet: 'canary' }, canary: { instances: 1, ...CANARY } },
    });
    await waitForProgress(handle, stageIs('approval', 'running'), 60_000);
    await approveRun(stack.env.client, handle.workflowId, { by: 'alice' });
    const waiting = await waitForProgress(handle, (p) => /waiting for approval of the canary/.test(rolloutDetail(p)), 60_000);
    assert.match(rolloutDetail(waiting), /waiting for approval of the canary \(1 of alice, bob to approve \(any of them may reject\)\)$/);
    const stranger = await rejectRun(stack.env.client, handle.workflowId, { by: 'mallory', reason: 'no' }).catch((e: unknown) => e);
    assert.match(((stranger as Error).cause as Error).message, /mallory is not an approver of this run \(its approvers: alice, bob\)/);
    await rejectRun(stack.env.client, handle.workflowId, { by: 'bob', reason: 'p99 latency doubled' });

    const failure = await failureOf(handle);
    assert.equal(failure.type, 'CanaryRejected');
    assert.equal(failure.message, 'rollout: canary rejected by bob: p99 latency doubled');
    assert.deepEqual(rolloutCounts(failure.details?.[0] as RolloutSummary), { succeeded: 1, skipped: 3 });
    const imageId = (await handle.query(progressQuery)).resources[0]!;
    assert.deepEqual(await imagesOf(fleet), { ...Object.fromEntries(fleet.map((id) => [id, oldImage])), [fleet[0]!]: imageId });
    assert.deepEqual(Object.keys(await tasksByInstance()), [fleet[0]], 'nothing beyond the canary was replaced');
  });

  test('a canary rejected with onFailure: rollback puts the canary back on its old image', async () => {
    const imageId = await newImage();
    const workflowId = 'root-volume-rollout-canary-rollback';
    const handle = await startRollout(workflowId, imageId, { canary: { instances: 2, ...CANARY }, onFailure: 'rollback' });
    await waitForProgress(handle, (p) => /waiting for approval of the canary/.test(rolloutDetail(p)), 60_000);
    // The rollout's own ID takes the answer too.
    await rejectRun(stack.env.client, workflowId, { by: 'bob', reason: 'error rate up' });

    const failure = await failureOf(handle);
    assert.equal(failure.type, 'CanaryRejected');
    assert.equal(failure.message, 'rollout: canary rejected by bob: error rate up; rolled back 2 instances');
    assert.deepEqual(rolloutCounts(failure.details?.[0] as RolloutSummary), { 'rolled-back': 2, skipped: 2 });
    assert.deepEqual(await imagesOf(fleet), Object.fromEntries(fleet.map((id) => [id, oldImage])), 'every instance on its old image');
    const there = [`${imageId} succeeded`, `${oldImage} succeeded`];
    assert.deepEqual(await tasksByInstance(), { [fleet[0]!]: there, [fleet[1]!]: there });
    const rollback = stack.env.client.workflow.getHandle(rollbackWorkflowId(workflowId, fleet[0]!));
    assert.equal((await rollback.describe()).status.name, 'COMPLETED');

    // The table of every instance: the image each one ends on.
    const rows = await listed(stack.env.client, workflowId);
    assert.deepEqual(
      rows.map((r) => [r.instanceId, r.state, r.imageId]),
      [
        [fleet[0], 'rolled-back', oldImage],
        [fleet[1], 'rolled-back', oldImage],
        [fleet[2], 'skipped', undefined],
        [fleet[3], 'skipped', undefined],
      ],
    );
    assert.match(instanceLine(rows[0]!), new RegExp(`${fleet[0]} +rolled-back +replacevol-[0-9a-f]+ +${oldImage}$`));
    await recordHistory(handle, workflowId);
  });

  test('over the failure budget with onFailure: rollback, across continue-as-new: every moved instance goes back', async () => {
    const imageId = await newImage();
    fleet = [...fleet, ...(await stack.launchInstances('windows', 2, { fleet: 'canary' }))].sort();
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[2]!, state: 'failed' });
    // Two instances a run: the first run moves two, the second halts with one more moved, and two runs roll back.
    const handle = await startRollout('rollout-budget-rollback', imageId, { instanceIds: fleet, onFailure: 'rollback' }, 2);

    const failure = await failureOf(handle);
    assert.equal(failure.type, 'RolloutHalted');
    assert.equal(
      failure.message,
      'rollout: rollout halted: 1 of 6 instances failed, over the failure budget of 0; rolled back 3 instances',
    );
    const summary = failure.details?.[0] as RolloutSummary;
    assert.deepEqual(rolloutCounts(summary), { failed: 1, 'rolled-back': 3, skipped: 2 });
    assert.deepEqual(
      summary.failed.map((r) => [r.instanceId, r.state]),
      [[fleet[2], 'failed']],
    );
    assert.deepEqual(await imagesOf(fleet), Object.fromEntries(fleet.map((id) => [id, oldImage])), 'every instance on its old image');
    const there = [`${imageId} succeeded`, `${oldImage} succeeded`];
    assert.deepEqual(await tasksByInstance(), {
      [fleet[0]!]: there,
      [fleet[1]!]: there,
      [fleet[2]!]: [`${imageId} failed`],
      [fleet[3]!]: there,
    });
    const runs: string[] = [];
    for await (const run of stack.env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(run.status.name);
    assert.deepEqual(runs.reverse(), ['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'FAILED']);

    const rows = await listed(stack.env.client, handle.workflowId);
    assert.deepEqual(
      rows.map((r) => [r.instanceId, r.state]),
      [
        [fleet[0], 'rolled-back'],
        [fleet[1], 'rolled-back'],
        [fleet[2], 'failed'],
        [fleet[3], 'rolled-back'],
        [fleet[4], 'skipped'],
        [fleet[5], 'skipped'],
      ],
    );
  });

  test('a rollback that fails is an incident: the instance stays on the new image and is named', async () => {
    const imageId = await newImage();
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[1]!, state: 'failed' });
    const handle = await startRollout('rollout-rollback-fails', imageId, { concurrency: 1, onFailure: 'rollback' });
    // Once the first instance's replacement exists, its next task (the rollback) is the one to fail.
    while (!(await tasksByInstance())[fleet[0]!]) await sleep(50);
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[0]!, state: 'failed' });

    const failure = await failureOf(handle);
    assert.equal(
      failure.message,
      `rollout: rollout halted: 1 of 4 instances failed, over the failure budget of 0; rolled back 0 instances; INCIDENT: ${fleet[0]} could not be rolled back; needs a person`,
    );
    const summary = failure.details?.[0] as RolloutSummary;
    assert.deepEqual(rolloutCounts(summary), { failed: 1, 'rollback-failed': 1, skipped: 2 });
    const notBack = summary.failed.find((r) => r.state === 'rollback-failed');
    assert.equal(notBack?.instanceId, fleet[0]);
    assert.equal(notBack?.imageId, imageId);
    assert.match(notBack?.detail ?? '', new RegExp(`^rollback to ${oldImage}: .*the original root volume is still attached`));
    assert.equal((await imagesOf([fleet[0]!]))[fleet[0]!], imageId, 'still on the new image');
    const rows = await listed(stack.env.client, handle.workflowId);
    assert.deepEqual([rows[0]?.state, rows[0]?.imageId], ['rollback-failed', imageId]);
  });

  test('cancelled while the canary bakes: nothing beyond the canary starts, and the rest counts as cancelled', async () => {
    const imageId = await newImage();
    const handle = await startRollout('rollout-canary-cancelled', imageId, { canary: { instances: 1, bakeTime: '1h', approval: false } });
    await waitForProgress(handle, (p) => rolloutDetail(p) === 'canary: 1 succeeded; waiting 1h bake time', 60_000);
    await handle.cancel();
    await assert.rejects(handle.result());
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    assert.deepEqual(rolloutCounts((await handle.query(progressQuery)).rollout), { succeeded: 1, cancelled: 3 });
    assert.deepEqual(Object.keys(await tasksByInstance()), [fleet[0]]);
  });

  test('a failed canary instance halts the rollout whatever the failure budget', async () => {
    const imageId = await newImage();
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[0]!, state: 'failed' });
    const handle = await startRollout('rollout-canary-failed', imageId, { failureBudget: 3, canary: { instances: 1, ...CANARY } });
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'RolloutHalted');
    assert.equal(failure.message, 'rollout: rollout halted: 1 of 1 canary instance failed');
    assert.deepEqual(rolloutCounts(failure.details?.[0] as RolloutSummary), { failed: 1, skipped: 3 });
    assert.deepEqual(Object.keys(await tasksByInstance()), [fleet[0]]);
  });

  test('a canary as large as the fleet its tags select is refused before any replacement', async () => {
    const handle = await startRollout('rollout-canary-too-large', 'ami-0123456789abcdef0', {
      instanceIds: undefined,
      tags: { fleet: 'canary' },
      canary: { instances: 4, ...CANARY },
    });
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'InvalidInput');
    assert.equal(failure.message, 'rollout: canary.instances: must be fewer than the 4 instances of the rollout (got 4)');
    assert.deepEqual(await tasksByInstance(), {});
  });
});
