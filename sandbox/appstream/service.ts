import type { IncomingHttpHeaders } from 'node:http';
import { appStreamBuilderActions } from './builders';
import { appStreamImageActions } from './images';
import { appStreamImagePermissionActions } from './image-permissions';
import { rpcV2Cbor } from './cbor-protocol';
import { awsJson11 } from './json-protocol';
import { AppStreamParams } from './params';
import type { AppStreamProtocol, JsonObject } from './protocol';
import { appStreamTagActions } from './tags';
import { appStreamBucketFor } from './throttle';
import { ApiError } from '../core/errors';
import type { DecodedCall, HttpReply, RawRequest, ServiceModule } from '../core/service';
import type { AppStreamContext, AppStreamState } from './state';

/** AppStream 2.0: one set of actions, reached over AWS JSON 1.1 or Smithy RPC v2 CBOR. */

export type AppStreamAction = (params: AppStreamParams, ctx: AppStreamContext) => JsonObject;

const APPSTREAM_ACTIONS: Record<string, AppStreamAction> = {
  ...appStreamImageActions,
  ...appStreamImagePermissionActions,
  ...appStreamBuilderActions,
  ...appStreamTagActions,
};

function isKnown(operation: string): boolean {
  return Object.hasOwn(APPSTREAM_ACTIONS, operation);
}

/** The body is parsed here rather than in decode, so that a malformed request still counts as a call of its operation. */
function executeAppStream(
  protocol: AppStreamProtocol,
  operation: string,
  raw: RawRequest,
  headers: IncomingHttpHeaders,
  ctx: AppStreamContext,
): HttpReply {
  if (!isKnown(operation)) throw new ApiError('UnknownOperationException', `The operation ${operation} is not supported.`);
  const params = new AppStreamParams(protocol.parseRequest(raw.bytes, headers));
  return protocol.reply(APPSTREAM_ACTIONS[operation]!(params, ctx));
}

/**
 * The server reports throttling in EC2's terms (503 RequestLimitExceeded). AWS
 * JSON services answer 400 ThrottlingException, which the SDK and botocore
 * both treat as throttling and retry.
 */
function inAppStreamTerms(error: ApiError): ApiError {
  if (error.code === 'RequestLimitExceeded') return new ApiError('ThrottlingException', 'Rate exceeded', 400);
  return error;
}

function appStreamOver(protocol: AppStreamProtocol): ServiceModule<AppStreamState> {
  return {
    name: 'appstream',

    matches: (headers) => protocol.matches(headers),

    decode(_body: string, _query: string, headers: IncomingHttpHeaders, raw: RawRequest): DecodedCall<AppStreamState> {
      const operation = protocol.operationOf(raw.path, headers);
      return {
        action: operation,
        bucket: isKnown(operation) ? appStreamBucketFor(operation) : undefined,
        execute: (ctx) => executeAppStream(protocol, operation, raw, headers, ctx),
      };
    },

    encodeError: (error: ApiError): HttpReply => protocol.error(inAppStreamTerms(error)),
  };
}

export const appStreamJsonService = appStreamOver(awsJson11);
export const appStreamCborService = appStreamOver(rpcV2Cbor);

export const APPSTREAM_OPERATION_NAMES = Object.keys(APPSTREAM_ACTIONS);
