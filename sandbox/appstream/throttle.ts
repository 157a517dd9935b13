import type { BucketSpec } from '../core/throttle';

/**
 * AppStream request throttling. AWS publishes no AppStream limits, so these
 * bucket sizes are the sandbox's own choice: describes get a larger bucket
 * than mutating calls, as in EC2. Like EC2's, they are multiplied by the
 * throttling scale, switched by `throttling.enabled`, and can be overridden per
 * key through `throttling.buckets` in the config.
 */

export const APPSTREAM_DESCRIBE_BUCKET: BucketSpec = { key: 'appstream:describe', capacity: 20, refillPerSecond: 5 };
export const APPSTREAM_MUTATING_BUCKET: BucketSpec = { key: 'appstream:mutating', capacity: 10, refillPerSecond: 2 };

export function appStreamBucketFor(operation: string): BucketSpec {
  return /^(Describe|List)/.test(operation) ? APPSTREAM_DESCRIBE_BUCKET : APPSTREAM_MUTATING_BUCKET;
}
