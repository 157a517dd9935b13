/**
 * A run's input, validated once and remembered. Schedules and other clients start runs without the
 * CLI, so the workflow validates its input again; but a schema only ever gets tighter or gains
 * defaults, and a workflow that re-validated on every replay would fail the replay of every open run
 * the day its schema changed. So the check runs as a local activity: on the first execution its
 * outcome (the parsed input, or the non-retryable `InvalidInput`) is recorded in history, and a replay
 * reads that record instead of asking today's schema again.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { workflowInput } from '../contracts/input-validation';
import type * as PipelineKinds from '../contracts/pipeline-kinds';
import type { PipelineInput, PipelineKindName } from '../contracts/pipeline-kinds';

const { validatePipelineInput } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 3 } });

export async function validatedInput<K extends PipelineKindName>(kind: K, raw: unknown): Promise<PipelineInput<K>> {
  // Runs that started before the check was recorded validate in the workflow, as they did.
  if (!patched('input-validated-once')) {
    // Loaded only here: the schemas are most of the workflow code's weight, and every run would build
    // them again when the worker loads it (see workflow-bundle.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PIPELINE_KINDS } = require('../contracts/pipeline-kinds') as typeof PipelineKinds;
    return workflowInput(PIPELINE_KINDS[kind].schema, raw);
  }
  try {
    return (await validatePipelineInput(kind, raw)) as PipelineInput<K>;
  } catch (err) {
    // The run fails with the check's own message and type, as if the workflow had made it.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'InvalidInput') {
      throw ApplicationFailure.nonRetryable(err.cause.message, 'InvalidInput');
    }
    throw err;
  }
}
