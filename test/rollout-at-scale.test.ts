/**
 * Rollouts of any size: the rollout continues as new every so many instances, so that no history
 * grows with the fleet; its result and failure carry counts and the failed instances, never a row per
 * instance; `golden-image status --instances` pages through every instance; and no way of stopping a
 * pipeline or its rollout leaves a replace-root-volume task that no workflow watches to its end.
 * (bench/ measures the same with 10,000 instances; here the batch is made small instead.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult, RolloutSpec } from '../contracts/ami-pipeline';
import { progressQuery, type RolloutSummary } from '../contracts/progress';
import { replacementWorkflowId, rolloutWorkflowId, type RootVolumeRolloutInput } from '../contracts/root-volume-rollout';
import { failureOf, recordHistory, rolloutCounts, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';

const ROOT = path.resolve(__dirname, '..');
const FAST = { interval: '100ms', timeout: '2m' };

const stack = stackForThisFile();
let imageId: string;

beforeEach(async () => {
  await freshSandbox(stack);
  imageId = ((await (await startAmi({})).result()) as AmiPipelineResult).imageId;
});

function startAmi(config: Partial<AmiPipelineConfig>, workflowId?: string) {
  const waits = { image: FAST, fastLaunch: FAST, rootVolume: FAST };
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'scale', instanceTags: { Name: 'win-build' }, waits, ...config },
    { taskQueue: stack.taskQueue, workflowId },
  );
}

function startRollout(workflowId: string, spec: Partial<RolloutSpec>, instancesPerRun: number) {
  const input: RootVolumeRolloutInput = {
    pipeline: 'scale',
    imageId,
    spec: { concurrency: 3, failureBudget: 0, deleteReplacedRootVolume: false, ...spec },
    platform: 'windows',
    architecture: 'x86_64',
    wait: FAST,
    instancesPerRun,
  };
  return stack.env.client.workflow.start('rootVolumeRollout', { taskQueue: stack.taskQueue, workflowId, args: [input] });
}

/** Every run of a workflow's chain, oldest first, with its history's length. */
async function chain(client: Client, workflowId: string) {
  const runs: { runId: string; status: string; events: number }[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    runs.push({ runId: run.runId, status: run.status.name, events: history.events?.length ?? 0 });
  }
  return runs.reverse();
}

