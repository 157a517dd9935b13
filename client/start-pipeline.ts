/**
 * Starts a run of any pipeline kind. The config is validated here, before anything starts, with the
 * same schema the workflow uses; the kind registry says which workflow it starts.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parseInput } from '../contracts/input-validation';
import { PIPELINE_KINDS, type PipelineKindName } from '../contracts/pipeline-kinds';
import { PIPELINE } from '../contracts/search-attributes';
import { configuredTaskQueue } from '../contracts/task-queue';

export interface StartOptions {
  workflowId?: string;
  taskQueue?: string;
}

/** The workflow start options for a validated input: shared by one-off runs and schedule actions. */
export function pipelineAction(kind: PipelineKindName, config: unknown) {
  const { workflowType, schema, summary, workflowIdPrefix } = PIPELINE_KINDS[kind];
  const input = parseInput(schema, config) as { name: string };
  return {
    workflowType,
    args: [input],
    idPrefix: workflowIdPrefix(input as never),
    staticSummary: summary(input as never),
    typedSearchAttributes: [{ key: PIPELINE, value: input.name }],
  };
}

export async function startPipeline(client: Client, kind: PipelineKindName, config: unknown, options: StartOptions = {}) {
  const { workflowType, idPrefix, ...action } = pipelineAction(kind, config);
  return client.workflow.start(workflowType, {
    ...action,
    taskQueue: options.taskQueue ?? configuredTaskQueue(),
    workflowId: options.workflowId ?? `${idPrefix}-${randomUUID().slice(0, 8)}`,
  });
}
