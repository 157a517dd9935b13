import type { Ec2Params } from './params';
import { dryRunGate } from './render';
import { compileFilters, type FilterTable } from './filters';
import { paginate } from '../core/pagination';
import { readEc2Page } from './pagination';
import type { XmlObject } from '../core/query-protocol';
import type { Tags } from '../core/state';
import type { Ec2State, Ec2Context } from './state';

/**
 * The shape every EC2 Describe* shares: explicit IDs (each must exist), filters,
 * MaxResults/NextToken, DryRun, then one page of what matches. A spec says only
 * what differs between resources.
 */

export interface DescribeSpec<T extends { seq: number; tags?: Tags }> {
  /** Scopes pagination tokens, so that one action's token is rejected by another. */
  action: string;
  /** The ID list parameter, e.g. `InstanceId` for InstanceId.1, InstanceId.2, … */
  idParameter: string;
  maxResults: {
    min: number;
    max: number;
    /** Where AWS documents that a larger value returns at most `max` items rather than failing. */
    largerReturnsMax?: boolean;
    /** The ID list's name in EC2's error when MaxResults comes with IDs; omit where AWS allows both. */
    exclusiveWithIds?: string;
  };
  /** Resolves explicit IDs, with EC2's Malformed / NotFound errors. */
  require(state: Ec2State, ids: string[]): T[];
  /** Everything the describe sees when no IDs are given. */
  all(state: Ec2State, now: number): T[];
  filters(state: Ec2State, now: number): FilterTable<T>;
  /**
   * Action-specific parameters (Owner.N, …) as one more predicate. Read before
   * DryRun, so a DryRun request is validated like a real one.
   */
  narrow?(params: Ec2Params, state: Ec2State): (item: T) => boolean;
  /** The response members for one page; `nextToken` is appended after them. */
  render(items: T[], state: Ec2State, now: number): XmlObject;
}

export function describeAction<T extends { seq: number; tags?: Tags }>(
  spec: DescribeSpec<T>,
): (params: Ec2Params, ctx: Ec2Context) => XmlObject {
  return (params, { state }) => {
    const ids = params.stringList(spec.idParameter);
    const filters = params.filters();
    const narrow = spec.narrow?.(params, state) ?? (() => true);
    const { exclusiveWithIds } = spec.maxResults;
    const page = readEc2Page(params, {
      ...spec.maxResults,
      idParameter: exclusiveWithIds ?? '',
      idsGiven: exclusiveWithIds !== undefined && ids.length > 0,
    });
    // Where 0 is allowed (DescribeFastLaunchImages), AWS does not say what it means; take it as "no limit".
    if (page.maxResults === 0) page.maxResults = undefined;
    dryRunGate(params);

    const now = state.clock.now();
    const candidates = ids.length > 0 ? spec.require(state, ids) : spec.all(state, now);
    const matches = compileFilters(filters, spec.filters(state, now));
    const { items, nextToken } = paginate(
      candidates.filter((item) => narrow(item) && matches(item)),
      page,
      spec.action,
    );
    return { ...spec.render(items, state, now), nextToken };
  };
}
