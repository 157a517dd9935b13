import type { IncomingHttpHeaders } from 'node:http';
import type { ApiError } from './errors';
import type { HttpReply } from './service';
import { serializationError, type JsonObject, type StructureProtocol } from './structure-protocol';

/**
 * AWS JSON 1.1: `POST /` with `X-Amz-Target: <TargetPrefix>.<Operation>` (AppStream's is
 * `PhotonAdminProxyService`; SSM's `AmazonSSM`, KMS's `TrentService`), a JSON object in, a JSON object
 * out, timestamps as epoch seconds, errors as `{"__type": …, "Message": …}`.
 */

const JSON_11 = 'application/x-amz-json-1.1';

/** JSON.stringify drops undefined members, which is how AWS omits absent ones; Dates become epoch seconds. */
function toJson(members: JsonObject): string {
  return JSON.stringify(members, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

/** AWS JSON 1.1 for the service whose operations are `X-Amz-Target: <targetPrefix>.<Operation>`. */
export function awsJson11For(targetPrefix: string): StructureProtocol {
  const prefix = `${targetPrefix}.`;
  const targetOf = (headers: IncomingHttpHeaders): string | undefined => {
    const target = headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
  };
  return { ...jsonBodies, matches: (headers) => targetOf(headers) !== undefined, operationOf: (_path, headers) => targetOf(headers) ?? '' };
}

const JSON_10 = 'application/x-amz-json-1.0';

/** The Query protocol names throttling `Throttling`, where JSON services say ThrottlingException. */
const queryCode = (code: string) => (code === 'ThrottlingException' ? 'Throttling' : code);

/**
 * AWS JSON 1.0 for a service that also speaks the Query protocol and is marked `awsQueryCompatible`
 * (CloudWatch, `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`): the same JSON bodies, and each
 * error also names its Query error code in `x-amzn-query-error: <Code>;<Sender|Receiver>`, which SDKs
 * report as the error's code; `__type` is the error's absolute shape ID in `namespace`.
 */
export function awsJson10QueryCompatible(targetPrefix: string, namespace: string): StructureProtocol {
  const { matches, operationOf } = awsJson11For(targetPrefix);
  return {
    matches,
    operationOf,
    parseRequest: jsonBodies.parseRequest,
    reply: (members) => ({ status: 200, contentType: JSON_10, body: toJson(members) }),
    error: (error) => ({
      status: error.status,
      contentType: JSON_10,
      body: toJson({ __type: `${namespace}#${error.code}`, message: error.message }),
      headers: { 'x-amzn-query-error': `${queryCode(error.code)};${error.status >= 500 ? 'Receiver' : 'Sender'}` },
    }),
  };
}

const jsonBodies: Pick<StructureProtocol, 'parseRequest' | 'reply' | 'error'> = {
  /** The SDK always sends `{}` for an empty request; an empty body is read the same way. */
  parseRequest(body) {
    const text = body.toString('utf8');
    if (text.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw serializationError('The request body is not valid JSON.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw serializationError('The request body must be a JSON object.');
    }
    return parsed as JsonObject;
  },

  reply(members): HttpReply {
    return { status: 200, contentType: JSON_11, body: toJson(members) };
  },

  /**
   * The SDK takes the error type from `__type` and the message from `message` or `Message`;
   * AppStream's error shapes model `Message`, so that also fills the exception's `Message` member.
   * botocore reads either spelling too.
   */
  error(error: ApiError): HttpReply {
    return { status: error.status, contentType: JSON_11, body: toJson({ __type: error.code, Message: error.message }) };
  },
};
