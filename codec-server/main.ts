/**
 * The codec server: `npm run codec-server`. It serves Temporal's remote codec protocol (POST /encode and
 * POST /decode, also under a /{namespace}/ prefix, each taking and returning {"payloads": [...]} with
 * base64 data and metadata), so the Temporal UI and CLI can show encrypted payloads to whoever can
 * reach it with the key in its environment. It listens on 127.0.0.1 only and has no authentication:
 * anyone who can reach it can decrypt, so keep it on the machine of the person who holds the key.
 *
 *   temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888
 *   GOLDEN_IMAGE_ENCRYPTION_KEYS=... npm run codec-server
 */
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
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 400;
      send(res, status, { message: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if (origin && options.uiOrigins.includes(origin)) {
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
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed: use POST`);
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
    .parse()
    .opts<{ port: number; uiOrigin: string }>();
  const codec = encryptionCodecFromEnv();
  if (!codec) throw new Error(`${ENCRYPTION_KEYS_ENV} is not set: the codec server needs the same keys as the worker`);
  const uiOrigins = opts.uiOrigin
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const server = await startCodecServer({ codec, port: opts.port, uiOrigins });
  console.log(`codec server on ${server.url} for ${uiOrigins.join(', ')}`);
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
