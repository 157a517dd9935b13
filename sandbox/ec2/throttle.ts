import type { BucketSpec } from '../core/throttle';

/** EC2's published request-throttling bucket sizes ([capacity, refill per second]), from AWS's documentation. */
const EC2_PER_API: Record<string, [capacity: number, refillPerSecond: number]> = {
  RunInstances: [5, 2],
  EnableFastLaunch: [5, 2],
  DisableFastLaunch: [5, 2],
  DeregisterImage: [100, 5],
  CreateTags: [100, 10],
  CopyImage: [100, 1],
};
const EC2_NON_MUTATING: [number, number] = [100, 20];
const EC2_UNFILTERED_NON_MUTATING: [number, number] = [50, 10];
const EC2_MUTATING: [number, number] = [50, 5];
const EC2_UNFILTERED_CANDIDATES = new Set(['DescribeInstances', 'DescribeSnapshots', 'DescribeVolumes']);

/**
 * The bucket an EC2 request draws from. `filteredOrPaginated` matters only for
 * the three describes whose unfiltered, unpaginated form has a smaller bucket.
 */
export function ec2BucketFor(action: string, filteredOrPaginated: boolean): BucketSpec {
  const perApi = EC2_PER_API[action];
  if (perApi) return spec(action, perApi);
  if (/^(Describe|List|Get)/.test(action)) {
    if (EC2_UNFILTERED_CANDIDATES.has(action) && !filteredOrPaginated) {
      return spec(`${action}#unfiltered`, EC2_UNFILTERED_NON_MUTATING);
    }
    return spec(action, EC2_NON_MUTATING);
  }
  return spec(action, EC2_MUTATING);
}

function spec(key: string, [capacity, refillPerSecond]: [number, number]): BucketSpec {
  return { key, capacity, refillPerSecond };
}
