import type { BucketSpec } from '../core/throttle';

/**
 * EC2 Auto Scaling's throttling, per account and Region. AWS publishes no request rates for its API (it
 * answers `Throttling: Rate exceeded` when a caller goes over); the sandbox gives the describes one bucket
 * (40 deep, 20 a second, the shape of EC2's non-mutating bucket at a fifth of its size) and the mutations
 * another (20 deep, 5 a second), both resizable through the config's `throttling.buckets` by these keys.
 */
const BUCKETS = {
  describe: { key: 'autoscaling:describe', capacity: 40, refillPerSecond: 20 },
  mutate: { key: 'autoscaling:mutate', capacity: 20, refillPerSecond: 5 },
} satisfies Record<string, BucketSpec>;

export function autoScalingBucketFor(action: string): BucketSpec {
  return action.startsWith('Describe') ? BUCKETS.describe : BUCKETS.mutate;
}
