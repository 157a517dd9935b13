import { Decoder, Encoder } from 'cbor';
import type { ApiError } from '../core/errors';
import type { HttpReply } from '../core/service';
import { serializationError, type StructureProtocol, type JsonObject } from '../core/structure-protocol';

/**
 * Smithy RPC v2 CBOR, which botocore's AppStream model lists first among its protocols:
 * `POST {prefix}/service/PhotonAdminProxyService/operation/<Operation>` with `smithy-protocol: rpc-v2-cbor`,
 * CBOR maps in and out (timestamps as tag 1, epoch seconds), `smithy-protocol` echoed on every
 * response, errors as a map whose `__type` is the error's absolute shape ID, with JSON's status codes.
 */

const CBOR = 'application/cbor';
const SMITHY_PROTOCOL = 'rpc-v2-cbor';
/** AppStream's Smithy namespace, for absolute error shape IDs. */
const NAMESPACE = 'com.amazonaws.appstream';
const SERVICE_SHAPE = 'PhotonAdminProxyService';
/** The spec asks services to accept the absolute shape ID too, with `#` written as `.`. */
const SERVICE_SEGMENTS = new Set([SERVICE_SHAPE, `${NAMESPACE}.${SERVICE_SHAPE}`]);

function cborReply(status: number, members: JsonObject): HttpReply {
  return {
    status,
    contentType: CBOR,
    body: Encoder.encodeOne(members, { omitUndefinedProperties: true }),
    headers: { 'smithy-protocol': SMITHY_PROTOCOL },
  };
}

export const rpcV2Cbor: StructureProtocol = {
  matches: (headers) => headers['smithy-protocol'] === SMITHY_PROTOCOL,

  /** Only the last four path segments route a request; a prefix before them is allowed. */
  operationOf(path) {
    const [service, serviceName, operation, operationName] = path.split('/').slice(-4);
    const routed = service === 'service' && operation === 'operation' && SERVICE_SEGMENTS.has(serviceName ?? '');
    return routed ? (operationName ?? '') : '';
  },

  parseRequest(body, headers) {
    if (headers['x-amz-target'] !== undefined || headers['x-amzn-target'] !== undefined) {
      throw serializationError('An rpc-v2-cbor request must not carry an X-Amz-Target or X-Amzn-Target header.');
    }
    // Operations without input send no body at all.
    if (body.length === 0) return {};
    let items: unknown[];
    try {
      items = Decoder.decodeAllSync(body);
    } catch {
      throw serializationError('The request body is not valid CBOR.');
    }
    const [members] = items;
    if (items.length !== 1 || typeof members !== 'object' || members === null || Array.isArray(members) || members instanceof Map) {
      throw serializationError('The request body must be one CBOR map with text keys.');
    }
    return members as JsonObject;
  },

  reply: (members) => cborReply(200, members),

  error: (error: ApiError) => cborReply(error.status, { __type: `${NAMESPACE}#${error.code}`, Message: error.message }),
};
