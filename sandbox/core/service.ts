import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxConfig } from './config';
import type { ApiError } from './errors';
import type { FailurePlans } from './failures';
import type { ServiceName } from './faults';
import type { SandboxState } from './state';
import type { BucketSpec } from './throttle';

/** What the server sends back for one request. */
export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/** Everything an action may read or change. */
export interface ServiceContext {
  requestId: string;
  state: SandboxState;
  config: SandboxConfig;
  failures: FailurePlans;
}

/** A request decoded far enough to know its action. */
export interface DecodedCall {
  action: string;
  /** The throttling bucket this call draws from, if the service throttles it. */
  bucket?: BucketSpec;
  execute(ctx: ServiceContext): HttpReply;
}

/**
 * One AWS service speaking its own wire protocol. The server picks the module
 * by `matches`, and handles counting, faults and throttling the same way for all.
 */
export interface ServiceModule {
  readonly name: ServiceName;
  matches(headers: IncomingHttpHeaders): boolean;
  /** Throws ApiError for a request it cannot understand. */
  decode(body: string, query: string, headers: IncomingHttpHeaders): DecodedCall;
  encodeError(error: ApiError, requestId: string): HttpReply;
}
