import { dumpAppStream, type AppStreamDump } from './appstream/dump';
import { dumpEc2, type Ec2Dump } from './ec2/dump';
import type { SandboxState } from './sandbox';

/**
 * A JSON view of every resource for tests and benchmarks (`GET /_sandbox/state`).
 * Times are wall-clock epoch milliseconds; `readyAt` is null until the resource
 * has finished its transition (benchmarks measure detection lag from it).
 */
export interface StateDump extends Ec2Dump {
  now: number;
  clockOffsetMs: number;
  appstream: AppStreamDump;
}

export function dumpState(state: SandboxState): StateDump {
  const ec2 = dumpEc2(state);
  return { now: Date.now(), clockOffsetMs: state.clock.offsetMs, ...ec2, appstream: dumpAppStream(state) };
}
