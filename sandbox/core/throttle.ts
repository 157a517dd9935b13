import { z } from 'zod';

/**
 * Token-bucket request throttling as EC2 documents it: each API has a bucket
 * of a given size that refills at a fixed rate; a request takes one token, and
 * a request that finds the bucket empty is throttled. Each service says which
 * bucket a request draws from (ec2/throttle.ts, appstream/throttle.ts).
 */

const bucketSizeSchema = z.strictObject({ capacity: z.number().positive(), refillPerSecond: z.number().positive() });
type BucketSize = z.infer<typeof bucketSizeSchema>;

export interface BucketSpec extends BucketSize {
  /** Bucket identity: requests with the same key draw from the same bucket. */
  key: string;
}

class TokenBucket {
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

export const throttleSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Multiplies every bucket's size and refill rate: 0.1 makes throttling 10x easier to hit. */
  scale: z.number().positive(),
  /**
   * Bucket sizes by bucket key (AppStream's `appstream:describe` and `appstream:mutating`, or an
   * EC2 action), replacing the built-in ones; the scale still applies. A new map replaces the previous one.
   */
  buckets: z.record(z.string().min(1), bucketSizeSchema).optional(),
});
export type ThrottleSettings = z.infer<typeof throttleSettingsSchema>;

/** Owns the buckets of one service, one set per account and Region as on AWS; rebuilt whenever the settings change. */
export class Throttler {
  private buckets = new Map<string, TokenBucket>();

  constructor(private settings: ThrottleSettings) {}

  configure(settings: ThrottleSettings): void {
    this.settings = settings;
    this.buckets.clear();
  }

  /** True if the request may proceed. `scope` (`<account>/<region>`) picks whose bucket it draws from. */
  admit(spec: BucketSpec, scope: string): boolean {
    if (!this.settings.enabled) return true;
    const key = `${scope} ${spec.key}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const size = this.settings.buckets && Object.hasOwn(this.settings.buckets, spec.key) ? this.settings.buckets[spec.key]! : spec;
      // A bucket smaller than one token would throttle everything, whatever the scale.
      bucket = new TokenBucket(Math.max(1, size.capacity * this.settings.scale), size.refillPerSecond * this.settings.scale);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }
}
