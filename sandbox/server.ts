import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PREFIX, handleAdmin } from './admin';
import { appStreamCborService, appStreamJsonService } from './appstream/service';
import { autoScalingService } from './autoscaling/service';
import { cloudWatchJsonService, cloudWatchQueryService } from './cloudwatch/service';
import type { Caller } from './core/access-keys';
import type { SandboxConfigOverrides } from './core/config';
import { ApiError } from './core/errors';
import type { Fault } from './core/faults';
import { MAX_BODY_BYTES, readBody } from './core/http-body';
import { requireEnabledRegion } from './core/regions';
import type { HttpReply, ServiceModule } from './core/service';
import { SigV4Failure, verifySigV4 } from './core/sigv4';
import { authError, type AuthErrorFamily } from './core/sigv4-errors';
import { ec2Service } from './ec2/service';
import { kmsService } from './kms/service';
import { snsService } from './sns/service';
import { ssmService } from './ssm/service';
import { stsService } from './sts/service';
import { PersistedSandbox } from './persistence/persisted-sandbox';
import { Sandbox, type ScopedState } from './sandbox';
import { scopeKey } from './core/state';

export const DEFAULT_PORT = 4577;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

interface ServiceEntry {
  module: ServiceModule<ScopedState>;
  /** The service's SigV4 signing name. */
  signingName: string;
  /** How its protocol reports a failed signature. */
  errors: AuthErrorFamily;
}

/**
 * Checked in order; EC2 matches anything, so it comes last. STS, Auto Scaling, SNS and CloudWatch's Query protocol,
 * which EC2's resembles, are told by their signing names; CloudWatch's JSON by X-Amz-Target, so it comes first.
 */
const SERVICES: ServiceEntry[] = [
  { module: appStreamCborService, signingName: 'appstream', errors: 'json' },
  { module: appStreamJsonService, signingName: 'appstream', errors: 'json' },
  { module: ssmService, signingName: 'ssm', errors: 'json' },
  { module: kmsService, signingName: 'kms', errors: 'json' },
  { module: cloudWatchJsonService, signingName: 'monitoring', errors: 'json' },
  { module: stsService, signingName: 'sts', errors: 'query' },
  { module: autoScalingService, signingName: 'autoscaling', errors: 'query' },
  { module: cloudWatchQueryService, signingName: 'monitoring', errors: 'query' },
  { module: snsService, signingName: 'sns', errors: 'query' },
  { module: ec2Service, signingName: 'ec2', errors: 'ec2' },
];

export interface SandboxOptions {
  /** Loopback only: the admin API under /_sandbox/ is unauthenticated. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  config?: SandboxConfigOverrides;
  /** A file (SQLite) to keep the state in: restored from it on start, saved to it as it changes. Unset: in memory only. */
  stateFile?: string;
  /** With stateFile: discard what the file holds and begin from the seed. */
  fresh?: boolean;
}

export interface RunningSandbox {
  /** The endpoint for AWS clients, e.g. http://127.0.0.1:4577 */
  url: string;
  port: number;
  /** In-process access to the sandbox's state, for tests in the same process. */
  sandbox: Sandbox;
  /** With stateFile: when the restored state was saved (epoch ms); undefined when the sandbox began from its seed. */
  restoredSavedAt?: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: HttpReply, requestId: string): void {
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'x-amzn-requestid': requestId,
  });
  res.end(reply.body);
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  console.error('sandbox: unexpected error', error);
  return new ApiError('InternalError', 'An internal error has occurred', 500);
}

/** Applies an injected fault. Returns without answering for hang, reset and loseAnswer; `run` makes the call's change. */
function applyFault(
  fault: Fault,
  service: ServiceModule<ScopedState>,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  run: () => unknown,
): void {
  if (fault.loseAnswer) {
    try {
      run();
    } finally {
      req.socket.destroy();
    }
    return;
  }
  if (fault.reset) {
    req.socket.destroy();
    return;
  }
  if (fault.hang) return; // the socket stays open until the client gives up or the sandbox closes
  const { code, message, status } = fault.error!;
  send(res, service.encodeError(new ApiError(code, message, status), requestId), requestId);
}

