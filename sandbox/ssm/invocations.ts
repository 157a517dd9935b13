import type { SandboxConfig } from '../core/config';
import { drawDuration } from '../core/duration-draw';
import type { AgentView } from './agents';
import type { InvocationDetail, InvocationRecord, NodePlatform, PlannedRun, SsmState } from './state';

/**
 * One command on one instance, from Pending to its end. An invocation whose agent is online is delivered
 * at once: InProgress after the profile's `commandDelivery`, then its planned end after the run's duration
 * (Execution Timed Out if that exceeds the execution timeout). One whose agent is offline (its instance
 * stopped) waits; delivered when the agent is back, or Delivery Timed Out at TimeoutSeconds. A run whose
 * instance stops or terminates under it ends Failed then, as the agent reports a run its shutdown
 * interrupts; one not started by then waits for delivery again. The lifecycle is planned ahead (so the
 * admin API's "advance" moves it) and corrected on each read from what its instance did meanwhile.
 */

export type InvocationStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

const STATUS: Record<InvocationDetail, InvocationStatus> = {
  Pending: 'Pending',
  'In Progress': 'InProgress',
  Success: 'Success',
  Failed: 'Failed',
  'Execution Timed Out': 'TimedOut',
  'Delivery Timed Out': 'TimedOut',
  Cancelled: 'Cancelled',
};

const UNFINISHED: ReadonlySet<InvocationDetail> = new Set(['Pending', 'In Progress']);

/** The exit code of a run the agent stopped (timeout, cancel, shutdown): its CommandStoppedPreemptivelyExitCode. */
function stoppedExitCode(platform: NodePlatform): number {
  return platform === 'windows' ? -1 : 137;
}

interface Timing {
  executionTimeoutMs: number;
}

function deliveredSteps(state: SsmState, config: SandboxConfig, run: PlannedRun, { executionTimeoutMs }: Timing) {
  const timedOut = run.status === 'TimedOut' || run.runMs > executionTimeoutMs;
  const end: InvocationDetail = timedOut ? 'Execution Timed Out' : run.status === 'Failed' ? 'Failed' : 'Success';
  return [
    { state: 'In Progress' as const, afterMs: drawDuration(state, config, 'commandDelivery') },
    { state: end, afterMs: Math.min(run.runMs, executionTimeoutMs) },
  ];
}

export interface NewInvocation extends Timing {
  instanceId: string;
  platform: NodePlatform;
  run: PlannedRun;
  deliverBy: number;
  agentOnline: boolean;
}

export function newInvocation(state: SsmState, config: SandboxConfig, n: NewInvocation): InvocationRecord {
  const now = state.clock.now();
  const lifecycle = state.timeline<InvocationDetail>('Pending', now);
  if (n.agentOnline) lifecycle.replan(now, deliveredSteps(state, config, n.run, n));
  else lifecycle.then('Delivery Timed Out', n.deliverBy - now);
  return {
    instanceId: n.instanceId,
    platform: n.platform,
    run: n.run,
    lifecycle,
    deliverBy: n.deliverBy,
    executionTimeoutMs: n.executionTimeoutMs,
    delivered: n.agentOnline,
    plannedAt: now,
  };
}

/** Brings the plan in line with what the instance and its agent did by `now`; true if it changed. */
function settleOnce(state: SsmState, config: SandboxConfig, inv: InvocationRecord, view: AgentView | undefined, now: number): boolean {
  if (!view) return false;
  const { lifecycle } = inv;
  if (inv.delivered) {
    const end = lifecycle.plannedAt(lifecycle.finalState())!;
    const down = view.node.history(now).find((s) => s.at >= inv.plannedAt && s.state !== 'running');
    if (!down || down.at >= end) return false;
    if (down.at < lifecycle.plannedAt('In Progress')!) {
      lifecycle.replan(down.at, [{ state: 'Delivery Timed Out', afterMs: Math.max(0, inv.deliverBy - down.at) }]);
      Object.assign(inv, { delivered: false, plannedAt: down.at });
    } else {
      lifecycle.replan(down.at, [{ state: 'Failed', afterMs: 0 }]);
      inv.cutShort = 'shutdown';
    }
    return true;
  }
  // Waiting for delivery (unless cancelled meanwhile): the agent is back.
  if (view.onlineSince === undefined || lifecycle.finalState() !== 'Delivery Timed Out') return false;
  const at = Math.max(view.onlineSince, inv.plannedAt);
  if (at >= inv.deliverBy) return false;
  lifecycle.replan(at, deliveredSteps(state, config, inv.run, inv));
  Object.assign(inv, { delivered: true, plannedAt: at });
  return true;
}

