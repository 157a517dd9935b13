/**
 * The library API for runs of any pipeline type: follow, describe, list, cancel, approve and reject.
 */
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from '@temporalio/client';
import { approveUpdate, rejectUpdate, type ApprovalDecision, type ApproveArgs, type RejectArgs } from '../contracts/approval';
import { progressQuery, type PipelineProgress } from '../contracts/progress';
import { ROLLOUT_STAGE, rolloutWorkflowId } from '../contracts/root-volume-rollout';
import { PIPELINE, RESOURCES, STAGE } from '../contracts/search-attributes';

export interface RunOutcome<R> {
  workflowId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | string;
  result?: R;
  /** The root cause's message: AWS's reason, not "activity task failed". */
  error?: string;
}

/**
 * Polls the `progress` query until the run ends, handing every answer to `onProgress` (a view decides
 * what changed; a live table redraws its clocks). Query failures (no worker yet, say) are tolerated:
 * the run, not the view, decides the outcome.
 */
export async function followRun<R = unknown>(
  handle: WorkflowHandle,
  onProgress: (progress: PipelineProgress) => void,
  intervalMs = 1_000,
): Promise<RunOutcome<R>> {
  const report = async () => {
    const progress = await runProgress(handle);
    if (progress) onProgress(progress);
  };
  const outcome = awaitOutcome<R>(handle);
  let done = false;
  void outcome.finally(() => (done = true));
  while (!done) {
    await report();
    await Promise.race([outcome, new Promise((r) => setTimeout(r, intervalMs))]);
  }
  await report();
  return outcome;
}

/**
 * The run's progress as people see it. A rollout runs as a child workflow, and the run learns its
 * counts only when it succeeds: until then (and when it failed or was cancelled) the counts and the
 * instances worth showing (running and failed) come from the rollout itself.
 */
export async function runProgress(handle: WorkflowHandle): Promise<PipelineProgress | undefined> {
  const progress = await handle.query(progressQuery).catch(() => undefined);
  const rolloutStage = progress?.stages.find((s) => s.stage === ROLLOUT_STAGE);
  if (!progress || !rolloutStage || ['pending', 'skipped'].includes(rolloutStage.state) || progress.rollout || progress.instances)
    return progress;
  const rollout = await handle.client
    .getHandle(rolloutWorkflowId(handle.workflowId))
    .query(progressQuery)
    .catch(() => undefined);
  if (!rollout) return progress;
  // While it runs, the rollout's own note says what it is at: a canary waiting its bake time or an approval, say.
  const note = rollout.stages.find((s) => s.stage === ROLLOUT_STAGE)?.detail;
  const stages = progress.stages.map((s) => (s === rolloutStage && s.state === 'running' && note ? { ...s, detail: note } : s));
  return { ...progress, stages, instances: rollout.instances, rollout: rollout.rollout };
}

export async function awaitOutcome<R>(handle: WorkflowHandle): Promise<RunOutcome<R>> {
  try {
    const result = (await handle.result()) as R;
    return { workflowId: handle.workflowId, status: 'COMPLETED', result };
  } catch (err) {
    const { status } = await handle.describe();
    return { workflowId: handle.workflowId, status: status.name, error: rootCause(err) };
  }
}

function rootCause(err: unknown): string {
  let current: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  // Stage failures already carry the AWS reason; go no deeper than the first message that has it.
  while (current instanceof Error && !current.message && current.cause) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

interface RunSummary {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  pipeline?: string;
  stage?: string;
  resources: string[];
  startTime: string;
  closeTime?: string;
}

function summarize(run: Omit<WorkflowExecutionInfo, 'raw'>): RunSummary {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    type: run.type,
    status: run.status.name,
    pipeline: run.typedSearchAttributes.get(PIPELINE),
    stage: run.typedSearchAttributes.get(STAGE),
    resources: run.typedSearchAttributes.get(RESOURCES) ?? [],
    startTime: run.startTime.toISOString(),
    closeTime: run.closeTime?.toISOString(),
  };
}

export async function listRuns(client: Client, options: { pipeline?: string; limit?: number } = {}): Promise<RunSummary[]> {
  const query = options.pipeline ? `${PIPELINE.name} = '${options.pipeline.replaceAll("'", '')}'` : `${PIPELINE.name} IS NOT NULL`;
  const runs: RunSummary[] = [];
  for await (const run of client.workflow.list({ query, pageSize: options.limit ?? 20 })) {
    runs.push(summarize(run));
    if (runs.length >= (options.limit ?? 20)) break;
  }
  return runs;
}

interface RunStatus extends RunSummary {
  progress?: PipelineProgress;
  result?: unknown;
  error?: string;
}

export async function describeRun(client: Client, workflowId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  const status: RunStatus = { ...summarize(d), progress: await runProgress(handle) };
  if (d.status.name !== 'RUNNING') {
    const outcome = await awaitOutcome(handle);
    status.result = outcome.result;
    status.error = outcome.error;
  }
  return status;
}

export async function cancelRun(client: Client, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).cancel();
}

/**
 * The workflow whose gate an answer to `workflowId` is for. A pipeline waits at its `approval` stage, or,
 * in its `rollout` stage, at its rollout's canary: the rollout is a child workflow (`<run>/rollout`), and
 * a workflow cannot pass a Workflow Update on, so the answer goes straight there. Either gate refuses an
 * answer it is not waiting for, with its reason; a rollout's own ID works too.
 */
async function gateOf(client: Client, workflowId: string): Promise<WorkflowHandle> {
  const run = client.workflow.getHandle(workflowId);
  if ((await run.describe()).typedSearchAttributes.get(STAGE) !== ROLLOUT_STAGE) return run;
  const rollout = client.workflow.getHandle(rolloutWorkflowId(workflowId));
  return rollout.describe().then(
    () => rollout,
    (err: unknown) => {
      // A rollout that is itself the run, or one onto Auto Scaling groups: no rollout workflow below it.
      if (err instanceof WorkflowNotFoundError) return run;
      throw err;
    },
  );
}

/**
 * Answers an approval gate (the pipeline's, or its rollout's canary); the workflow's validator refuses it
 * when it is not waiting, or when `by` is not one of its approvers. The client's identity goes with the
 * answer, so the run records both who the person says they are and which client sent it.
 */
export async function approveRun(client: Client, workflowId: string, args: Omit<ApproveArgs, 'identity'> = {}): Promise<ApprovalDecision> {
  return (await gateOf(client, workflowId)).executeUpdate(approveUpdate, { args: [{ ...args, identity: client.options.identity }] });
}

export async function rejectRun(client: Client, workflowId: string, args: Omit<RejectArgs, 'identity'>): Promise<ApprovalDecision> {
  return (await gateOf(client, workflowId)).executeUpdate(rejectUpdate, { args: [{ ...args, identity: client.options.identity }] });
}
