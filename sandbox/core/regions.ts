import { z } from 'zod';
import type { Caller } from './access-keys';
import { INVALID_TOKEN, SigV4Failure } from './sigv4';

/**
 * AWS's commercial Regions (the `aws` partition of botocore's endpoint data) and which of them an account
 * must enable first. As the AWS Account Management reference has it, the Regions launched before
 * 20 March 2019 are enabled in every account; every later one is an opt-in Region, disabled until the
 * account enables it. The sandbox's accounts have enabled the config's `optedInRegions`.
 */

const DEFAULT_REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
] as const;

export type OptInRegion = (typeof OPT_IN_REGIONS)[number];

/** Every commercial Region, in name order. */
export const AWS_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS].sort();

/** DescribeRegions' `OptInStatus`. */
export type RegionOptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

/** A commercial Region's opt-in status for accounts that have enabled `optedIn`; undefined for a name that is not AWS's. */
export function regionOptInStatus(region: string, optedIn: readonly string[]): RegionOptInStatus | undefined {
  if ((DEFAULT_REGIONS as readonly string[]).includes(region)) return 'opt-in-not-required';
  if (!(OPT_IN_REGIONS as readonly string[]).includes(region)) return undefined;
  return optedIn.includes(region) ? 'opted-in' : 'not-opted-in';
}

/** The config's `optedInRegions`: opt-in Regions, each named once (the others need no enabling). */
export const optedInRegionsSchema = z
  .array(z.enum(OPT_IN_REGIONS))
  .refine((regions) => new Set(regions).size === regions.length, 'each Region may be named once');

/**
 * AWS refuses every call signed for an opt-in Region the account has not enabled as it refuses an unknown
 * key (SDK issues quote each: EC2 401 AuthFailure, JSON services UnrecognizedClientException, STS
 * InvalidClientTokenId, all "The security token included in the request is invalid"), before it counts
 * or throttles the call. A Region name AWS does not have is left alone, as the sandbox always has.
 */
export function requireEnabledRegion(caller: Caller, optedIn: readonly string[]): void {
  if (regionOptInStatus(caller.region, optedIn) === 'not-opted-in') throw new SigV4Failure('unknownKey', INVALID_TOKEN);
}
