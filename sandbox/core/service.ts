import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from './access-keys';
import type { SandboxConfig } from './config';
import type { ApiError } from './errors';
import type { FailurePlans } from './failures';
import type { ServiceName } from './faults';
import type { Chronicle } from './state';
import type { BucketSpec } from './throttle';

/** What the server sends back for one request. */
export interface HttpReply {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  /** Protocol headers besides Content-Type (RPC v2's `smithy-protocol`). */
  headers?: Record<string, string>;
}

/** What a binary or path-routed protocol needs beyond the text body: the bytes as sent and the URL path. */
export interface RawRequest {
  path: string;
  bytes: Buffer;
}

/** Everything an action may read or change; `S` is the state as its service sees it. */
export interface ServiceContext<S extends Chronicle> {
  requestId: string;
  /** Who signed the request; `state` is already the view of the caller's account and Region. */
  caller: Caller;
  state: S;
  config: SandboxConfig;
  /** The failures planned for the caller's account and Region. */
  failures: FailurePlans;
}

/** A request decoded far enough to know its action. */
export interface DecodedCall<S extends Chronicle> {
  action: string;
  /** The throttling bucket this call draws from, if the service throttles it. */
  bucket?: BucketSpec;
  execute(ctx: ServiceContext<S>): HttpReply;
}

/**
 * One AWS service speaking its own wire protocol. The server picks the module
 * by `matches`, and handles counting, faults and throttling the same way for all.
 */
export interface ServiceModule<S extends Chronicle> {
  readonly name: ServiceName;
  matches(headers: IncomingHttpHeaders): boolean;
  /** Throws ApiError for a request it cannot understand. `body` is the bytes read as UTF-8, for the text protocols. */
  decode(body: string, query: string, headers: IncomingHttpHeaders, raw: RawRequest): DecodedCall<S>;
  encodeError(error: ApiError, requestId: string): HttpReply;
}
