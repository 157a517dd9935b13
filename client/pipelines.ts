/**
 * The library API the CLI is built on: start, follow, describe, list and cancel pipeline runs.
 * Input is validated here, before anything starts, with the same schema the workflow uses.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import { amiPipelineInput, type AmiPipelineResult } from '../workflows/ami-pipeline-input';
import { parseInput } from '../workflows/input-validation';
import { progressQuery, type PipelineProgress } from '../workflows/pipeline-progress';
import { PIPELINE, RESOURCES, STAGE } from '../workflows/search-attributes';
import { configuredTaskQueue } from '../worker/task-queue';

export interface StartOptions {
  workflowId?: string;
  taskQueue?: string;
}

export async function startAmiPipeline(client: Client, config: unknown, options: StartOptions = {}) {
  const input = parseInput(amiPipelineInput, config);
  return client.workflow.start('amiPipeline', {
    args: [input],
    taskQueue: options.taskQueue ?? configuredTaskQueue(),
    workflowId: options.workflowId ?? `ami-${input.name}-${randomUUID().slice(0, 8)}`,
    staticSummary: `AMI pipeline **${input.name}**: image from \`${input.instanceId}\``,
    typedSearchAttributes: [{ key: PIPELINE, value: input.name }],
  });
}

export interface RunOutcome<R> {
  workflowId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | string;
  result?: R;
  /** The root cause's message: AWS's reason, not "activity task failed". */
  error?: string;
}

/**
 * Polls the `progress` query until the run ends, handing each new state to `onProgress`.
 * Query failures (no worker yet, say) are tolerated: the run, not the view, decides the outcome.
 */
export async function followRun<R = AmiPipelineResult>(
  handle: WorkflowHandle,
  onProgress: (progress: PipelineProgress) => void,
  intervalMs = 1_000,
): Promise<RunOutcome<R>> {
  let last = '';
  const report = async () => {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    const text = JSON.stringify(progress);
    if (progress && text !== last) {
      last = text;
      onProgress(progress);
    }
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

export interface RunSummary {
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
  const query = options.pipeline ? `GoldenImagePipeline = '${options.pipeline.replaceAll("'", '')}'` : 'GoldenImagePipeline IS NOT NULL';
  const runs: RunSummary[] = [];
  for await (const run of client.workflow.list({ query, pageSize: options.limit ?? 20 })) {
    runs.push(summarize(run));
    if (runs.length >= (options.limit ?? 20)) break;
  }
  return runs;
}

export interface RunStatus extends RunSummary {
  progress?: PipelineProgress;
  result?: unknown;
  error?: string;
}

export async function describeRun(client: Client, workflowId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  const status: RunStatus = { ...summarize(d), progress: await handle.query(progressQuery).catch(() => undefined) };
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
