import { SANDBOX_CREDENTIALS } from './core/access-keys';
import { credentialScope, headerValues, signatureOf, toAmzDate } from './core/sigv4';

/**
 * A small SigV4 signer for raw HTTP requests: tests (the sandbox's and the project's) build requests no
 * SDK would send (malformed bodies, wrong scopes, old dates) and sign them here, since the sandbox
 * refuses unsigned ones as AWS does. It computes the signature with the check's own canonicalisation
 * (core/sigv4.ts); real SDK clients and awscli sign everything else, so the check meets independent
 * signers there.
 */

export interface SignOptions {
  service: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Defaults to now. */
  date?: Date;
  /** Sign in the query string (a presigned URL) rather than in an Authorization header. */
  presign?: { expiresSeconds: number };
}

export interface RawRequest {
  method: string;
  /** Absolute URL of the sandbox endpoint plus path and query. */
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** `X-Amz-Date`'s format. */
export const amzDate = (date: Date): string => toAmzDate(date.getTime());

/** Returns the request with its signature added (headers, or query parameters when presigning). */
export function sign(request: RawRequest, options: SignOptions): RawRequest {
  const { accessKeyId, secretAccessKey } = options.credentials ?? SANDBOX_CREDENTIALS;
  const stamp = amzDate(options.date ?? new Date());
  const scope = { date: stamp.slice(0, 8), region: options.region ?? 'us-east-1', service: options.service, amzDate: stamp };
  const credential = `${accessKeyId}/${credentialScope(scope)}`;
  const url = new URL(request.url);
  const headers: Record<string, string> = { ...request.headers, host: url.host };
  if (options.presign) {
    url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
    url.searchParams.set('X-Amz-Credential', credential);
    url.searchParams.set('X-Amz-Date', stamp);
    url.searchParams.set('X-Amz-Expires', String(options.presign.expiresSeconds));
    url.searchParams.set('X-Amz-SignedHeaders', 'host');
  } else {
    headers['x-amz-date'] = stamp;
  }
  const canonicalHeaders = headerValues(Object.entries(headers).flat());
  const signedHeaders = options.presign ? ['host'] : [...canonicalHeaders.keys()].sort();
  const signature = signatureOf({ ...scope, signedHeaders }, secretAccessKey, {
    method: request.method,
    path: url.pathname,
    query: [...url.searchParams],
    headers: canonicalHeaders,
    body: request.body,
  });
  if (options.presign) {
    url.searchParams.set('X-Amz-Signature', signature);
    return { ...request, url: url.toString(), headers: request.headers };
  }
  const authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { ...request, headers: { ...headers, authorization } };
}

export async function send(request: RawRequest): Promise<Response> {
  const { host: _host, ...headers } = request.headers;
  return fetch(request.url, { method: request.method, headers, ...(request.method === 'GET' ? {} : { body: request.body }) });
}
