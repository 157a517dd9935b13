import { z } from 'zod';
import { failAppStreamResourceNow } from './appstream/failures';
import { markUnhealthy, unhealthySchema, type UnhealthyResult } from './autoscaling/instance-health';
import { alarmStateSchema, changeAlarmState } from './cloudwatch/alarms';
import { listUpdates, setUpdateAvailability, updateAvailabilitySchema } from './appstream/updates';
import { fleetStartFailureSchema, planFleetStartFailure } from './appstream/fleet-start-failures';
import { configOverridesSchema } from './core/config';
import { failureSchema } from './core/failures';
import { faultSchema } from './core/faults';
import { AWS_ACCOUNT_ID, DEFAULT_REGION, scopeMembers, scopeOf, scopeKey, type Scope } from './core/state';
import { failExistingEc2Resource } from './ec2/failures';
import { failImage } from './ec2/images';
import { publishBaseImage } from './ec2/seed';
import type { Sandbox } from './sandbox';
import { messageLog } from './sns/publish';
import { agentSettingSchema, setAgent } from './ssm/agents';
import { addOutcome, clearOutcomes, commandOutcomeSchema, listOutcomes } from './ssm/command-outcomes';
import { pointPublicParameters } from './ssm/public-parameters';
import { dumpState } from './state-dump';

/**
 * The `/_sandbox/` control API (JSON in and out). It is for tests, benchmarks
 * and the dev stack; the project's own code reaches AWS only through the SDK.
 * Calls about resources take an `accountId` and a `region` (in the body, or the
 * query string of a GET) and default to the default account and Region. The
 * virtual clock, call counts and config are the sandbox's, across every scope.
 */

export const ADMIN_PREFIX = '/_sandbox/';

export interface AdminReply {
  status: number;
  json: unknown;
}

const advanceSchema = z.strictObject({ ms: z.number().int().min(0).optional() });
const baseImageSchema = z.strictObject({ platform: z.enum(['windows', 'linux']), region: scopeMembers.region });

