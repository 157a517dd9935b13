import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessKey, Caller, TemporaryKey, TemporaryKeys } from './access-keys';

/**
 * AWS Signature Version 4, checked as AWS checks it: the canonical request, the string to sign and
 * the derived signing key, from an `Authorization` header or from presigned query parameters
 * (`X-Amz-Algorithm`, `X-Amz-Credential`, …). Which error each failure becomes depends on the
 * protocol family (see sigv4-errors.ts); this module only says what went wrong. The test signer
 * (raw-signing.ts) computes its signatures with the same canonicalisation (signatureOf).
 */

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses a request whose time is further than this from its own, either way. */
const MAX_SKEW_MS = 15 * 60 * 1000;

export type SigV4FailureKind = 'missing' | 'incomplete' | 'mismatch' | 'unknownKey' | 'expired' | 'expiredToken';

export class SigV4Failure extends Error {
  constructor(
    readonly kind: SigV4FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Failure';
  }
}

/** The parts of an HTTP request a signature covers. */
export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query string, still percent-encoded. */
  target: string;
  /** Node's `rawHeaders`: names and values alternating, repeated headers kept apart. */
  rawHeaders: string[];
  body: Uint8Array;
}

/** What a signature covers besides the request: its credential scope, time and signed headers. */
export interface SigningScope {
  /** YYYYMMDD, the credential scope's date. */
  date: string;
  region: string;
  service: string;
  /** The signing time, ISO 8601 basic format (`20260101T000000Z`). */
  amzDate: string;
  /** Lower-case header names. */
  signedHeaders: string[];
}

interface Signature extends SigningScope {
  accessKeyId: string;
  signature: string;
  /** Presigned requests only: how long the signature is valid, in seconds. */
  expiresSeconds?: number;
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, upper-case hex. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

function queryPairs(query: string): [string, string][] {
  if (query === '') return [];
  return query.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
  });
}

/** Services other than S3 sign the path as sent, encoded once more (so `%2F` is signed as `%252F`), dot segments removed. */
function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  return `/${segments.join('/')}`;
}

function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** Header values trimmed, inner runs of spaces collapsed, repeated headers joined with commas; names lower-cased. */
export function headerValues(rawHeaders: string[]): Map<string, string> {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim().replace(/ +/g, ' ');
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return new Map([...values].map(([name, list]) => [name, list.join(',')]));
}

