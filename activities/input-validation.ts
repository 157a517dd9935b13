/**
 * The workflows' input check, as a local activity (see workflows/validated-input.ts): its outcome is
 * recorded in the run's history, so a later, tighter schema never re-judges a run already under way.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { InvalidInputError, workflowInput } from '../contracts/input-validation';
import { terminalState } from './aws/not-ready';
import { PIPELINE_KINDS, type PipelineInput, type PipelineKindName } from '../contracts/pipeline-kinds';

/** The parsed input (defaults applied), or a non-retryable `InvalidInput` failure listing every problem. */
export function validatePipelineInput<K extends PipelineKindName>(kind: K, raw: unknown): PipelineInput<K> {
  return workflowInput(PIPELINE_KINDS[kind].schema, raw);
}

/**
 * What a preflight found wrong, as the input check says it: one non-retryable `InvalidInput` failure
 * listing every problem by its place in the config (also in its details, for programs).
 */
export function refuseInput(problems: string[]): ApplicationFailure {
  return terminalState('InvalidInput', new InvalidInputError(problems).message, { problems });
}
