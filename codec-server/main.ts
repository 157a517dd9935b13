/**
 * The codec server: `npm run codec-server`. It serves Temporal's remote codec protocol (POST /encode and
 * POST /decode, also under a /{namespace}/ prefix, each taking and returning {"payloads": [...]} with
 * base64 data and metadata), so the Temporal UI and CLI can show encrypted payloads to whoever can
 * reach it with the key in its environment. It listens on 127.0.0.1 only, and since a web page the user
 * visits can reach 127.0.0.1 too, it answers only requests for its own host name (127.0.0.1:<port>,
 * localhost:<port> or a configured name: a DNS-rebinding page has another) from the UI's origin or from
 * no browser at all (no Origin), and, with --require-token, only those with the bearer token the UI forwards.
 *
 *   temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888
 *   GOLDEN_IMAGE_ENCRYPTION_KEYS=... npm run codec-server
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ENCRYPTION_KEYS_ENV, encryptionCodecFromEnv } from '../contracts/encryption-codec';

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ROUTE = /^(?:\/[^/]+)?\/(encode|decode)$/;

interface CodecServerOptions {
  codec: PayloadCodec;
  /** 0 picks a free port. */
  port: number;
  /** Browser origins (the Temporal UI) allowed to call the server. */
  uiOrigins: string[];
  /** Host names besides 127.0.0.1 and localhost that requests may be for (a proxy in front, say): `name` or `name:port`. */
  hostNames?: string[];
  /** When set, every request must carry `Authorization: Bearer <token>` (the Temporal UI forwards the user's). */
  token?: string;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

/** The wire form: metadata values and data are base64 strings. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  let allowedHosts = new Set<string>();
  const server = createServer((req, res) => {
    handle(options, allowedHosts, req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 400;
      send(res, status, { message: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([`${HOST}:${port}`, `localhost:${port}`, ...(options.hostNames ?? [])].map((h) => h.toLowerCase()));
  return {
    url: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A configured name without a port matches that name on any port. */
function isAllowedHost(allowed: Set<string>, host: string | undefined): boolean {
  if (!host) return false;
  const name = host.toLowerCase();
  return allowed.has(name) || allowed.has(name.replace(/:\d+$/, ''));
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handle(options: CodecServerOptions, allowedHosts: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A page on another site that re-points its own name at 127.0.0.1 sends its name as Host.
  if (!isAllowedHost(allowedHosts, req.headers.host))
    throw new HttpError(403, `forbidden: requests for host ${req.headers.host ?? '(none)'}`);
  const origin = req.headers.origin;
  // Browsers send Origin on cross-origin requests; the CLI sends none.
  if (origin !== undefined && !options.uiOrigins.includes(origin)) throw new HttpError(403, `forbidden: requests from origin ${origin}`);
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.setHeader('Vary', 'Origin');
  const route = ROUTE.exec(new URL(req.url ?? '/', 'http://codec').pathname)?.[1];
  if (!route) throw new HttpError(404, 'not found: use POST /encode or POST /decode');
  if (req.method === 'OPTIONS') {
    // A preflight carries no credentials; the request that follows it is checked.
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed: use POST`);
  if (options.token !== undefined && !hasToken(req, options.token)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    throw new HttpError(401, 'unauthorized: send the bearer token');
  }
  const payloads = fromJson(await readJson(req));
  const out = route === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
  send(res, 200, { payloads: out.map(toJson) });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString());
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}

function fromJson(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new HttpError(400, 'expected a JSON body {"payloads": [...]}');
  return payloads.map((p: JsonPayload) => ({
    metadata: Object.fromEntries(Object.entries(p?.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(String(v), 'base64'))])),
    data: new Uint8Array(Buffer.from(String(p?.data ?? ''), 'base64')),
  }));
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expected a port number');
  return n;
}

async function main(): Promise<void> {
  const opts = new Command('codec-server')
    .description(`serve the Temporal remote codec protocol on ${HOST}, with the keys in ${ENCRYPTION_KEYS_ENV}`)
    .option('--port <port>', 'port to listen on', port, 8888)
    .option('--ui-origin <origins>', 'comma-separated browser origins of the Temporal UI', 'http://127.0.0.1:8233')
    .option('--host-name <names>', 'comma-separated host names (name or name:port) requests may be for, besides 127.0.0.1 and localhost')
    .option(
      '--require-token <env-var>',
      'require `Authorization: Bearer <token>` on every request, the token read from this environment variable (never from argv)',
    )
    .parse()
    .opts<{ port: number; uiOrigin: string; hostName?: string; requireToken?: string }>();
  const codec = encryptionCodecFromEnv();
  if (!codec) throw new Error(`${ENCRYPTION_KEYS_ENV} is not set: the codec server needs the same keys as the worker`);
  let token: string | undefined;
  if (opts.requireToken !== undefined) {
    token = process.env[opts.requireToken]?.trim();
    if (!token) throw new Error(`--require-token ${opts.requireToken}: that environment variable is not set or empty`);
  }
  const split = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  const uiOrigins = split(opts.uiOrigin);
  const server = await startCodecServer({ codec, port: opts.port, uiOrigins, hostNames: split(opts.hostName), token });
  console.log(`codec server on ${server.url} for ${uiOrigins.join(', ')}${token ? ', bearer token required' : ''}`);
  console.log(`start the dev server with: temporal server start-dev --ui-codec-endpoint ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