/** `POST /_sandbox/base-images`: the new AMI, and the public parameters that now name it, each at its new version. */
export interface PublishedBaseImage {
  region: string;
  platform: 'windows' | 'linux';
  imageId: string;
  name: string;
  creationDate: string;
  parameters: { name: string; version: number }[];
}
const scopeQuerySchema = z.strictObject(scopeMembers);
const snsQuerySchema = z.strictObject({ ...scopeMembers, topicArn: z.string().min(1).optional() });

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseBody<T extends z.ZodType>(schema: T, body: string): z.output<T> {
  let json: unknown = {};
  if (body.trim() !== '') {
    try {
      json = JSON.parse(body);
    } catch {
      throw new AdminError(400, 'request body is not valid JSON');
    }
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new AdminError(400, z.prettifyError(result.error));
  return result.data;
}

type Route = (sandbox: Sandbox, body: string, query: URLSearchParams) => unknown;

/** `?accountId=…&region=…` of a GET, checked like a body's. */
function queryScope(query: URLSearchParams) {
  const result = scopeQuerySchema.safeParse(Object.fromEntries(query));
  if (!result.success) throw new AdminError(400, z.prettifyError(result.error));
  return scopeOf(result.data);
}

const ROUTES: Record<string, Route> = {
  'POST reset': (sandbox, body) => ({ config: sandbox.reset(parseBody(configOverridesSchema, body)) }),
  'GET config': (sandbox) => sandbox.config.current(),
  'POST config': (sandbox, body) => sandbox.configure(parseBody(configOverridesSchema, body)),
  'GET calls': (sandbox, _body, query) => sandbox.calls.snapshot(query.size ? scopeKey(queryScope(query)) : undefined),
  'POST calls/reset': (sandbox) => {
    sandbox.calls.reset();
    return sandbox.calls.snapshot();
  },
  'GET faults': (sandbox) => ({ faults: sandbox.faults.pending() }),
  'POST faults': (sandbox, body) => {
    sandbox.faults.add(parseBody(faultSchema, body));
    return { faults: sandbox.faults.pending() };
  },
  'DELETE faults': (sandbox) => {
    sandbox.faults.clear();
    sandbox.failures.clear();
    return { faults: [] };
  },
  'POST fail': (sandbox, body) => fail(sandbox, body),
  'POST advance': (sandbox, body) => {
    const { ms } = parseBody(advanceSchema, body);
    if (ms === undefined) sandbox.state.completeAll();
    else sandbox.state.advance(ms);
    return { now: sandbox.clock.now(), clockOffsetMs: sandbox.clock.offsetMs };
  },
  'GET state': (sandbox, _body, query) => dumpState(sandbox.state, queryScope(query)),
  'GET appstream/updates': (sandbox, _body, query) => listUpdates(sandbox.state.peek(queryScope(query))),
  'POST appstream/updates': (sandbox, body) => {
    const input = parseBody(updateAvailabilitySchema, body);
    return setUpdateAvailability(sandbox.state.view(scopeOf(input)), input);
  },
  'POST appstream/fleet-start-failure': (sandbox, body) => {
    const input = parseBody(fleetStartFailureSchema, body);
    const scope = scopeOf(input);
    const answer = planFleetStartFailure(sandbox.state.view(scope), input);
    if (!answer) throw new AdminError(404, `no fleet ${input.fleetName} in ${scope.accountId}/${scope.region}`);
    return answer;
  },
  'GET ssm/command-outcomes': (sandbox, _body, query) => listOutcomes(sandbox.state.peek(queryScope(query))),
  'POST ssm/command-outcomes': (sandbox, body) => {
    const input = parseBody(commandOutcomeSchema, body);
    return addOutcome(sandbox.state.view(scopeOf(input)), input);
  },
  'DELETE ssm/command-outcomes': (sandbox) => {
    for (const scope of sandbox.state.scopes.values()) clearOutcomes(sandbox.state.peek(scope));
    return { outcomes: [] };
  },
  'POST ssm/agents': (sandbox, body) => {
    const input = parseBody(agentSettingSchema, body);
    const scope = scopeOf(input);
    const applied = setAgent(sandbox.state.view(scope), sandbox.config.current(), input);
    if (!applied) throw new AdminError(404, `no instance ${input.instanceId} in ${scope.accountId}/${scope.region}`);
    return { applied, ...input, ...scope };
  },
  'GET sns/messages': (sandbox, _body, query) => {
    const result = snsQuerySchema.safeParse(Object.fromEntries(query));
    if (!result.success) throw new AdminError(400, z.prettifyError(result.error));
    return messageLog(sandbox.state.peek(scopeOf(result.data)), result.data.topicArn);
  },
  'POST base-images': (sandbox, body) => publish(sandbox, body),
  'POST autoscaling/unhealthy': (sandbox, body) => unhealthy(sandbox, body),
  'POST cloudwatch/alarm-state': (sandbox, body) => {
    const { alarmName, state, reason, ...input } = parseBody(alarmStateSchema, body);
    const scope = scopeOf(input);
    if (!changeAlarmState(sandbox.state.view(scope), { alarmName, state, reason })) {
      throw new AdminError(404, `no alarm ${alarmName} in ${scope.accountId}/${scope.region}`);
    }
    return { alarmName, state, ...scope };
  },
};

/** `POST /_sandbox/autoscaling/unhealthy`: the answer, with the account and Region it applied in. */
export type UnhealthyAnswer = UnhealthyResult & Scope;

function unhealthy(sandbox: Sandbox, body: string): UnhealthyAnswer {
  const input = parseBody(unhealthySchema, body);
  const scope = scopeOf(input);
  const result = markUnhealthy(sandbox.state.view(scope), input);
  if (!result) {
    const what = input.instanceId === undefined ? `group ${input.group}` : `instance ${input.instanceId} in ${input.group ?? 'any group'}`;
    throw new AdminError(404, `no ${what} in ${scope.accountId}/${scope.region}`);
  }
  return { ...result, ...scope };
}

/** A newer release of a base AMI in a Region, as Amazon publishes one, and AWS's public parameters pointed at it. */
function publish(sandbox: Sandbox, body: string): PublishedBaseImage {
  const { platform, region = DEFAULT_REGION } = parseBody(baseImageSchema, body);
  const amazon = sandbox.state.view({ accountId: AWS_ACCOUNT_ID, region });
  const image = publishBaseImage(amazon, platform);
  const parameters = pointPublicParameters(amazon, platform, image.id, Math.max(amazon.clock.now(), image.createdAt));
  return { region, platform, imageId: image.id, name: image.name, creationDate: new Date(image.createdAt).toISOString(), parameters };
}

/** An existing resource fails right away; otherwise the plan waits for the resource's creation. */
function fail(sandbox: Sandbox, body: string): unknown {
  const failure = parseBody(failureSchema, body);
  const scope = scopeOf(failure);
  const state = sandbox.state.view(scope);
  const reason = { code: failure.code, message: failure.message };
  const answer = (applied: 'now' | 'planned') => ({ applied, ...failure, ...scope });
  if (failure.kind === 'image' && failure.id !== undefined) {
    const image = state.ec2.images.get(failure.id);
    if (!image || image.deregistered) throw new AdminError(404, `no image ${failure.id} in ${scope.accountId}/${scope.region}`);
    failImage(state, image, reason);
    return answer('now');
  }
  const ec2Outcome = failExistingEc2Resource(state, failure);
  if (ec2Outcome === 'missing')
    throw new AdminError(404, `no unfinished ${failure.kind} ${failure.id} in ${scope.accountId}/${scope.region}`);
  if (ec2Outcome === 'applied') return answer('now');
  if (failAppStreamResourceNow(state, failure, sandbox.config.current().durations.builderTransition)) return answer('now');
  sandbox.failures.in(scope).add(failure);
  return answer('planned');
}

export function handleAdmin(sandbox: Sandbox, method: string, path: string, body: string, query: URLSearchParams): AdminReply {
  const route = ROUTES[`${method} ${path.slice(ADMIN_PREFIX.length).replace(/\/$/, '')}`];
  if (!route) return { status: 404, json: { error: `no admin route ${method} ${path}` } };
  try {
    return { status: 200, json: route(sandbox, body, query) };
  } catch (error) {
    if (error instanceof AdminError) return { status: error.status, json: { error: error.message } };
    throw error;
  }
}
