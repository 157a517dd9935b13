import { compileFilters, type FilterTable } from './filters';
import type { Ec2Params } from './params';
import { dryRunGate } from './render';
import { invalidParameterValue } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import { AWS_REGIONS, regionOptInStatus, type RegionOptInStatus } from '../core/regions';
import type { Ec2Context } from './state';

/**
 * DescribeRegions, as the EC2 API reference has it: the Regions enabled for the caller's account
 * (`opt-in-not-required` and `opted-in`), every commercial Region with AllRegions, or the named ones
 * whether enabled or not. The answer is the same in every Region the caller may call.
 */

interface RegionInfo {
  name: string;
  endpoint: string;
  optInStatus: RegionOptInStatus;
  /** Regions carry no tags: a tag filter matches none, as on other untagged resources. */
  tags?: undefined;
}

const REGION_FILTERS: FilterTable<RegionInfo> = {
  endpoint: (r) => [r.endpoint],
  'region-name': (r) => [r.name],
  'opt-in-status': (r) => [r.optInStatus],
};

function describeRegions(params: Ec2Params, { config }: Ec2Context): XmlObject {
  const names = [...new Set(params.stringList('RegionName'))];
  const allRegions = params.bool('AllRegions') ?? false;
  const matches = compileFilters(params.filters(), REGION_FILTERS);
  // AWS's answer to an unknown name, as SDK issues quote it: `Invalid region: [us--east-1]`.
  const unknown = names.filter((name) => !AWS_REGIONS.includes(name));
  if (unknown.length > 0) throw invalidParameterValue(`Invalid region: [${unknown.join(', ')}]`);
  dryRunGate(params);

  const regions = (names.length > 0 ? names : AWS_REGIONS).map((name) => ({
    name,
    endpoint: `ec2.${name}.amazonaws.com`,
    optInStatus: regionOptInStatus(name, config.optedInRegions)!,
  }));
  const listed = regions.filter((r) => (names.length > 0 || allRegions || r.optInStatus !== 'not-opted-in') && matches(r));
  return {
    regionInfo: listed.map((r) => ({ regionName: r.name, regionEndpoint: r.endpoint, optInStatus: r.optInStatus })),
  };
}

export const regionActions = {
  DescribeRegions: describeRegions,
};
