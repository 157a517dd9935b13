/**
 * Token-bucket request throttling as EC2 documents it: each API has a bucket
 * of a given size that refills at a fixed rate; a request takes one token, and
 * a request that finds the bucket empty is throttled.
 */

export interface BucketSpec {
  /** Bucket identity: requests with the same key draw from the same bucket. */
  key: string;
  capacity: number;
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private lastRefill: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    now = performance.now(),
  ) {
    this.tokens = capacity;
    this.lastRefill = now;
  }

  tryTake(now = performance.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastRefill) / 1000) * this.refillPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface BucketSize {
  capacity: number;
  refillPerSecond: number;
}

export interface ThrottleSettings {
  enabled: boolean;
  scale: number;
  /** Bucket sizes by bucket key (e.g. `appstream:describe`), replacing the built-in ones; the scale still applies. */
  buckets?: Record<string, BucketSize>;
}

/** Owns the buckets of one service; rebuilt whenever the settings change. */
export class Throttler {
  private buckets = new Map<string, TokenBucket>();

  constructor(private settings: ThrottleSettings) {}

  configure(settings: ThrottleSettings): void {
    this.settings = settings;
    this.buckets.clear();
  }

  /** True if the request may proceed. */
  admit(spec: BucketSpec): boolean {
    if (!this.settings.enabled) return true;
    let bucket = this.buckets.get(spec.key);
    if (!bucket) {
      const size = this.settings.buckets && Object.hasOwn(this.settings.buckets, spec.key) ? this.settings.buckets[spec.key]! : spec;
      // A bucket smaller than one token would throttle everything, whatever the scale.
      bucket = new TokenBucket(Math.max(1, size.capacity * this.settings.scale), size.refillPerSecond * this.settings.scale);
      this.buckets.set(spec.key, bucket);
    }
    return bucket.tryTake();
  }
}

/** EC2's published bucket sizes (see reference/AWS-FACTS.md). */
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
