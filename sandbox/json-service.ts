import type { IncomingHttpHeaders } from 'node:http';
import { awsJson11For } from './appstream/json-protocol';
import { AppStreamParams } from './appstream/params';
import type { JsonObject } from './appstream/protocol';
import { ApiError } from './core/errors';
import type { ServiceName } from './core/faults';
import type { DecodedCall, HttpReply, RawRequest, ServiceContext, ServiceModule } from './core/service';
import type { Chronicle } from './core/state';
import type { BucketSpec } from './core/throttle';

/**
 * A service spoken over AWS JSON 1.1 alone (SSM, KMS): the operation comes from `X-Amz-Target`, the
 * members are read with the same validating reader as AppStream's, and throttling is answered as
 * JSON services answer it.
 */

export type JsonAction<S extends Chronicle> = (params: AppStreamParams, ctx: ServiceContext<S>) => JsonObject;

export interface JsonServiceSpec<S extends Chronicle> {
  name: ServiceName;
  /** `AmazonSSM`, `TrentService`: what precedes the operation in `X-Amz-Target`. */
  targetPrefix: string;
  actions: Record<string, JsonAction<S>>;
  bucketFor(operation: string): BucketSpec;
}

/** The server reports throttling in EC2's terms; JSON services answer 400 ThrottlingException, which clients retry. */
function inJsonTerms(error: ApiError): ApiError {
  if (error.code === 'RequestLimitExceeded') return new ApiError('ThrottlingException', 'Rate exceeded', 400);
  return error;
}

export function jsonService<S extends Chronicle>(spec: JsonServiceSpec<S>): ServiceModule<S> {
  const protocol = awsJson11For(spec.targetPrefix);
  const isKnown = (operation: string) => Object.hasOwn(spec.actions, operation);

  // The body is parsed at execution, so that a malformed request still counts as a call of its operation.
  const execute = (operation: string, raw: RawRequest, headers: IncomingHttpHeaders, ctx: ServiceContext<S>): HttpReply => {
    if (!isKnown(operation)) throw new ApiError('UnknownOperationException', `The operation ${operation} is not supported.`);
    const params = new AppStreamParams(protocol.parseRequest(raw.bytes, headers));
    return protocol.reply(spec.actions[operation]!(params, ctx));
  };

  return {
    name: spec.name,
    matches: (headers) => protocol.matches(headers),
    decode(_body: string, _query: string, headers: IncomingHttpHeaders, raw: RawRequest): DecodedCall<S> {
      const operation = protocol.operationOf(raw.path, headers);
      return {
        action: operation,
        bucket: isKnown(operation) ? spec.bucketFor(operation) : undefined,
        execute: (ctx) => execute(operation, raw, headers, ctx),
      };
    },
    encodeError: (error: ApiError): HttpReply => protocol.error(inJsonTerms(error)),
  };
}
