/** The targets, checked against the measured rows. They are reported, never asserted, and never lowered. */
import type { HistoryProbe, ScenarioResult, TargetCheck } from './types';

const POLL_INTERVAL_S = 15;
const GiB_MiB = 1024;

export function checkTargets(rows: ScenarioResult[], probe: HistoryProbe | null): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ami = (mode: ScenarioResult['mode'], n: number) => rows.find((r) => r.scenario === 'ami' && r.mode === mode && r.n === n);
  const topN = Math.max(0, ...rows.filter((r) => r.scenario === 'ami').map((r) => r.n));
  const shared = ami('shared', topN);
  const perRun = ami('per-run', topN);
  if (shared && perRun) {
    const ratio = perRun.describeCalls / Math.max(1, shared.describeCalls);
    checks.push({
      target: `N=${topN}: watcher makes ≥ 20x fewer describe calls than per-run`,
      measured: `${ratio.toFixed(1)}x (${perRun.describeCalls} vs ${shared.describeCalls})`,
      met: ratio >= 20,
    });
    checks.push({
      target: `N=${topN}: no describe call throttled (watcher)`,
      measured: `${shared.throttledDescribe} throttled in all; ${shared.throttledDescribeDuringWaits ?? '?'} after the last CreateImage`,
      met: shared.throttledDescribe === 0,
    });
  }
  // The groups scenario's image waits are one or a few per run: its lag that counts is the refreshes' (its own table).
  for (const r of rows.filter((x) => x.mode === 'shared' && x.lag && x.scenario !== 'groups')) {
    checks.push({
      target: `${r.scenario} N=${r.n}: watcher lag p99 ≤ ${POLL_INTERVAL_S} + 2 s`,
      measured: `${r.lag!.p99S} s`,
      met: r.lag!.p99S <= POLL_INTERVAL_S + 2,
    });
  }
  if (probe) {
    checks.push({
      target: 'history events equal for a 1-poll and a many-poll wait',
      // Equal counts after a short probe (`--quick`, `--long-polls`) prove too little: the target is 1000 polls.
      measured: `${probe.onePoll.events} (1 poll) vs ${probe.longPoll.events} (${probe.longPoll.polls} polls)${probe.longPoll.polls < 1000 ? ', fewer than the 1000 polls the target asks for' : ''}`,
      met: probe.onePoll.events === probe.longPoll.events && probe.longPoll.polls >= 1000,
    });
    checks.push({
      target: 'history events ≤ 40 for create + wait-available',
      measured: `${Math.max(probe.onePoll.events, probe.longPoll.events)}`,
      met: Math.max(probe.onePoll.events, probe.longPoll.events) <= 40,
    });
  }
  for (const r of rows.filter((x) => x.workerPeakRssMiB !== null && x.n >= 1000)) {
    checks.push({
      target: `${r.scenario} ${r.mode} N=${r.n}: worker peak RSS ≤ 1 GiB`,
      measured: `${r.workerPeakRssMiB} MiB`,
      met: r.workerPeakRssMiB! <= GiB_MiB,
    });
  }
  return checks;
}
