/**
 * Starts a run of any pipeline kind. The config is validated once, before anything starts, with the
 * same schema the workflow uses; the kind registry says which workflow it starts.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parseInput } from '../contracts/input-validation';
import { PIPELINE_KINDS, type PipelineInput, type PipelineKindName } from '../contracts/pipeline-kinds';
import { PIPELINE } from '../contracts/search-attributes';
import { configuredTaskQueue } from '../contracts/task-queue';

interface StartOptions {
  workflowId?: string;
  taskQueue?: string;
}

/** A validated config with what starting its workflow takes: shared by one-off runs and schedule actions. */
interface ValidPipeline<K extends PipelineKindName> {
  workflowType: string;
  input: PipelineInput<K>;
  idPrefix: string;
  staticSummary: string;
  typedSearchAttributes: { key: typeof PIPELINE; value: string }[];
}

/** Validates a config of one kind; bad input throws InvalidInputError with every problem and its path. */
export function validatePipeline<K extends PipelineKindName>(kind: K, config: unknown): ValidPipeline<K> {
  const { workflowType, schema, summary, workflowIdPrefix } = PIPELINE_KINDS[kind];
  const input = parseInput(schema, config);
  return {
    workflowType,
    input,
    idPrefix: workflowIdPrefix(input),
    staticSummary: summary(input),
    typedSearchAttributes: [{ key: PIPELINE, value: input.name }],
  };
}

/** Starts a run from a config validated already, so that a command can check its input before it connects. */
export async function startValidPipeline<K extends PipelineKindName>(
  client: Client,
  pipeline: ValidPipeline<K>,
  options: StartOptions = {},
) {
  const { workflowType, input, idPrefix, ...action } = pipeline;
  return client.workflow.start(workflowType, {
    ...action,
    args: [input],
    taskQueue: options.taskQueue ?? configuredTaskQueue(),
    workflowId: options.workflowId ?? `${idPrefix}-${randomUUID().slice(0, 8)}`,
  });
}

/** Validates a config and starts its run, in one call: the library API's start. */
export async function startPipeline<K extends PipelineKindName>(client: Client, kind: K, config: unknown, options: StartOptions = {}) {
  return startValidPipeline(client, validatePipeline(kind, config), options);
}
