/** Every loop in the bench is bounded in time: these helpers make that the easy way to write one. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export async function pollUntil<T>(what: string, timeoutMs: number, everyMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`bench: gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s`);
}

/** Runs `fn` over `items` with at most `limit` in flight: 1000 gRPC calls at once would measure the client, not the system. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
