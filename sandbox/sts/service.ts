import type { IncomingHttpHeaders } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { principalArn } from '../core/access-keys';
import { ApiError } from '../core/errors';
import { decodeForm, type FormNode } from '../core/query-protocol';
import type { DecodedCall, HttpReply, ServiceContext, ServiceModule } from '../core/service';
import { signingNameOf } from '../core/sigv4';
import type { Chronicle } from '../core/state';
import { assumableRole, ROLE_MAX_SESSION_SECONDS } from './roles';
import type { StsSessions } from './sessions';

/**
 * STS over the Query protocol (Version 2011-06-15): form posts answered in XML, results wrapped in
 * `<ActionResult>` beside `<ResponseMetadata>`. EC2 speaks the same protocol, so the two are told apart
 * by the service in the signature's credential scope (`sts`), as AWS's endpoints are by host.
 */

const VERSION = '2011-06-15';
const XMLNS = `https://sts.amazonaws.com/doc/${VERSION}/`;
const XML = 'text/xml';
const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });

export interface StsState extends Chronicle {
  readonly stsSessions: StsSessions;
}
type StsContext = ServiceContext<StsState>;

type XmlTree = { [element: string]: string | number | XmlTree | undefined };
type StsAction = (form: FormNode, ctx: StsContext) => XmlTree;

function validationError(member: string, value: string | undefined, constraint: string): ApiError {
  const shown = value === undefined ? 'null' : `'${value}'`;
  return new ApiError(
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A string member, checked against its shape's length and pattern in the STS model. */
function member(
  form: FormNode,
  name: string,
  rules: { required?: boolean; min: number; max: number; pattern?: RegExp },
): string | undefined {
  const value = form[name];
  const field = name.charAt(0).toLowerCase() + name.slice(1);
  if (value === undefined) {
    if (rules.required) throw validationError(field, undefined, 'Member must not be null');
    return undefined;
  }
  if (typeof value !== 'string') throw validationError(field, undefined, 'Member must be a string');
  if (value.length < rules.min) throw validationError(field, value, `Member must have length greater than or equal to ${rules.min}`);
  if (value.length > rules.max) throw validationError(field, value, `Member must have length less than or equal to ${rules.max}`);
  if (rules.pattern && !new RegExp(`^(?:${rules.pattern.source})$`).test(value)) {
    throw validationError(field, value, `Member must satisfy regular expression pattern: ${rules.pattern.source}`);
  }
  return value;
}

function durationSeconds(form: FormNode): number {
  const raw = form.DurationSeconds;
  if (raw === undefined) return ROLE_MAX_SESSION_SECONDS; // AssumeRole's default is one hour
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 900)) throw validationError('durationSeconds', String(raw), 'Member must have value greater than or equal to 900');
  if (value > 43200) throw validationError('durationSeconds', String(raw), 'Member must have value less than or equal to 43200');
  if (value > ROLE_MAX_SESSION_SECONDS) {
    throw new ApiError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  return value;
}

/** ExternalId is checked for its shape only: the seeded roles' trust policies do not require one. */
const assumeRole: StsAction = (form, { state, caller, config }) => {
  const roleArn = member(form, 'RoleArn', { required: true, min: 20, max: 2048 })!;
  const sessionName = member(form, 'RoleSessionName', { required: true, min: 2, max: 64, pattern: /[\w+=,.@-]*/ })!;
  member(form, 'ExternalId', { min: 2, max: 1224, pattern: /[\w+=,.@:/-]*/ });
  const seconds = durationSeconds(form);
  const role = assumableRole(caller, roleArn, new Set(config.accessKeys.map((k) => k.accountId)));
  const now = state.clock.now();
  const arn = `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;
  const userId = `${role.roleId}:${sessionName}`;
  const key = state.stsSessions.issue({ accountId: role.accountId, arn, userId, expiresAt: now + seconds * 1000 }, now);
  return {
    Credentials: {
      AccessKeyId: key.accessKeyId,
      SecretAccessKey: key.secretAccessKey,
      SessionToken: key.sessionToken,
      Expiration: new Date(key.expiresAt).toISOString(),
    },
    AssumedRoleUser: { AssumedRoleId: userId, Arn: arn },
  };
};

const getCallerIdentity: StsAction = (_form, { caller }) => ({
  UserId: caller.session?.userId ?? caller.accountId,
  Account: caller.accountId,
  Arn: principalArn(caller),
});

const STS_ACTIONS: Record<string, StsAction> = { AssumeRole: assumeRole, GetCallerIdentity: getCallerIdentity };

/** STS's documented request quota: 600 requests per second per account and Region, for each of these actions. */
const STS_BUCKET_SIZE = { capacity: 600, refillPerSecond: 600 };

const xml = (tree: object) => `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(tree) as string}`;

function execute(action: string, form: FormNode, ctx: StsContext): HttpReply {
  const handler = Object.hasOwn(STS_ACTIONS, action) && form.Version === VERSION ? STS_ACTIONS[action] : undefined;
  if (!handler)
    throw new ApiError('InvalidAction', `Could not find operation ${action} for version ${String(form.Version ?? 'NO_VERSION_SPECIFIED')}`);
  const body = {
    [`${action}Response`]: {
      '@_xmlns': XMLNS,
      [`${action}Result`]: handler(form, ctx),
      ResponseMetadata: { RequestId: ctx.requestId },
    },
  };
  return { status: 200, contentType: XML, body: xml(body) };
}

export const stsService: ServiceModule<StsState> = {
  name: 'sts',

  matches: (headers: IncomingHttpHeaders) => signingNameOf(headers.authorization) === 'sts',

  decode(body: string, query: string): DecodedCall<StsState> {
    const form = { ...decodeForm(query), ...decodeForm(body) };
    const action = form.Action;
    if (typeof action !== 'string' || action === '') throw new ApiError('MissingAction', 'The request must contain the parameter Action');
    return {
      action,
      bucket: Object.hasOwn(STS_ACTIONS, action) ? { key: `sts:${action}`, ...STS_BUCKET_SIZE } : undefined,
      execute: (ctx) => execute(action, form, ctx),
    };
  },

  encodeError(error: ApiError, requestId: string): HttpReply {
    const throttled = error.code === 'RequestLimitExceeded';
    const code = throttled ? 'Throttling' : error.code;
    const status = throttled ? 400 : error.status;
    const tree = {
      ErrorResponse: {
        '@_xmlns': XMLNS,
        Error: { Type: status >= 500 ? 'Receiver' : 'Sender', Code: code, Message: throttled ? 'Rate exceeded' : error.message },
        RequestId: requestId,
      },
    };
    return { status, contentType: XML, body: xml(tree) };
  },
};
