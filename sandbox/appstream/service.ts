import type { IncomingHttpHeaders } from 'node:http';
import { appStreamBuilderActions } from './builders';
import { appStreamImageActions } from './images';
import { AppStreamParams } from './params';
import { jsonError, jsonReply, parseJsonObject, type JsonObject } from './protocol';
import { appStreamTagActions } from './tags';
import { appStreamBucketFor } from './throttle';
import { ApiError } from '../core/errors';
import type { DecodedCall, HttpReply, ServiceModule } from '../core/service';
import type { AppStreamContext, AppStreamState } from './state';

/** AppStream 2.0 over AWS JSON 1.1: `POST /` with `X-Amz-Target: PhotonAdminProxyService.<Operation>`. */

export type AppStreamAction = (params: AppStreamParams, ctx: AppStreamContext) => JsonObject;

const APPSTREAM_ACTIONS: Record<string, AppStreamAction> = {
  ...appStreamImageActions,
  ...appStreamBuilderActions,
  ...appStreamTagActions,
};

const TARGET_PREFIX = 'PhotonAdminProxyService.';

function targetOf(headers: IncomingHttpHeaders): string | undefined {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}

function isKnown(operation: string): boolean {
  return Object.hasOwn(APPSTREAM_ACTIONS, operation);
}

/** The body is parsed here rather than in decode, so that a malformed request still counts as a call of its operation. */
function executeAppStream(operation: string, body: string, ctx: AppStreamContext): HttpReply {
  if (!isKnown(operation)) throw new ApiError('UnknownOperationException', `The operation ${operation} is not supported.`);
  const params = new AppStreamParams(parseJsonObject(body));
  return jsonReply(APPSTREAM_ACTIONS[operation]!(params, ctx));
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

export const appStreamService: ServiceModule<AppStreamState> = {
  name: 'appstream',

  matches: (headers) => targetOf(headers) !== undefined,

  decode(body: string, _query: string, headers: IncomingHttpHeaders): DecodedCall<AppStreamState> {
    const operation = targetOf(headers) ?? '';
    return {
      action: operation,
      bucket: isKnown(operation) ? appStreamBucketFor(operation) : undefined,
      execute: (ctx) => executeAppStream(operation, body, ctx),
    };
  },

  encodeError(error: ApiError, _requestId: string): HttpReply {
    return jsonError(inAppStreamTerms(error));
  },
};

export const APPSTREAM_OPERATION_NAMES = Object.keys(APPSTREAM_ACTIONS);
