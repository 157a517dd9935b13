import { ApiError } from '../core/errors';
import type { MemberReader } from '../core/member-reader';
import { paginate, type Page, type PageRequest } from '../core/pagination';

/**
 * MaxRecords / NextToken for Auto Scaling's describes: 50 by default and at most 100, as the API reference
 * says; paged on a cursor like every sandbox listing (core/pagination.ts), with Auto Scaling's InvalidNextToken.
 */

const DEFAULT_PAGE_SIZE = 50;

export function readPage(params: MemberReader): PageRequest & { maxResults: number } {
  const maxRecords = params.int('MaxRecords', { min: 1, max: 100 });
  return { maxResults: maxRecords ?? DEFAULT_PAGE_SIZE, nextToken: params.string('NextToken') };
}

export function pageOf<T extends { seq: number }>(items: T[], page: PageRequest, listing: string): Page<T> {
  try {
    return paginate(items, page, `autoscaling:${listing}`);
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError('InvalidNextToken', 'The NextToken value is not valid.');
    throw error;
  }
}
