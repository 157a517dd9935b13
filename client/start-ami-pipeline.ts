/**
 * Starts an `amiPipeline` run. The config is validated here, before anything starts, with the same
 * schema the workflow uses.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { amiPipelineInput } from '../workflows/ami-pipeline-input';
import { parseInput } from '../workflows/input-validation';
import { PIPELINE } from '../workflows/search-attributes';
import { configuredTaskQueue } from '../worker/task-queue';

export interface StartOptions {
  workflowId?: string;
  taskQueue?: string;
}

export async function startAmiPipeline(client: Client, config: unknown, options: StartOptions = {}) {
  const input = parseInput(amiPipelineInput, config);
  const source = input.instanceId ?? Object.entries(input.instanceTags ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return client.workflow.start('amiPipeline', {
    args: [input],
    taskQueue: options.taskQueue ?? configuredTaskQueue(),
    workflowId: options.workflowId ?? `ami-${input.name}-${randomUUID().slice(0, 8)}`,
    staticSummary: `AMI pipeline **${input.name}**: image from \`${source}\``,
    typedSearchAttributes: [{ key: PIPELINE, value: input.name }],
  });
}
