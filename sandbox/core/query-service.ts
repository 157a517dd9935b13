import type { IncomingHttpHeaders } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { ApiError } from './errors';
import type { ServiceName } from './faults';
import type { MemberReader } from './member-reader';
import { QueryParams } from './query-params';
import { decodeForm } from './query-protocol';
import type { DecodedCall, HttpReply, ServiceContext, ServiceModule } from './service';
import type { Chronicle } from './state';
import type { JsonObject } from './structure-protocol';
import type { BucketSpec } from './throttle';

/**
 * A service over the Query protocol as Auto Scaling and CloudWatch speak it: `Action=…&Version=…` form
 * posts, answered with `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>` in the service's
 * XML namespace, lists as `<member>` elements, timestamps in ISO 8601, and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. An operation
 * without output answers with ResponseMetadata alone. EC2 speaks a dialect of its own (query-protocol.ts).
 */

/** What an action reads through MemberReader and answers, as members, Dates and lists; undefined members are left out. */
export type QueryAction<S extends Chronicle> = (params: MemberReader, ctx: ServiceContext<S>) => JsonObject;

export interface QueryServiceSpec<S extends Chronicle> {
  name: ServiceName;
  /** The API version every request must name, e.g. 2011-01-01. */
  version: string;
  xmlns: string;
  actions: Record<string, QueryAction<S>>;
  bucketFor(action: string): BucketSpec;
  /** Whether a request is this service's; the server asks the modules in order. */
  matches(headers: IncomingHttpHeaders): boolean;
}

const XML = 'text/xml';
const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });
const xml = (tree: object) => `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(tree) as string}`;

/** Members as the XML builder takes them: lists become `<member>` elements, Dates ISO 8601, absent members nothing. */
function toXmlTree(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return { member: value.map(toXmlTree) };
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toXmlTree(v);
    return out;
  }
  return typeof value === 'boolean' ? String(value) : value;
}

/** The server reports throttling in EC2's terms; Query services answer 400 Throttling, "Rate exceeded", which SDKs retry. */
function inQueryTerms(error: ApiError): ApiError {
  if (error.code === 'RequestLimitExceeded') return new ApiError('Throttling', 'Rate exceeded', 400);
  return error;
}

export function queryService<S extends Chronicle>(spec: QueryServiceSpec<S>): ServiceModule<S> {
  const isKnown = (action: string) => Object.hasOwn(spec.actions, action);

  const execute = (action: string, form: ReturnType<typeof decodeForm>, ctx: ServiceContext<S>): HttpReply => {
    if (!isKnown(action) || form.Version !== spec.version) {
      throw new ApiError(
        'InvalidAction',
        `Could not find operation ${action} for version ${String(form.Version ?? 'NO_VERSION_SPECIFIED')}`,
      );
    }
    const members = spec.actions[action]!(new QueryParams(form), ctx);
    const result = Object.values(members).some((v) => v !== undefined) ? { [`${action}Result`]: toXmlTree(members) } : {};
    const body = { [`${action}Response`]: { '@_xmlns': spec.xmlns, ...result, ResponseMetadata: { RequestId: ctx.requestId } } };
    return { status: 200, contentType: XML, body: xml(body) };
  };

  return {
    name: spec.name,
    matches: spec.matches,
    decode(body: string, query: string): DecodedCall<S> {
      const form = { ...decodeForm(query), ...decodeForm(body) };
      const action = form.Action;
      if (typeof action !== 'string' || action === '') throw new ApiError('MissingAction', 'The request must contain the parameter Action');
      return { action, bucket: isKnown(action) ? spec.bucketFor(action) : undefined, execute: (ctx) => execute(action, form, ctx) };
    },
    encodeError(raw: ApiError, requestId: string): HttpReply {
      const error = inQueryTerms(raw);
      const tree = {
        ErrorResponse: {
          '@_xmlns': spec.xmlns,
          Error: { Type: error.status >= 500 ? 'Receiver' : 'Sender', Code: error.code, Message: error.message },
          RequestId: requestId,
        },
      };
      return { status: error.status, contentType: XML, body: xml(tree) };
    },
  };
}