export function settleInvocation(state: SsmState, config: SandboxConfig, inv: InvocationRecord, view: AgentView | undefined): void {
  const now = state.clock.now();
  // Each change answers one event (delivery, shutdown); a handful covers any sequence between two reads.
  for (let i = 0; i < 8 && settleOnce(state, config, inv, view, now); i++);
}

/** CancelCommand: an unfinished invocation is Cancelled now. */
export function cancelInvocation(inv: InvocationRecord, now: number): void {
  if (!UNFINISHED.has(inv.lifecycle.stateAt(now))) return;
  inv.lifecycle.replan(now, [{ state: 'Cancelled', afterMs: 0 }]);
  inv.cutShort = 'cancel';
}

/** An invocation as the read operations report it at one instant. */
export interface InvocationReading {
  detail: InvocationDetail;
  status: InvocationStatus;
  /** -1 until the run ends with an exit code (or when it never started). */
  responseCode: number;
  startedAt?: number;
  endedAt?: number;
  /** Full output; each operation cuts it as SSM does (command-output.ts). */
  stdout: string;
  stderr: string;
}

export function readInvocation(inv: InvocationRecord, now: number): InvocationReading {
  const detail = inv.lifecycle.stateAt(now);
  const history = inv.lifecycle.history(now);
  const startedAt = history.find((s) => s.state === 'In Progress')?.at;
  const endedAt = UNFINISHED.has(detail) ? undefined : history.at(-1)!.at;
  const stopped = stoppedExitCode(inv.platform);
  const ranItsCourse = inv.cutShort === undefined && (detail === 'Success' || detail === 'Failed' || detail === 'Execution Timed Out');
  const responseCode: Record<InvocationDetail, number> = {
    Pending: -1,
    'In Progress': -1,
    'Delivery Timed Out': -1,
    Success: 0,
    Failed: inv.cutShort === 'shutdown' ? stopped : inv.run.exitCode,
    'Execution Timed Out': stopped,
    Cancelled: startedAt === undefined ? -1 : stopped,
  };
  return {
    detail,
    status: STATUS[detail],
    responseCode: responseCode[detail],
    startedAt,
    endedAt,
    stdout: ranItsCourse ? inv.run.stdout : '',
    stderr: ranItsCourse ? inv.run.stderr : '',
  };
}

/**
 * A command's Status and StatusDetails from its invocations', with the counts Command reports. MaxErrors is
 * kept as given but not applied: any failed invocation fails the command, as with its default of 0.
 */
export function readCommand(readings: InvocationReading[]) {
  const details = readings.map((r) => r.detail);
  const finished = details.filter((d) => !UNFINISHED.has(d));
  const counts = {
    TargetCount: readings.length,
    CompletedCount: finished.length,
    ErrorCount: details.filter((d) => d === 'Failed' || d === 'Execution Timed Out').length,
    DeliveryTimedOutCount: details.filter((d) => d === 'Delivery Timed Out').length,
  };
  const outcome = (status: string, statusDetails: string) => ({ Status: status, StatusDetails: statusDetails, ...counts });
  if (details.every((d) => d === 'Pending')) return outcome('Pending', 'Pending');
  if (finished.length < details.length) return outcome('InProgress', 'In Progress');
  const worst = (['Cancelled', 'Failed', 'Execution Timed Out', 'Delivery Timed Out'] as const).find((d) => details.includes(d));
  if (!worst) return outcome('Success', 'Success');
  return outcome(STATUS[worst], worst);
}
