import { ApiError } from '../core/errors';
import type { HttpReply } from '../core/service';

/**
 * AWS JSON 1.1 as AppStream speaks it: a JSON object in, a JSON object out,
 * timestamps as epoch seconds, errors as HTTP 400 `{"__type": …, "Message": …}`.
 */

export const JSON_11 = 'application/x-amz-json-1.1';

export interface JsonObject {
  [member: string]: unknown;
}

export function serializationError(detail: string): ApiError {
  return new ApiError('SerializationException', detail);
}

/** The SDK always sends `{}` for an empty request; an empty body is read the same way. */
export function parseJsonObject(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw serializationError('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw serializationError('The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

export function jsonReply(members: JsonObject): HttpReply {
  // JSON.stringify drops undefined members, which is how AWS omits absent ones.
  return { status: 200, contentType: JSON_11, body: JSON.stringify(members) };
}

/**
 * The SDK takes the error type from `__type` and the message from `message` or
 * `Message`; AppStream's error shapes model `Message`, so that also fills the
 * exception's `Message` member. botocore reads either spelling too.
 */
export function jsonError(error: ApiError): HttpReply {
  return { status: error.status, contentType: JSON_11, body: JSON.stringify({ __type: error.code, Message: error.message }) };
}

export function epochSeconds(ms: number): number {
  return ms / 1000;
}
