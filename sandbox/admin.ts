import { z } from 'zod';
import { failAppStreamResourceNow } from './appstream/failures';
import { listUpdates, setUpdateAvailability, updateAvailabilitySchema } from './appstream/updates';
import { configOverridesSchema } from './core/config';
import { failureSchema } from './core/failures';
import { faultSchema } from './core/faults';
import { failExistingEc2Resource } from './ec2/failures';
import { failImage } from './ec2/images';
import type { Sandbox } from './sandbox';
import { dumpState } from './state-dump';

/**
 * The `/_sandbox/` control API (JSON in and out). It is for tests, benchmarks
 * and the dev stack; the project's own code reaches AWS only through the SDK.
 */

export const ADMIN_PREFIX = '/_sandbox/';

export interface AdminReply {
  status: number;
  json: unknown;
}

const advanceSchema = z.strictObject({ ms: z.number().int().min(0).optional() });

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

type Route = (sandbox: Sandbox, body: string) => unknown;

const ROUTES: Record<string, Route> = {
  'POST reset': (sandbox, body) => ({ config: sandbox.reset(parseBody(configOverridesSchema, body)) }),
  'GET config': (sandbox) => sandbox.config.current(),
  'POST config': (sandbox, body) => sandbox.configure(parseBody(configOverridesSchema, body)),
  'GET calls': (sandbox) => sandbox.calls.snapshot(),
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
  'GET state': (sandbox) => dumpState(sandbox.state),
  'GET appstream/updates': (sandbox) => listUpdates(sandbox.state),
  'POST appstream/updates': (sandbox, body) => setUpdateAvailability(sandbox.state, parseBody(updateAvailabilitySchema, body)),
};

/** An existing resource fails right away; otherwise the plan waits for the resource's creation. */
function fail(sandbox: Sandbox, body: string): unknown {
  const failure = parseBody(failureSchema, body);
  const reason = { code: failure.code, message: failure.message };
  if (failure.kind === 'image' && failure.id !== undefined) {
    const image = sandbox.state.ec2.images.get(failure.id);
    if (!image || image.deregistered) throw new AdminError(404, `no image ${failure.id}`);
    failImage(sandbox.state, image, reason);
    return { applied: 'now', ...failure };
  }
  const ec2Outcome = failExistingEc2Resource(sandbox.state, failure);
  if (ec2Outcome === 'missing') throw new AdminError(404, `no unfinished ${failure.kind} ${failure.id}`);
  if (ec2Outcome === 'applied') return { applied: 'now', ...failure };
  if (failAppStreamResourceNow(sandbox.state, failure, sandbox.config.current().durations.builderTransition))
    return { applied: 'now', ...failure };
  sandbox.failures.add(failure);
  return { applied: 'planned', ...failure };
}

export function handleAdmin(sandbox: Sandbox, method: string, path: string, body: string): AdminReply {
  const route = ROUTES[`${method} ${path.slice(ADMIN_PREFIX.length).replace(/\/$/, '')}`];
  if (!route) return { status: 404, json: { error: `no admin route ${method} ${path}` } };
  try {
    return { status: 200, json: route(sandbox, body) };
  } catch (error) {
    if (error instanceof AdminError) return { status: error.status, json: { error: error.message } };
    throw error;
  }
}
