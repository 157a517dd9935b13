/** What a schema says is wrong with an input, as the CLI and the workflow would report it; none when it parses. */
import assert from 'node:assert/strict';
import { InvalidInputError, parseInput } from '../../contracts/input-validation';

export function inputProblems(schema: Parameters<typeof parseInput>[0], input: unknown): string[] {
  try {
    parseInput(schema, input);
  } catch (err) {
    assert.ok(err instanceof InvalidInputError);
    return err.problems;
  }
  return [];
}
