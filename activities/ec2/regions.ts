/**
 * The Regions EC2 knows and whether each is enabled: DescribeRegions with AllRegions, which lists the
 * disabled ones too, with their opt-in status. Opt-in Regions are enabled per account, so each account's
 * own answer counts for that account.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';

/** Region code → opt-in status: `opt-in-not-required`, `opted-in` or `not-opted-in`. */
export type RegionStatuses = Map<string, string>;

const ENABLED = new Set(['opt-in-not-required', 'opted-in']);

/**
 * An account's Regions change when someone opts in or out, rarely: one answer serves every run's
 * preflight through the same client for a few minutes, so a hundred pipelines starting together ask once.
 */
const KEEP_MS = 5 * 60_000;
const answers = new WeakMap<EC2Client, { until: number; regions: Promise<RegionStatuses> }>();

export function describeRegions(ec2: EC2Client): Promise<RegionStatuses> {
  const kept = answers.get(ec2);
  if (kept && kept.until > Date.now()) return kept.regions;
  const regions = awsCall('DescribeRegions', () => ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).then(
    (out) => new Map((out.Regions ?? []).map((r) => [r.RegionName ?? '', r.OptInStatus ?? ''])),
  );
  answers.set(ec2, { until: Date.now() + KEEP_MS, regions });
  // A failed answer is not kept: the next preflight asks again.
  regions.catch(() => answers.delete(ec2));
  return regions;
}

/** Why `region` cannot be used in `account` (as a message says it), or undefined when it can. */
export function regionUnusable(regions: RegionStatuses, region: string, account: string): string | undefined {
  const status = regions.get(region);
  if (status === undefined) return `${region} is not a Region EC2 knows`;
  if (!ENABLED.has(status)) return `${region} is not enabled in ${account} (opt-in-status ${status})`;
  return undefined;
}
