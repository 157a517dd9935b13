/** EC2 describe filters, as the look-ups build them. */
import type { Filter } from '@aws-sdk/client-ec2';

/** EC2 takes at most 200 values in one filter, so batched look-ups by ID go in chunks of this size. */
export const FILTER_VALUES = 200;

/**
 * A filter value that matches `value` and nothing else. EC2 reads `*` and `?` in filter values as
 * wildcards, and a backslash escapes them (`\*`, `\?`, `\\`): a tag value `web*` from a config
 * must not select every fleet whose tag starts with `web`.
 */
export function literal(value: string): string {
  return value.replace(/[\\*?]/g, '\\$&');
}

/** A filter matching any of the values exactly. Every filter the look-ups build goes through here. */
export function exactFilter(name: string, values: string[]): Filter {
  return { Name: name, Values: values.map(literal) };
}

export function tagFilters(tags: Record<string, string>): Filter[] {
  return Object.entries(tags).map(([key, value]) => exactFilter(`tag:${key}`, [value]));
}
