import assert from 'node:assert/strict';

/** Asserts that an SDK call fails with the given AWS error code or type (and HTTP status, if given). */
export async function rejectsWith(call: Promise<unknown>, code: string, status?: number): Promise<Error> {
  let caught: unknown;
  await assert.rejects(call, (error: unknown) => {
    caught = error;
    return true;
  });
  const error = caught as Error & { $metadata?: { httpStatusCode?: number } };
  assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
  if (status !== undefined) assert.equal(error.$metadata?.httpStatusCode, status);
  return error;
}
