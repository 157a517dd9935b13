/**
 * M-of-N approval on a real run: only listed approvers are heard, each counts once, the gate opens at
 * `required` distinct approvals, and any listed approver's rejection stops the run. Every answer is
 * recorded with who the person said they were (`--by`) and the sending client's identity.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { approveRun, rejectRun } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { imagesOfPipeline } from './support/aws-checks';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';

const stack = stackForThisFile();
let buildInstance: string;

beforeEach(async () => {
  buildInstance = await freshSandbox(stack);
});

const POLICY = { approvers: ['alice', 'bob', 'carol'], required: 2, timeout: '5m' };

async function atGate(name: string, approval: AmiPipelineConfig['approval'] = POLICY): Promise<WorkflowHandle> {
  const handle = await startPipeline(
    stack.env.client,
    'ami',
    {
      name,
      instanceId: buildInstance,
      approval,
      waits: { image: { interval: '200ms', timeout: '2m' } },
    },
    { taskQueue: stack.taskQueue },
  );
  await waitForProgress(handle, stageIs('approval', 'running'));
  return handle;
}

/** The validator's message for an answer the gate refuses. */
async function refusal(answer: Promise<unknown>): Promise<string> {
  const err = await answer.then(
    () => assert.fail('the answer was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
  return (err.cause as Error).message;
}

describe('approval policies: M of N named approvers', () => {
  test('2 of 3: a stranger, a nameless answer and a second approval from the same person are refused; two distinct approvals open the gate', async () => {
    const handle = await atGate('two-of-three');
    const client = stack.env.client;

    assert.equal(
      await refusal(approveRun(client, handle.workflowId, { by: 'mallory' })),
      'mallory is not an approver of this run (its approvers: alice, bob, carol)',
    );
    assert.equal(
      await refusal(approveRun(client, handle.workflowId, {})),
      "this run's approvers are alice, bob, carol: say which one you are (--by)",
    );
    assert.equal(
      await refusal(rejectRun(client, handle.workflowId, { by: 'mallory', reason: 'no' })),
      'mallory is not an approver of this run (its approvers: alice, bob, carol)',
    );

    const first = await approveRun(client, handle.workflowId, { by: 'alice', comment: 'CIS scan clean' });
    assert.equal(first.approved, false);
    assert.equal(first.missing, 1);
    assert.equal(
      await refusal(approveRun(client, handle.workflowId, { by: 'alice' })),
      'alice has already approved: 1 of 2 distinct approvals are in',
    );
    const progress = await waitForProgress(handle, stageIs('approval', 'running'));
    assert.match(progress.stages.find((r) => r.stage === 'approval')!.detail!, /approved by alice \(1 of 2\): CIS scan clean/);

    const second = await approveRun(client, handle.workflowId, { by: 'bob' });
    assert.deepEqual([second.approved, second.by, second.required, second.missing], [true, 'alice, bob', 2, undefined]);

    const result = (await handle.result()) as AmiPipelineResult;
    assert.equal(result.approval?.approved, true);
    assert.deepEqual(
      result.approval?.answers?.map((a) => [a.approved, a.by, a.identity, a.comment]),
      [
        [true, 'alice', client.options.identity, 'CIS scan clean'],
        [true, 'bob', client.options.identity, undefined],
      ],
    );
    const detail = (await handle.query<{ stages: { stage: string; detail?: string }[] }>('progress')).stages.find(
      (r) => r.stage === 'approval',
    )!.detail;
    assert.equal(
      detail,
      'waiting up to 5m for 2 of alice, bob, carol to approve (any of them may reject); approved by alice (1 of 2): CIS scan clean; approved by bob (2 of 2)',
    );
    await recordHistory(handle, 'ami-pipeline-approval-policy');
    // A late answer is told the run is over.
    await assert.rejects(approveRun(client, handle.workflowId, { by: 'carol' }), /workflow execution already completed/);
  });

  test('any listed approver may reject, even after an approval: the run stops with who and why, and removes its image', async () => {
    const handle = await atGate('rejected-by-carol');
    await approveRun(stack.env.client, handle.workflowId, { by: 'alice' });
    const rejection = await rejectRun(stack.env.client, handle.workflowId, { by: 'carol', reason: 'kernel regression in canary' });
    assert.equal(rejection.approved, false);

    const failure = await failureOf(handle);
    assert.equal(failure.type, 'Rejected');
    assert.equal(failure.message, 'approval: rejected by carol: kernel regression in canary');
    assert.deepEqual(await imagesOfPipeline(stack, 'rejected-by-carol'), [], 'the unapproved image is removed');
  });
});
