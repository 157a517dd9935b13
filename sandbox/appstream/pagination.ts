import type { JsonParams } from '../core/json-params';
import { ApiError } from '../core/errors';
import { paginate, type Page, type PageRequest } from '../core/pagination';

/**
 * MaxResults / NextToken for AppStream describes. AWS documents no default
 * page size; the sandbox uses 25 (DescribeImages' maximum), and 0 means the
 * default, as an unset value does.
 */

const DEFAULT_PAGE_SIZE = 25;

export function readAppStreamPage(params: JsonParams, max?: number): PageRequest {
  const maxResults = params.int('MaxResults', { min: 0, max });
  const nextToken = params.string('NextToken');
  return { maxResults: maxResults || DEFAULT_PAGE_SIZE, nextToken: nextToken === '' ? undefined : nextToken };
}

/** Pages like every sandbox describe, but reports a bad token the way a JSON service does. */
export function pageOf<T extends { seq: number }>(items: T[], page: PageRequest, scope: string): Page<T> {
  try {
    return paginate(items, page, `appstream:${scope}`);
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError('ValidationException', `Invalid NextToken: ${page.nextToken}`);
    throw error;
  }
}
