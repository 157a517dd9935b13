import { invalidParameterValue } from './errors';

export interface PageRequest {
  maxResults?: number;
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

interface Token {
  scope: string;
  after: number;
}

/**
 * Pages through items ordered by `seq`. The token names the last item's seq
 * rather than an offset, so resources created between pages do not shift it.
 * `scope` ties a token to its action so one action's token is rejected by another.
 */
export function paginate<T extends { seq: number }>(items: T[], page: PageRequest, scope: string): Page<T> {
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  const after = page.nextToken === undefined ? 0 : decodeToken(page.nextToken, scope);
  const remaining = sorted.filter((item) => item.seq > after);
  if (page.maxResults === undefined || remaining.length <= page.maxResults) return { items: remaining };
  const pageItems = remaining.slice(0, page.maxResults);
  const last = pageItems[pageItems.length - 1]!;
  return { items: pageItems, nextToken: encodeToken({ scope, after: last.seq }) };
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(raw: string, scope: string): number {
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Token>;
    if (token.scope === scope && Number.isInteger(token.after)) return token.after!;
  } catch {
    // fall through to the AWS-style error below
  }
  throw invalidParameterValue(`Invalid value '${raw}' for NextToken. The pagination token is invalid or expired.`);
}
