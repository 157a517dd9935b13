import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors';
import type { HttpReply } from './service';

/**
 * What the protocols whose requests and responses are one structure have in common (AWS JSON 1.1, which
 * SSM, KMS and AppStream speak, and Smithy RPC v2 CBOR, which AppStream speaks too): the actions build
 * their answers once, as members and Dates, and each protocol encodes them its way.
 */

/** A structure's members, as decoded from a request or built for a response. */
export interface JsonObject {
  [member: string]: unknown;
}

export interface StructureProtocol {
  /** Whether a request is in this protocol; the headers tell. */
  matches(headers: IncomingHttpHeaders): boolean;
  /** The operation a request in this protocol names ('' if none, which is then an unknown operation). */
  operationOf(path: string, headers: IncomingHttpHeaders): string;
  /** Throws ApiError (SerializationException) for a body that is not one structure. */
  parseRequest(body: Buffer, headers: IncomingHttpHeaders): JsonObject;
  reply(members: JsonObject): HttpReply;
  error(error: ApiError): HttpReply;
}

export function serializationError(detail: string): ApiError {
  return new ApiError('SerializationException', detail);
}

/** A timestamp member: JSON 1.1 writes epoch seconds, RPC v2 CBOR a tag-1 epoch. */
export function timestamp(ms: number): Date {
  return new Date(ms);
}
