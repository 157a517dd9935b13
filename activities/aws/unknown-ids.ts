/**
 * Describes by ID for APIs that fail the whole request when one ID is unknown (DescribeFastLaunchImages,
 * DescribeReplaceRootVolumeTasks): one resource that is gone, or not visible yet after its create,
 * must not hide the state of every other resource in a batch.
 */
import { isAwsErrorCode } from './errors';
import type { BatchDescribe } from './state-watcher';

interface Described<T> {
  found: Map<string, T>;
  /** The IDs AWS said it does not know. */
  unknown: string[];
}

/**
 * Asks for `ids`; when AWS answers `notFoundCode`, it asks again without the IDs its message names. A
 * message that names none (AWS does not document its wording everywhere) is narrowed down by asking
 * for each ID on its own.
 */
export async function describeKnown<T>(ids: string[], notFoundCode: string, describe: BatchDescribe<T>): Promise<Described<T>> {
  const found = new Map<string, T>();
  const unknown: string[] = [];
  let asking = ids;
  while (asking.length) {
    try {
      for (const [id, item] of await describe(asking)) found.set(id, item);
      break;
    } catch (err) {
      if (!isAwsErrorCode(err, notFoundCode)) throw err;
      const named = asking.length === 1 ? asking : asking.filter((id) => String(err).includes(id));
      if (!named.length) {
        for (const id of asking) {
          const one = await describeKnown([id], notFoundCode, describe);
          for (const [key, item] of one.found) found.set(key, item);
          unknown.push(...one.unknown);
        }
        break;
      }
      unknown.push(...named);
      asking = asking.filter((id) => !named.includes(id));
    }
  }
  return { found, unknown };
}
