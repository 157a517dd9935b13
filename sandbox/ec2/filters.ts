import { invalidParameterValue } from '../core/errors';
import type { Filter } from './params';
import type { Tags } from '../core/state';

/** For each supported filter name, the values a resource has for it. */
export type FilterTable<T> = Record<string, (resource: T) => (string | undefined)[]>;

/**
 * EC2 filter semantics: filters AND together, a filter's values OR together,
 * values may use `*` and `?` wildcards (a backslash escapes them), and `tag:<key>` / `tag-key` work on
 * every taggable resource. An unsupported filter name is an error, as in AWS.
 */
export function compileFilters<T extends { tags?: Tags }>(filters: Filter[], table: FilterTable<T>): (resource: T) => boolean {
  const predicates = filters.map((filter) => {
    const valuesOf = valuesFor(filter.name, table);
    const patterns = filter.values.map(wildcardToRegExp);
    return (resource: T) => valuesOf(resource).some((v) => v !== undefined && patterns.some((p) => p.test(v)));
  });
  return (resource) => predicates.every((matches) => matches(resource));
}

function valuesFor<T extends { tags?: Tags }>(name: string, table: FilterTable<T>): (resource: T) => (string | undefined)[] {
  if (name.startsWith('tag:')) {
    const key = name.slice('tag:'.length);
    return (r) => [r.tags?.get(key)];
  }
  // Untaggable resources (e.g. fast-launch settings) simply match no tag filter.
  if (name === 'tag-key') return (r) => [...(r.tags?.keys() ?? [])];
  if (name === 'tag-value') return (r) => [...(r.tags?.values() ?? [])];
  const fromTable = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!fromTable) throw invalidParameterValue(`The filter '${name}' is invalid`);
  return fromTable;
}

/**
 * A filter value as EC2 reads it: `*` matches zero or more characters, `?` exactly one, and a
 * backslash makes the next character literal (`\*`, `\?`, `\\`), as the EC2 API reference documents.
 * A trailing lone backslash is itself.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
