import { invalidParameterCombination, invalidParameterValue } from '../core/errors';
import type { PageRequest } from '../core/pagination';
import type { Ec2Params } from './params';

interface PageRules {
  min: number;
  max: number;
  /** Where AWS documents that a larger value returns at most `max` items rather than failing. */
  largerReturnsMax?: boolean;
  /** The name of the ID-list parameter that MaxResults may not be combined with. */
  idParameter: string;
  idsGiven: boolean;
}

/** Reads MaxResults/NextToken with EC2's rules: a range, and never together with explicit IDs. */
export function readEc2Page(params: Ec2Params, rules: PageRules): PageRequest {
  const maxResults = params.int('MaxResults');
  const nextToken = params.string('NextToken');
  if (maxResults !== undefined) {
    if (rules.idsGiven) {
      throw invalidParameterCombination(`The parameter ${rules.idParameter} cannot be used with the parameter maxResults`);
    }
    if (maxResults > rules.max && rules.largerReturnsMax) return { maxResults: rules.max, nextToken: pageToken(nextToken) };
    if (maxResults < rules.min || maxResults > rules.max) {
      throw invalidParameterValue(
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${rules.min} and ${rules.max}.`,
      );
    }
  }
  return { maxResults, nextToken: pageToken(nextToken) };
}

function pageToken(raw: string | undefined): string | undefined {
  return raw === '' ? undefined : raw;
}