async function handleService(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const entry = SERVICES.find((s) => s.module.matches(req.headers))!;
  const service = entry.module;
  const requestId = randomUUID();
  const fail = (error: unknown) => send(res, service.encodeError(asApiError(error), requestId), requestId);

  const read = await readBody(req);
  if (!read.ok) {
    return fail(new ApiError('RequestEntityTooLarge', `Request body exceeds the maximum size of ${MAX_BODY_BYTES} bytes.`, 413));
  }
  const config = sandbox.config.current();
  let caller: Caller;
  try {
    const request = { method: req.method ?? 'GET', target: req.url ?? '/', rawHeaders: req.rawHeaders, body: read.body };
    const temporary = sandbox.state.stsSessions.at(sandbox.clock.now());
    caller = verifySigV4(request, entry.signingName, config.accessKeys, Date.now(), temporary);
    requireEnabledRegion(caller, config.optedInRegions);
  } catch (error) {
    // AWS counts and throttles only authenticated calls; neither does the sandbox.
    return fail(error instanceof SigV4Failure ? authError(entry.errors, error) : error);
  }
  let call;
  try {
    call = service.decode(read.body.toString('utf8'), url.search.slice(1), req.headers, { path: url.pathname, bytes: read.body });
  } catch (error) {
    return fail(error);
  }

  // The caller's account and Region, from its key and its signature's credential scope, decide what it sees.
  const scope = { accountId: caller.accountId, region: caller.region };
  sandbox.calls.record(service.name, call.action, 'total', scopeKey(scope));
  const run = () => call.execute({ state: sandbox.state.view(scope), config, failures: sandbox.failures.in(scope), requestId, caller });
  const fault = sandbox.faults.take(service.name, call.action, scope);
  if (fault) {
    sandbox.calls.record(service.name, call.action, 'faulted', scopeKey(scope));
    return applyFault(fault, service, req, res, requestId, run);
  }
  if (call.bucket && !sandbox.throttlers[service.name].admit(call.bucket, scopeKey(scope))) {
    sandbox.calls.record(service.name, call.action, 'throttled', scopeKey(scope));
    return fail(new ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503));
  }
  try {
    send(res, run(), requestId);
  } catch (error) {
    fail(error);
  }
}

async function handleAdminRequest(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const read = await readBody(req);
  if (!read.ok) return sendJson(res, 413, { error: 'request body too large' });
  const reply = handleAdmin(sandbox, req.method ?? 'GET', url.pathname, read.body.toString('utf8'), url.searchParams);
  sendJson(res, reply.status, reply.json);
}

/**
 * Starts the sandbox's HTTP server: EC2, AppStream, SSM, KMS, STS, Auto Scaling and CloudWatch on one loopback
 * port, SigV4-checked, plus the unsigned /_sandbox/.
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`sandbox: refusing to listen on ${host}; use a loopback address`);
  const sandbox = new Sandbox(options.config);
  const persisted = options.stateFile ? new PersistedSandbox(sandbox, options.stateFile, { fresh: options.fresh }) : undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const handler = url.pathname.startsWith(ADMIN_PREFIX) ? handleAdminRequest : handleService;
    handler(sandbox, req, res, url)
      .catch((error: unknown) => {
        // Only reachable if the client went away mid-request; nothing left to answer.
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: String(error) });
      })
      .finally(() => persisted?.changed());
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      persisted?.close();
      reject(error);
    });
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    sandbox,
    restoredSavedAt: persisted?.restoredSavedAt,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          persisted?.close(); // after the last request: the final save has everything
          if (error) reject(error);
          else resolve();
        });
        // Hung (fault-injected) and keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
