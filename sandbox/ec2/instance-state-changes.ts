import { publicIpFor } from './instance-details';
import { requireInstances } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, instanceStateXml } from './render';
import { drawDuration } from '../core/duration-draw';
import { ApiError, missingParameter } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import type { InstanceState } from '../core/cross-service';
import type { Ec2Context, InstanceRecord } from './state';

/**
 * The state changes a user asks for, as the EC2 API reference and the instance lifecycle have them:
 * StopInstances (running → stopping → stopped after the profile's `instanceStopping`), StartInstances
 * (stopped → pending → running after `instance`) and TerminateInstances (any state → shutting-down →
 * terminated after `instance`). An instance already where the change leads, or on its way there, is
 * answered with its state and left as it is. Every instance is checked before any is changed, so a
 * refused call changes none of them. Each answer lists every instance with its current and previous state.
 */

/** A change as one call asks for it: the call's own flags are read first, then each instance is decided on. */
type StateChange = (params: Ec2Params) => {
  /** Whether `instance`, in `current`, takes the change (false: it is there already, or on its way); throws if it cannot. */
  takes(instance: InstanceRecord, current: InstanceState, now: number): boolean;
  /** Plans the change from `now`. */
  apply(instance: InstanceRecord, now: number, ctx: Ec2Context): void;
};

function incorrectState(message: string): ApiError {
  return new ApiError('IncorrectInstanceState', message);
}

function stateChangeAction(change: StateChange): (params: Ec2Params, ctx: Ec2Context) => XmlObject {
  return (params, ctx) => {
    const { takes, apply } = change(params);
    const ids = params.stringList('InstanceId');
    if (ids.length === 0) throw missingParameter('InstanceId');
    const instances = requireInstances(ctx.state, ids);
    dryRunGate(params);
    const now = ctx.state.clock.now();
    const previous = instances.map((instance) => instance.lifecycle.stateAt(now));
    const changing = instances.map((instance, n) => takes(instance, previous[n]!, now));
    instances.forEach((instance, n) => {
      if (changing[n]) apply(instance, now, ctx);
    });
    return {
      instancesSet: instances.map((instance, n) => ({
        instanceId: instance.id,
        currentState: instanceStateXml(instance.lifecycle.stateAt(now)),
        previousState: instanceStateXml(previous[n]!),
      })),
    };
  };
}

/** Force and SkipOsShutdown only cut short a shutdown that hangs, and the sandbox's never do: read, and otherwise ignored. */
function readShutdownFlags(params: Ec2Params): void {
  params.bool('Force');
  params.bool('SkipOsShutdown');
}

const stop: StateChange = (params) => {
  const hibernate = params.bool('Hibernate') ?? false;
  readShutdownFlags(params);
  return {
    takes(instance, current, now) {
      // The sandbox launches no instance configured for hibernation (DescribeInstances says so).
      if (hibernate) {
        throw new ApiError(
          'UnsupportedHibernationConfiguration',
          `The instance can't be hibernated because it was not configured at launch for hibernation: ${instance.id}`,
        );
      }
      if (current === 'stopping' || current === 'stopped') return false;
      if (current === 'shutting-down' || current === 'terminated') {
        throw incorrectState(`This instance '${instance.id}' is not in a state from which it can be stopped.`);
      }
      // A first launch cannot be stopped before it runs; a restart (pending again after a stop) can.
      if (current === 'pending' && !instance.lifecycle.history(now).some((step) => step.state === 'running')) {
        throw incorrectState(`Instance '${instance.id}' cannot be stopped as it has never reached the 'running' state.`);
      }
      return true;
    },
    apply(instance, now, { state, config }) {
      instance.lifecycle.replan(now, [
        { state: 'stopping', afterMs: 0 },
        { state: 'stopped', afterMs: drawDuration(state, config, 'instanceStopping') },
      ]);
    },
  };
};

const start: StateChange = () => ({
  takes(instance, current) {
    if (current === 'pending' || current === 'running') return false;
    if (current !== 'stopped') throw incorrectState(`The instance '${instance.id}' is not in a state from which it can be started.`);
    return true;
  },
  apply(instance, now, { state, config }) {
    instance.lifecycle.replan(now, [
      { state: 'pending', afterMs: 0 },
      { state: 'running', afterMs: config.durations.instance },
    ]);
    // The address released at the stop is gone: a started instance gets a new one, as EC2 documents.
    if (instance.publicIpAddress !== undefined) instance.publicIpAddress = publicIpFor(state.nextSeq());
  },
});

/** shutting-down from `at`, terminated `shutdownMs` later: also how another service of the account (Auto Scaling) terminates one. */
export function planTermination(instance: InstanceRecord, at: number, shutdownMs: number): void {
  instance.lifecycle.replan(at, [
    { state: 'shutting-down', afterMs: 0 },
    { state: 'terminated', afterMs: shutdownMs },
  ]);
}

/** Idempotent by default, as the EC2 API reference says: terminating again answers the state the instance is in. */
const terminate: StateChange = (params) => {
  readShutdownFlags(params);
  return {
    takes: (_instance, current) => current !== 'shutting-down' && current !== 'terminated',
    apply: (instance, now, { config }) => planTermination(instance, now, config.durations.instance),
  };
};

export const instanceStateChangeActions = {
  StopInstances: stateChangeAction(stop),
  StartInstances: stateChangeAction(start),
  TerminateInstances: stateChangeAction(terminate),
};
