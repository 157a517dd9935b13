/** EC2 describe filters, as the look-ups build them. */
import type { Filter } from '@aws-sdk/client-ec2';

/** EC2 takes at most 200 values in one filter, so batched look-ups by ID go in chunks of this size. */
export const FILTER_VALUES = 200;

export function tagFilters(tags: Record<string, string>): Filter[] {
  return Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
}
