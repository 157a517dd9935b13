import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors';
import type { DecodedCall, HttpReply, ServiceModule } from './service';

/**
 * AppStream 2.0 over JSON 1.1 (`X-Amz-Target: PhotonAdminProxyService.<Op>`).
 * Routing is in place; operations are not implemented yet.
 */

const TARGET_PREFIX = 'PhotonAdminProxyService.';
const JSON_11 = 'application/x-amz-json-1.1';

function targetOf(headers: IncomingHttpHeaders): string | undefined {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}

export const appStreamService: ServiceModule = {
  name: 'appstream',

  matches: (headers) => targetOf(headers) !== undefined,

  decode(_body: string, _query: string, headers: IncomingHttpHeaders): DecodedCall {
    const action = targetOf(headers) ?? '';
    return {
      action,
      execute: () => {
        throw new ApiError('UnknownOperationException', `Operation ${action} is not supported by this sandbox yet.`);
      },
    };
  },

  encodeError(error: ApiError, _requestId: string): HttpReply {
    return { status: error.status, contentType: JSON_11, body: JSON.stringify({ __type: error.code, message: error.message }) };
  },
};
