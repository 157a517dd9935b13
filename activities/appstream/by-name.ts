/** AppStream's describe-by-names, made tolerant of names it does not know. */
import { isAwsErrorCode } from '../aws/errors';

/**
 * AppStream fails a whole describe-by-names when one name is unknown. Ask for the batch first; only
 * when that fails that way, ask name by name, so one deleted resource cannot blind the other waits.
 */
export async function byNameTolerant<T>(names: string[], describe: (names: string[]) => Promise<Map<string, T>>): Promise<Map<string, T>> {
  try {
    return await describe(names);
  } catch (err) {
    if (!isAwsErrorCode(err, 'ResourceNotFoundException')) throw err;
    if (names.length === 1) return new Map();
    const found = new Map<string, T>();
    for (const name of names) for (const [key, value] of await byNameTolerant([name], describe)) found.set(key, value);
    return found;
  }
}
