/**
 * Turns a schema's complaints into one readable message with a line per problem and its path
 * (`waits.image.interval: must be at least 1s`). The CLI prints it; the workflow fails with it.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

export class InvalidInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid pipeline input:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidInputError';
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`);
}

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * The same check inside a workflow: schedules and other clients start runs too, so the workflow
 * validates its input again, and bad input fails the run non-retryably.
 */
export function workflowInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  try {
    return parseInput(schema, raw);
  } catch (err) {
    if (err instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
    throw err;
  }
}
