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

export async function describeRegions(ec2: EC2Client): Promise<RegionStatuses> {
  const out = await awsCall('DescribeRegions', () => ec2.send(new DescribeRegionsCommand({ AllRegions: true })));
  return new Map((out.Regions ?? []).map((r) => [r.RegionName ?? '', r.OptInStatus ?? '']));
}

/** Why `region` cannot be used in `account` (as a message says it), or undefined when it can. */
export function regionUnusable(regions: RegionStatuses, region: string, account: string): string | undefined {
  const status = regions.get(region);
  if (status === undefined) return `${region} is not a Region EC2 knows`;
  if (!ENABLED.has(status)) return `${region} is not enabled in ${account} (opt-in-status ${status})`;
  return undefined;
}