/** Every replace-root-volume task in the sandbox, by instance. */
async function tasks() {
  const all = (await stack.admin.state()).replaceRootVolumeTasks.map((t) => ({ instanceId: t.instanceId, state: t.state }));
  return all.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

const cli = (...args: string[]) =>
  promisify(execFile)(process.execPath, [path.join(ROOT, 'client/bin.cjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: stack.env.address },
  });

describe('rollouts of any size', () => {
  test('23 instances, 5 per run: five runs of bounded history, a summary result, and every instance listed page by page', async () => {
    const fleet = await stack.launchInstances('windows', 23, { fleet: 'scale' });
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[7]!, state: 'failed' });
    const handle = await startRollout('root-volume-rollout', { tags: { fleet: 'scale' }, failureBudget: 1 }, 5);
    const summary = (await handle.result()) as RolloutSummary;

    assert.deepEqual(rolloutCounts(summary), { succeeded: 22, failed: 1 });
    assert.equal(summary.total, 23);
    assert.deepEqual(
      summary.failed.map((r) => [r.instanceId, r.state]),
      [[fleet[7], 'failed']],
    );
    const runs = await chain(stack.env.client, handle.workflowId);
    assert.deepEqual(
      runs.map((r) => r.status),
      ['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED'],
    );
    // Each run starts at most 5 children: its history is bounded by the batch, not by the fleet.
    const perInstance = Math.max(...runs.map((r) => r.events)) / 5;
    assert.ok(Math.max(...runs.map((r) => r.events)) <= 5 * 10 + 30, `events per run: ${runs.map((r) => r.events).join(', ')}`);
    assert.ok(perInstance < 16, `about ${perInstance.toFixed(1)} events per instance`);
    assert.equal((await tasks()).length, 23, 'one task per instance');

    // The CLI lists every instance once, 10 to a page, the failed one with EC2's reason.
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const { stdout } = await cli('status', handle.workflowId, '--instances', '--page-size', '10', ...(token ? ['--page', token] : []));
      const lines = stdout.trim().split('\n');
      token = lines.at(-1)?.match(/^next page: golden-image status \S+ --instances --page (\S+)$/)?.[1];
      pages.push(token ? lines.slice(0, -1) : lines);
    } while (token);
    assert.deepEqual(
      pages.map((p) => p.length),
      [10, 10, 3],
    );
    const listed = pages.flat().map((line) => line.trim().split(/\s+/));
    assert.deepEqual(listed.map(([id]) => id).sort(), fleet);
    const failed = listed.find(([id]) => id === fleet[7])!;
    assert.equal(failed[1], 'failed');
    assert.match(
      pages.flat().find((l) => l.includes(fleet[7]!))!,
      /the original root volume is still attached/,
    );
    assert.ok(
      listed.filter(([id]) => id !== fleet[7]).every(([, state, task]) => state === 'succeeded' && /^replacevol-/.test(task ?? '')),
    );
    const { stdout: all } = await cli('status', handle.workflowId, '--instances', '--all', '--page-size', '4');
    assert.equal(all.trim().split('\n').length, 23, '--all prints every page and no token');

    await recordHistory(stack.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId), 'root-volume-rollout');
  });

  test('a halted rollout fails with a summary and lists the instances it never started', async () => {
    const fleet = await stack.launchInstances('windows', 6, { fleet: 'scale' });
    await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[1]!, state: 'failed' });
    const handle = await startRollout('rollout-halted', { instanceIds: fleet, concurrency: 1 }, 2);
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'RolloutHalted');
    assert.equal(failure.message, 'rollout: rollout halted: 1 of 6 instances failed, over the failure budget of 0');
    assert.deepEqual(rolloutCounts(failure.details?.[0] as RolloutSummary), { succeeded: 1, failed: 1, skipped: 4 });
    const { stdout } = await cli('status', handle.workflowId, '--instances', '--all');
    const states = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/).slice(0, 2)),
    );
    assert.deepEqual(states, Object.fromEntries(fleet.map((id, i) => [id, i === 0 ? 'succeeded' : i === 1 ? 'failed' : 'skipped'])));
  });

  test('terminating the pipeline stops its rollout starting instances; the running replacements watch their tasks to the end', async () => {
    await stack.admin.configure({ durations: { replaceRootVolumePending: 1_500, replaceRootVolumeInProgress: 1_500 } });
    const fleet = await stack.launchInstances('windows', 5, { fleet: 'scale' });
    const handle = await startAmi({ rollout: { instanceIds: fleet, concurrency: 2 } });
    const rollout = stack.env.client.workflow.getHandle(rolloutWorkflowId(handle.workflowId));
    await waitForProgress(rollout, (p) => p.rollout?.counts.running === 2, 60_000);
    await handle.terminate('an operator stops the pipeline');

    // The rollout was asked to cancel: it starts nothing more, waits for the running ones, and ends cancelled.
    await assert.rejects(rollout.result());
    assert.equal((await rollout.describe()).status.name, 'CANCELLED');
    const made = await tasks();
    const counts = rolloutCounts((await rollout.query(progressQuery)).rollout);
    // Two were running when the pipeline went; on a loaded machine a third may have started before it did.
    assert.ok(made.length >= 2 && made.length < fleet.length, `${made.length} tasks`);
    assert.deepEqual(counts, { succeeded: made.length, cancelled: fleet.length - made.length });
    for (const task of made) {
      assert.equal(task.state, 'succeeded');
      const child = stack.env.client.workflow.getHandle(replacementWorkflowId(rollout.workflowId, task.instanceId));
      assert.equal((await child.describe()).status.name, 'COMPLETED', `${task.instanceId}: its replacement saw the task end`);
    }
  });

  test('terminating the rollout itself: its running replacements are abandoned to finish, not terminated', async () => {
    await stack.admin.configure({ durations: { replaceRootVolumePending: 1_500, replaceRootVolumeInProgress: 1_500 } });
    const fleet = await stack.launchInstances('windows', 4, { fleet: 'scale' });
    const handle = await startRollout('rollout-terminated', { instanceIds: fleet, concurrency: 2 }, 500);
    const progress = await waitForProgress(handle, (p) => p.rollout?.counts.running === 2, 60_000);
    await handle.terminate('an operator stops the rollout');

    // The replacements running when the rollout went outlive it, and each sees its task to the end.
    const running = (progress.instances ?? []).filter((r) => r.state === 'running').map((r) => r.instanceId);
    assert.equal(running.length, 2);
    for (const instanceId of running) {
      const child = stack.env.client.workflow.getHandle(replacementWorkflowId(handle.workflowId, instanceId));
      const { taskId } = (await child.result()) as { taskId: string };
      const task = (await stack.admin.state()).replaceRootVolumeTasks.find((t) => t.id === taskId);
      assert.deepEqual([task?.instanceId, task?.state], [instanceId, 'succeeded']);
    }
  });
});
