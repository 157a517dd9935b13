import { dumpAppStream, type AppStreamDump } from './appstream/dump';
import { dumpAutoScaling, type AutoScalingDump } from './autoscaling/dump';
import { dumpCloudWatch, type CloudWatchDump } from './cloudwatch/dump';
import type { Scope } from './core/state';
import { dumpEc2, type Ec2Dump } from './ec2/dump';
import type { SandboxState } from './sandbox';
import { dumpSsm, type SsmDump } from './ssm/dump';

/**
 * A JSON view of one account's resources in one Region for tests and benchmarks (`GET /_sandbox/state`,
 * the default account and Region unless `?accountId=…&region=…` says otherwise), labelled with both.
 * Times are wall-clock epoch milliseconds; `readyAt` is null until the resource has finished its
 * transition (benchmarks measure detection lag from it).
 */
export interface ScopeDump extends Ec2Dump, Scope {
  appstream: AppStreamDump;
  ssm: SsmDump;
  autoscaling: AutoScalingDump;
  cloudwatch: CloudWatchDump;
}

export interface StateDump extends ScopeDump {
  now: number;
  clockOffsetMs: number;
  /** Every account and Region that holds resources (AWS's own public ones included), each of which can be dumped. */
  scopes: Scope[];
}

export function dumpState(state: SandboxState, scope: Scope): StateDump {
  const view = state.peek(scope);
  return {
    now: Date.now(),
    clockOffsetMs: state.clock.offsetMs,
    accountId: scope.accountId,
    region: scope.region,
    ...dumpEc2(view),
    appstream: dumpAppStream(view),
    ssm: dumpSsm(view),
    autoscaling: dumpAutoScaling(view),
    cloudwatch: dumpCloudWatch(view),
    scopes: [...state.scopes.values()].map(({ accountId, region }) => ({ accountId, region })),
  };
}
