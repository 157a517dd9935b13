/**
 * The rate governor, worker side: which lanes (contracts/rate-lanes.ts) a worker polls, at what rate,
 * and what it tells a run about them. Every worker on a task queue must be given the same settings:
 * the server keeps one limit per lane, the last poller's.
 *
 * Settings come from the environment:
 * - GOLDEN_IMAGE_GOVERNED_REGIONS: Regions besides the worker's own whose calls go through lanes
 *   (copy and share destinations, fast-launch Regions). Calls elsewhere are sent at once, as without a governor.
 * - GOLDEN_IMAGE_GOVERNED_ACCOUNTS: other accounts (12-digit IDs) whose calls go through lanes.
 * - GOLDEN_IMAGE_EC2_RATES: refill rates per bucket that differ from AWS's defaults, such as
 *   `mutating=10,CopyImage=2` for an account with raised limits, or `mutating=3` to leave the rest of
 *   the bucket to other tools that share the account.
 * - GOLDEN_IMAGE_RATE_GOVERNOR=off sends every call at once (each throttled answer is retried): the
 *   home lanes are still polled, for the runs that send there, but with no limit.
 */
import type { ZodType } from 'zod';
import { accountId, region } from '../../contracts/aws-ids';
import {
  EC2_BUCKET_NAMES,
  EC2_BUCKETS,
  HOME_ACCOUNT,
  HOME_REGION,
  laneQueue,
  type Ec2Bucket,
  type GovernedPlaces,
} from '../../contracts/rate-lanes';

export interface RateGovernorSettings {
  /** Regions besides the home Region with lanes. */
  regions: string[];
  /** Other accounts with lanes. */
  accounts: string[];
  /** Refill rates (calls per second) that replace AWS's published ones. */
  rates: Partial<Record<Ec2Bucket, number>>;
}

export const DEFAULT_GOVERNOR: RateGovernorSettings = { regions: [], accounts: [], rates: {} };

export interface Lane {
  taskQueue: string;
  /** Undefined: no limit (the governor is off). */
  perSecond?: number;
}

/** The governor's settings from the environment, or false when it is switched off; a bad value stops the worker with its reason. */
export function governorFromEnv(env: NodeJS.ProcessEnv = process.env): RateGovernorSettings | false {
  const mode = env.GOLDEN_IMAGE_RATE_GOVERNOR ?? 'on';
  if (mode === 'off') return false;
  if (mode !== 'on') throw new Error(`GOLDEN_IMAGE_RATE_GOVERNOR must be on or off, not ${mode}`);
  return {
    regions: listFrom(env.GOLDEN_IMAGE_GOVERNED_REGIONS, 'GOLDEN_IMAGE_GOVERNED_REGIONS', region, 'Region codes'),
    accounts: listFrom(env.GOLDEN_IMAGE_GOVERNED_ACCOUNTS, 'GOLDEN_IMAGE_GOVERNED_ACCOUNTS', accountId, '12-digit account IDs'),
    rates: ratesFrom(env.GOLDEN_IMAGE_EC2_RATES),
  };
}

function listFrom(text: string | undefined, name: string, schema: ZodType<string>, what: string): string[] {
  const items = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((item) => !schema.safeParse(item).success);
  if (bad.length) throw new Error(`${name} has values that are not ${what}: ${bad.join(', ')}`);
  return [...new Set(items)];
}

function ratesFrom(text: string | undefined): RateGovernorSettings['rates'] {
  const rates: RateGovernorSettings['rates'] = {};
  for (const entry of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [bucket, value] = entry.split('=').map((s) => s.trim());
    if (!EC2_BUCKET_NAMES.includes(bucket as Ec2Bucket)) {
      throw new Error(`GOLDEN_IMAGE_EC2_RATES: unknown bucket ${bucket}; the buckets are ${EC2_BUCKET_NAMES.join(', ')}`);
    }
    const perSecond = Number(value);
    if (!(perSecond > 0 && perSecond <= 10_000)) {
      throw new Error(`GOLDEN_IMAGE_EC2_RATES: ${bucket} needs calls per second above 0 (such as ${bucket}=5), not ${value}`);
    }
    rates[bucket as Ec2Bucket] = perSecond;
  }
  return rates;
}

/** What a run is told (by the distribution preflight): where else this worker has lanes. */
export function governedPlaces(settings: RateGovernorSettings | false, homeRegion: string): GovernedPlaces | null {
  return settings ? { regions: settings.regions.filter((r) => r !== homeRegion), accounts: settings.accounts } : null;
}

/**
 * Every lane a worker on `taskQueue` polls: each bucket, at home and in each governed Region of each
 * governed account. A worker always polls its home lanes, which runs send to without asking.
 */
export function lanesOf(settings: RateGovernorSettings | false, taskQueue: string, homeRegion: string): Lane[] {
  const elsewhere = governedPlaces(settings, homeRegion) ?? { regions: [], accounts: [] };
  return [HOME_ACCOUNT, ...elsewhere.accounts].flatMap((account) =>
    [HOME_REGION, ...elsewhere.regions].flatMap((region) =>
      EC2_BUCKET_NAMES.map((bucket) => ({
        taskQueue: laneQueue(taskQueue, bucket, account, region),
        ...(settings ? { perSecond: settings.rates[bucket] ?? EC2_BUCKETS[bucket].refillPerSecond } : {}),
      })),
    ),
  );
}