function parseCredential(credential: string, amzDate: string): Pick<Signature, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw new SigV4Failure('incomplete', `Credential should be scoped to a valid region, not '${parts[2] ?? ''}'. `);
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== 'aws4_request') {
    throw new SigV4Failure('incomplete', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new SigV4Failure('incomplete', `Credential should be scoped to a valid region, not '${region}'. `);
  }
  if (date !== amzDate.slice(0, 8)) {
    throw new SigV4Failure(
      'mismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  return { accessKeyId, date, region, service };
}

function checkAmzDate(amzDate: string | undefined): string {
  if (amzDate === undefined) {
    throw new SigV4Failure('incomplete', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || Number.isNaN(amzDateMs(amzDate))) {
    throw new SigV4Failure(
      'incomplete',
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return amzDate;
}

function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

function fromAuthorizationHeader(authorization: string, headers: Map<string, string>): Signature {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) throw new SigV4Failure('incomplete', `Unsupported AWS 'algorithm': '${algorithm}'.`);
  const fields = new Map<string, string>();
  for (const field of authorization.slice(space + 1).split(',')) {
    const at = field.indexOf('=');
    if (at > 0) fields.set(field.slice(0, at).trim(), field.slice(at + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    const each = missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ');
    throw new SigV4Failure('incomplete', `${each} Authorization=${authorization}`);
  }
  const amzDate = checkAmzDate(headers.get('x-amz-date'));
  return {
    ...parseCredential(fields.get('Credential')!, amzDate),
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature: fields.get('Signature')!,
    amzDate,
  };
}

const PRESIGN_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'];

function fromQuery(params: Map<string, string>): Signature {
  if (PRESIGN_PARAMETERS.some((name) => !params.get(name))) {
    throw new SigV4Failure(
      'incomplete',
      `AWS query-string parameters must include ${PRESIGN_PARAMETERS.map((n) => `'${n}'`).join(', ')}. Re-examine the query-string parameters.`,
    );
  }
  const algorithm = params.get('X-Amz-Algorithm')!;
  if (algorithm !== ALGORITHM) throw new SigV4Failure('incomplete', `Unsupported AWS 'algorithm': '${algorithm}'.`);
  const amzDate = checkAmzDate(params.get('X-Amz-Date'));
  const expires = params.get('X-Amz-Expires');
  if (expires !== undefined && !/^\d+$/.test(expires)) {
    throw new SigV4Failure('incomplete', `X-Amz-Expires must be a whole number of seconds, not '${expires}'.`);
  }
  return {
    ...parseCredential(params.get('X-Amz-Credential')!, amzDate),
    signedHeaders: params.get('X-Amz-SignedHeaders')!.split(';'),
    signature: params.get('X-Amz-Signature')!,
    amzDate,
    ...(expires !== undefined ? { expiresSeconds: Number(expires) } : {}),
  };
}

function checkTime(sig: Signature, nowMs: number): void {
  const signedAt = amzDateMs(sig.amzDate);
  const validUntil = sig.expiresSeconds !== undefined ? signedAt + sig.expiresSeconds * 1000 : signedAt + MAX_SKEW_MS;
  if (nowMs > validUntil) {
    throw new SigV4Failure(
      'expired',
      `Signature expired: ${sig.amzDate} is now earlier than ${toAmzDate(nowMs - MAX_SKEW_MS)} (${toAmzDate(nowMs)} - 15 min.)`,
    );
  }
  if (signedAt > nowMs + MAX_SKEW_MS) {
    throw new SigV4Failure(
      'expired',
      `Signature not yet current: ${sig.amzDate} is still later than ${toAmzDate(nowMs + MAX_SKEW_MS)} (${toAmzDate(nowMs)} + 15 min.)`,
    );
  }
}

/** Epoch ms in ISO 8601 basic format, as `X-Amz-Date` carries it. */
export function toAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

interface CanonicalParts {
  method: string;
  /** As sent, still percent-encoded. */
  path: string;
  /** Decoded names and values. */
  query: [string, string][];
  /** As headerValues gives them. */
  headers: Map<string, string>;
  body: string | Uint8Array;
}

/** `<date>/<region>/<service>/aws4_request`, as `X-Amz-Credential` carries it after the access key ID. */
export function credentialScope(sig: Pick<SigningScope, 'date' | 'region' | 'service'>): string {
  return `${sig.date}/${sig.region}/${sig.service}/aws4_request`;
}

/** The signature of request `req` for `sig`'s scope and signed headers, made with `secretAccessKey`. */
export function signatureOf(sig: SigningScope, secretAccessKey: string, req: CanonicalParts): string {
  const canonicalRequest = [
    req.method,
    canonicalUri(req.path),
    canonicalQuery(req.query),
    ...sig.signedHeaders.map((name) => `${name}:${req.headers.get(name) ?? ''}`),
    '',
    sig.signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
  const stringToSign = [ALGORITHM, sig.amzDate, credentialScope(sig), sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, sig.date), sig.region), sig.service), 'aws4_request');
  return hmac(signingKey, stringToSign).toString('hex');
}

function splitTarget(target: string): [string, string] {
  const at = target.indexOf('?');
  return at < 0 ? [target, ''] : [target.slice(0, at), target.slice(at + 1)];
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** AWS's message for a key it does not accept (an unknown or tokenless temporary key, a Region the account has not enabled). */
export const INVALID_TOKEN = 'The security token included in the request is invalid.';

/**
 * The key a request names. A temporary key is only valid with its own session token
 * (`X-Amz-Security-Token`, signed or not) and until it expires; a long-term key accepts any token.
 */
function findKey(
  accessKeyId: string,
  sessionToken: string | undefined,
  keys: readonly AccessKey[],
  temporary: TemporaryKeys | undefined,
): AccessKey | TemporaryKey {
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (key) return key;
  const session = temporary?.find(accessKeyId);
  if (!session || sessionToken !== session.sessionToken) throw new SigV4Failure('unknownKey', INVALID_TOKEN);
  if (temporary!.nowMs >= session.expiresAt)
    throw new SigV4Failure('expiredToken', 'The security token included in the request is expired');
  return session;
}

/**
 * Checks a request's signature for `signingName` against `keys` (and the temporary keys STS issued) at
 * wall-clock `nowMs` (the real time clients sign with, not the sandbox's virtual clock). Returns the
 * caller; throws SigV4Failure.
 */
export function verifySigV4(
  req: SignedRequest,
  signingName: string,
  keys: readonly AccessKey[],
  nowMs: number,
  temporary?: TemporaryKeys,
): Caller {
  const headers = headerValues(req.rawHeaders);
  const [path, queryString] = splitTarget(req.target);
  const query = queryPairs(queryString);
  const queryParams = new Map(query);
  const authorization = headers.get('authorization');
  let sig: Signature;
  if (authorization !== undefined) sig = fromAuthorizationHeader(authorization, headers);
  else if (queryParams.has('X-Amz-Algorithm')) sig = fromQuery(queryParams);
  else throw new SigV4Failure('missing', 'Request is missing Authentication Token');

  if (!sig.signedHeaders.includes('host')) {
    throw new SigV4Failure('incomplete', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (sig.service !== signingName) {
    throw new SigV4Failure('mismatch', `Credential should be scoped to correct service: '${signingName}'. `);
  }
  const sessionToken = headers.get('x-amz-security-token') ?? queryParams.get('X-Amz-Security-Token');
  const key = findKey(sig.accessKeyId, sessionToken, keys, temporary);
  checkTime(sig, nowMs);
  if (!sameSignature(sig.signature, signatureOf(sig, key.secretAccessKey, { method: req.method, path, query, headers, body: req.body }))) {
    throw new SigV4Failure(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  const session = 'sessionToken' in key ? { session: { arn: key.arn, userId: key.userId } } : {};
  return { accessKeyId: key.accessKeyId, accountId: key.accountId, region: sig.region, ...session };
}

/** The signing name in a request's `Authorization` credential scope (`…/<date>/<region>/<service>/aws4_request`), if any. */
export function signingNameOf(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];
}
