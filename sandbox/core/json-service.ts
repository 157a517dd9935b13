import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors';
import type { ServiceName } from './faults';
import { JsonParams } from './json-params';
import { awsJson11For } from './json-protocol';
import type { DecodedCall, HttpReply, RawRequest, ServiceContext, ServiceModule } from './service';
import type { Chronicle } from './state';
import type { JsonObject, StructureProtocol } from './structure-protocol';
import type { BucketSpec } from './throttle';

/**
 * A service whose requests and responses are one structure: the operation comes from the protocol
 * (`X-Amz-Target` in AWS JSON 1.1), the members are read with the validating reader (JsonParams), and
 * throttling is answered as JSON services answer it.
 */

export type JsonAction<S extends Chronicle> = (params: JsonParams, ctx: ServiceContext<S>) => JsonObject;

export interface StructureServiceSpec<S extends Chronicle> {
  name: ServiceName;
  actions: Record<string, JsonAction<S>>;
  bucketFor(operation: string): BucketSpec;
}

export interface JsonServiceSpec<S extends Chronicle> extends StructureServiceSpec<S> {
  /** `AmazonSSM`, `TrentService`: what precedes the operation in `X-Amz-Target`. */
  targetPrefix: string;
}

/** The server reports throttling in EC2's terms; JSON services answer 400 ThrottlingException, which clients retry. */
function inJsonTerms(error: ApiError): ApiError {
  if (error.code === 'RequestLimitExceeded') return new ApiError('ThrottlingException', 'Rate exceeded', 400);
  return error;
}

/** The service `spec` describes, spoken over `protocol`. */
export function structureService<S extends Chronicle>(spec: StructureServiceSpec<S>, protocol: StructureProtocol): ServiceModule<S> {
  const isKnown = (operation: string) => Object.hasOwn(spec.actions, operation);

  // The body is parsed at execution, so that a malformed request still counts as a call of its operation.
  const execute = (operation: string, raw: RawRequest, headers: IncomingHttpHeaders, ctx: ServiceContext<S>): HttpReply => {
    if (!isKnown(operation)) throw new ApiError('UnknownOperationException', `The operation ${operation} is not supported.`);
    const params = new JsonParams(protocol.parseRequest(raw.bytes, headers));
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

/** A service spoken over AWS JSON 1.1 alone (`X-Amz-Target: <targetPrefix>.<Operation>`). */
export function jsonService<S extends Chronicle>(spec: JsonServiceSpec<S>): ServiceModule<S> {
  return structureService(spec, awsJson11For(spec.targetPrefix));
}
