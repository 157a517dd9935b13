import type { MemberReader } from '../core/member-reader';

/**
 * A map member as the Query protocol sends it: `Name.entry.N.<key>` and `Name.entry.N.<value>`, the key
 * and value elements named by the model (`key`/`value` unless it says otherwise, as SNS's message
 * attributes do with `Name`/`Value`). Each entry is read by `read`, in index order.
 */
export function queryMap<T>(params: MemberReader, name: string, read: (entry: MemberReader) => [string, T]): Map<string, T> {
  const entries = params.struct(name)?.struct('entry');
  const map = new Map<string, T>();
  for (let i = 1; entries?.struct(String(i)); i++) {
    const [key, value] = read(entries.struct(String(i))!);
    map.set(key, value);
  }
  return map;
}
