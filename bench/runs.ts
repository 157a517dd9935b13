/**
 * Starting many runs and waiting for them through visibility (one count query every few seconds)
 * rather than holding a long-poll per run open: the bench should load the system, not its own client.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { startPipeline } from '../client/start-pipeline';
import { mapLimit, pollUntil } from './bounded';

export async function startMany(client: Client, taskQueue: string, configs: { workflowId: string; config: unknown }[]): Promise<void> {
  await mapLimit(configs, 50, ({ workflowId, config }) => startPipeline(client, 'ami', config, { taskQueue, workflowId }));
}

/** Waits until no run of `workflowType` on the task queue is running; returns every one of them, closed. */
export async function waitAllClosed(
  client: Client,
  taskQueue: string,
  workflowType: string,
  expected: number,
  timeoutMs: number,
  onTick: (running: number) => void = () => {},
  /** Throws when the runs can no longer close (their workers are gone), rather than waiting out the timeout. */
  assertAlive: () => void = () => {},
): Promise<WorkflowExecutionInfo[]> {
  const query = `TaskQueue = "${taskQueue}" AND WorkflowType = "${workflowType}"`;
  let lastTick = 0;
  await pollUntil(`the ${workflowType} runs on ${taskQueue} to close`, timeoutMs, 3_000, async () => {
    assertAlive();
    // Visibility is eventually consistent: until every started run is indexed, "none running" means nothing.
    if ((await client.workflow.count(query)).count < expected) return undefined;
    const { count } = await client.workflow.count(`${query} AND ExecutionStatus = "Running"`);
    // A line every 30 s is enough to see progress without burying the results.
    if (Date.now() - lastTick >= 30_000) {
      lastTick = Date.now();
      onTick(count);
    }
    return count === 0 ? true : undefined;
  });
  const infos: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query, pageSize: 1000 })) infos.push(info);
  return infos;
}
