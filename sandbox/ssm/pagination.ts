import { ApiError } from '../core/errors';
import { paginate, type PageRequest } from '../core/pagination';

/**
 * Run Command's listings, paged on a cursor as the sandbox's other listings are (core/pagination.ts), with
 * SSM's InvalidNextToken for a token that is not this listing's. Commands and their invocations come
 * newest first, as SSM lists them.
 */

/** Keys that sort the newest command first, and a command's invocations in the order of its InstanceIds (at most 50). */
export function newestFirst(commandSeq: number, invocationIndex = 0): number {
  return 2 ** 40 - commandSeq * 64 + invocationIndex;
}

export function ssmPage<T>(keyed: { key: number; item: T }[], page: PageRequest, listing: string): { items: T[]; nextToken?: string } {
  try {
    const { items, nextToken } = paginate(
      keyed.map(({ key, item }) => ({ seq: key, item })),
      page,
      listing,
    );
    return { items: items.map((i) => i.item), nextToken };
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError('InvalidNextToken', 'The specified token is not valid.');
    throw error;
  }
}
