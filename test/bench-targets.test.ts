/**
 * The benchmark's target table: every target has a row, and one a run did not measure says so
 * instead of counting as missed (a `--quick` run used to report the 1000-poll history target missed
 * after a 100-poll probe). Figures are made up here: only the table's logic is under test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTargets } from '../bench/targets';
import type { ScenarioResult } from '../bench/types';

function amiRow(mode: ScenarioResult['mode'], n: number, overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'ami',
    mode,
    n,
    succeeded: n,
    failed: 0,
    describeCalls: mode === 'shared' ? 10 : 400,
    mutatingCalls: n,
    throttledDescribe: 0,
    throttledMutating: 0,
    throttledDescribeDuringWaits: 0,
    calls: { CreateImage: { total: n, throttled: 0, faulted: 0 } },
    makespanS: 60,
    lag: { p50S: 7, p99S: 14, maxS: 15, samples: n },
    lagSplit: null,
    historyEvents: null,
    pollsPerWait: null,
    workers: 1,
    perWorker: [{ peakRssMiB: 300, cpuS: 5 }],
    workerPeakRssMiB: 300,
    workerCpuS: 5,
    waitBeats: { beats: 4, describesPerBeat: 2, peakDescribesPerBeat: 2 },
    makespanBoundS: 95,
    rolloutHistory: null,
    serverCpuS: 1,
    benchCpuS: 1,
    copies: null,
    copyLag: null,
    refreshes: null,
    notes: [],
    ...overrides,
  };
}

const QUICK = [amiRow('shared', 100), amiRow('per-run', 100), amiRow('sdk-waiter', 100)];

test('a quick run: targets at N = 1000, with 4 workers or for 1000 polls are "not measured", none "missed"', () => {
  const checks = checkTargets(QUICK, { onePoll: { events: 27, polls: 1 }, longPoll: { events: 27, polls: 100 } });
  assert.deepEqual(
    checks.filter((c) => c.status === 'missed'),
    [],
  );
  const status = (pattern: RegExp) => checks.filter((c) => pattern.test(c.target)).map((c) => c.status);
  const notMeasured = (n: number) => Array(n).fill('not measured');
  assert.deepEqual(status(/^N=1000/), notMeasured(12), 'throttling, creates, makespan, lag, CPU, RSS, on 1 and on 4 workers');
  assert.deepEqual(
    status(/4 workers|extra worker/),
    notMeasured(9),
    'throttling, creates, makespan, lag at 3 Ns, CPU, RSS; describes per beat',
  );
  assert.deepEqual(status(/1000-poll/), ['not measured']);
  assert.deepEqual(status(/^N=100, 1 worker: watcher lag/), ['met']);
  assert.deepEqual(status(/^N=100, 1 worker: watcher never slower/), ['met']);
});

test('every target of the performance issue has a row', () => {
  const targets = checkTargets(QUICK, null).map((c) => c.target);
  for (const pattern of [
    /N=1000, 1 worker: 0 throttled/,
    /N=1000, 4 workers: 0 throttled/,
    /N=1000, 1 worker: exactly 1000 CreateImage/,
    /N=1000, 4 workers: exactly 1000 CreateImage/,
    /N=1000, 1 worker: makespan within 10% of the bound/,
    /N=1000, 4 workers: makespan within 10% of the bound/,
    /N=100, 1 worker: watcher lag p99/,
    /N=500, 1 worker: watcher lag p99/,
    /N=1000, 1 worker: watcher lag p99/,
    /N=100, 4 workers: watcher lag p99/,
    /N=500, 4 workers: watcher lag p99/,
    /N=1000, 4 workers: watcher lag p99/,
    /N=1000, 4 workers: worker CPU/,
    /N=1000, 4 workers: worker peak RSS/,
    /describes per beat grow by at most one per extra worker/,
    /watcher never slower than per-run/,
    /worker CPU ≤ 75 ms per pipeline/,
    /worker peak RSS ≤ 768 MiB/,
    /rollout onto 10000 instances: completes/,
    /rollout onto 10000 instances: describes per beat/,
    /rollout onto 10000 instances: every history within/,
    /per-run polling and the SDK waiter measured in the same run/,
  ]) {
    assert.ok(
      targets.some((t) => pattern.test(t)),
      `a row for ${pattern}`,
    );
  }
});

test('a measured target that falls short is "missed": the watcher slower than per-run, a throttled call at N = 1000', () => {
  const checks = checkTargets(
    [
      amiRow('shared', 1000, { makespanS: 83, calls: { CreateImage: { total: 1200, throttled: 200, faulted: 0 } } }),
      amiRow('per-run', 1000, { makespanS: 73 }),
    ],
    null,
  );
  const status = (pattern: RegExp) => checks.find((c) => pattern.test(c.target))?.status;
  assert.equal(status(/N=1000, 1 worker: 0 throttled/), 'missed');
  assert.equal(status(/exactly 1000 CreateImage/), 'missed');
  assert.equal(status(/N=1000, 1 worker: watcher never slower/), 'missed');
});

test('more workers: describes per beat may grow by one per extra worker, and the makespan is held to the bound', () => {
  const fourWorkers = (describesPerBeat: number, makespanS: number) =>
    amiRow('shared', 1000, {
      workers: 4,
      perWorker: Array(4).fill({ peakRssMiB: 300, cpuS: 5 }),
      waitBeats: { beats: 5, describesPerBeat, peakDescribesPerBeat: describesPerBeat },
      makespanS,
      makespanBoundS: 300,
    });
  const check = (row: ScenarioResult) => {
    const checks = checkTargets([amiRow('shared', 1000, { makespanS: 320, makespanBoundS: 300 }), row], null);
    return (pattern: RegExp) => checks.find((c) => pattern.test(c.target))?.status;
  };
  const within = check(fourWorkers(5, 331));
  assert.equal(within(/extra worker/), 'met', '2 per beat on 1 worker, 5 on 4: three more');
  assert.equal(within(/N=1000, 1 worker: makespan within 10%/), 'met');
  assert.equal(within(/N=1000, 4 workers: makespan within 10%/), 'missed', '331 s is more than 10% over 300 s');
  assert.equal(check(fourWorkers(6, 300))(/extra worker/), 'missed', 'four more for three extra workers');
});

test('a run that copies has no makespan bound, and the target says so rather than "not run"', () => {
  const checks = checkTargets([amiRow('shared', 1000, { makespanS: 249, makespanBoundS: null })], null);
  const makespan = checks.find((c) => /N=1000, 1 worker: makespan within 10%/.test(c.target));
  assert.equal(makespan?.status, 'not measured');
  assert.equal(makespan?.measured, 'pipelines that copy have no makespan bound');
});
