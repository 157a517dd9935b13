import { createHash, createHmac } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from './core/access-keys';

/**
 * A small SigV4 signer for raw HTTP requests, written from AWS's description of the algorithm: tests
 * (the sandbox's and the project's) build requests no SDK would send (malformed bodies, wrong scopes,
 * old dates) and sign them here, since the sandbox refuses unsigned ones as AWS does. Real SDK clients
 * and awscli sign everything else, so the sandbox's check meets independent signers too.
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

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Returns the request with its signature added (headers, or query parameters when presigning). */
export function sign(request: RawRequest, options: SignOptions): RawRequest {
  const { accessKeyId, secretAccessKey } = options.credentials ?? SANDBOX_CREDENTIALS;
  const region = options.region ?? 'us-east-1';
  const stamp = amzDate(options.date ?? new Date());
  const scope = `${stamp.slice(0, 8)}/${region}/${options.service}/aws4_request`;
  const url = new URL(request.url);
  const headers: Record<string, string> = { ...request.headers, host: url.host };
  if (options.presign) {
    url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
    url.searchParams.set('X-Amz-Credential', `${accessKeyId}/${scope}`);
    url.searchParams.set('X-Amz-Date', stamp);
    url.searchParams.set('X-Amz-Expires', String(options.presign.expiresSeconds));
    url.searchParams.set('X-Amz-SignedHeaders', 'host');
  } else {
    headers['x-amz-date'] = stamp;
  }
  const signed = options.presign
    ? ['host']
    : Object.keys(headers)
        .map((h) => h.toLowerCase())
        .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const query = [...url.searchParams]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonical = [
    request.method,
    url.pathname.split('/').map(encode).join('/'),
    query,
    ...signed.map((h) => `${h}:${lower[h]}`),
    '',
    signed.join(';'),
    sha256(request.body),
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, stamp.slice(0, 8)), region), options.service), 'aws4_request');
  const signature = hmac(key, toSign).toString('hex');
  if (options.presign) {
    url.searchParams.set('X-Amz-Signature', signature);
    return { ...request, url: url.toString(), headers: request.headers };
  }
  const authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return { ...request, headers: { ...headers, authorization } };
}

export async function send(request: RawRequest): Promise<Response> {
  const { host: _host, ...headers } = request.headers;
  return fetch(request.url, { method: request.method, headers, ...(request.method === 'GET' ? {} : { body: request.body }) });
}
