/**
 * The bookkeeping every scenario shares: CPU time of the dev server and of this process over the
 * scenario's window, and turning the sandbox's counts into a result row.
 */
import type { CallCounts } from '../sandbox/calls';
import { summarizeCalls } from './call-stats';
import { ownCpuS, readCpuS } from './proc-stats';
import { round1 } from './stats';
import type { ScenarioResult } from './types';

export interface CpuWindow {
  /** CPU seconds since the window opened: [dev server, this process]. */
  close(): { serverCpuS: number; benchCpuS: number };
}

export function openCpuWindow(serverPid: number): CpuWindow {
  const server0 = readCpuS(serverPid);
  const own0 = ownCpuS();
  return { close: () => ({ serverCpuS: round1(readCpuS(serverPid) - server0), benchCpuS: round1(ownCpuS() - own0) }) };
}

/** The call columns of a row; `atCreatesDone` splits off the throttled describes that happened during the waits. */
export function callColumns(counts: CallCounts, atCreatesDone: CallCounts | undefined): Pick<
  ScenarioResult,
  'describeCalls' | 'mutatingCalls' | 'throttledDescribe' | 'throttledMutating' | 'throttledDescribeDuringWaits' | 'calls'
> {
  const total = summarizeCalls(counts);
  return {
    ...total,
    throttledDescribeDuringWaits: atCreatesDone ? total.throttledDescribe - summarizeCalls(atCreatesDone).throttledDescribe : null,
    calls: counts.ec2,
  };
}
