/**
 * `npm run bench`: the shared watcher against per-run polling and the AWS SDK's waiter, in one run,
 * on a fresh dev server and sandbox. Prints one table and writes bench/results/{results.json,
 * results.md,chart.svg}. Not a test: it measures and reports; the targets are never asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installRuntime } from '../worker/runtime';
import { COPY_POLL, runAmiScenario, type ScenarioContext } from './ami-scenario';
import { describeCallsChart } from './chart';
import { GROUPS_SANDBOX } from './group-fleet';
import { groupShapes, REFRESH_POLL, runGroupsScenario, shapeLabel } from './groups-scenario';
import { runHistoryProbe } from './history-probe';
import { parseOptions, type BenchOptions } from './options';
import { copiesTextTable, groupsTextTable, markdownReport, splitTextTable, textTable } from './report';
import { ROLLOUT_CONCURRENCY, runRolloutScenario } from './rollout-scenario';
import { BENCH_SANDBOX } from './sandbox-setup';
import { runSdkWaiterScenario } from './sdk-waiter-scenario';
import { startSideSandbox, startStack, type BenchStack } from './stack';
import { checkTargets } from './targets';
import type { BenchMode, BenchResults, HistoryProbe, ScenarioResult } from './types';

/** No scenario may run longer than this; a stuck one fails the bench rather than hanging it. */
const SCENARIO_TIMEOUT_MS = 40 * 60_000;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${msg}`);
  // The client's own runtime logs only errors: activity retries are the point of the bench, not news.
  installRuntime({ logLevel: 'ERROR' });

  const stack = await startStack(log);
  log(`dev server ${stack.server.address} (pid ${stack.server.process.pid}), sandbox ${stack.sandbox.url}, logs in ${stack.dir}`);
  if (options.probeOnly) return probeOnly(stack, options.longPolls, options.outDir, log);
  const ctx: ScenarioContext = {
    stack,
    log,
    historySample: options.historySample,
    timeoutMs: SCENARIO_TIMEOUT_MS,
    copyRegions: options.copyRegions,
  };
  const rows: ScenarioResult[] = [];
  const errors: string[] = [];
  const run = async (label: string, scenario: () => Promise<ScenarioResult>) => {
    log(`${label}`);
    try {
      const row = await scenario();
      rows.push(row);
      // Written after every scenario, so a run cut short still leaves what it measured.
      writeOutputs({ started, options, rows, probe: null, errors });
      log(`  done: ${row.describeCalls} describes, makespan ${row.makespanS} s, lag p99 ${row.lag?.p99S ?? '—'} s`);
    } catch (err) {
      errors.push(`${label}: ${causeChain(err)}`);
      log(`  FAILED: ${causeChain(err)}`);
    }
  };

  let probe: HistoryProbe | null = null;
  try {
    const runs = (mode: BenchMode) => options.modes.includes(mode);
    // Mode (c) needs neither Temporal nor a worker and spends most of its time in the SDK waiter's
    // backoff: it runs beside the rest on a sandbox of its own rather than adding minutes to the bench.
    const sdkWaiters = runs('sdk-waiter') ? runSdkWaiters(ctx, options.ns, run) : Promise.resolve();
    // The history probe, too, has its own sandbox and worker, and makes one call a second: it runs beside the rest.
    const probing = options.skipProbe
      ? Promise.resolve(null)
      : runHistoryProbe(stack, options.longPolls, log).catch((err: unknown) => {
          errors.push(`history probe: ${String(err)}`);
          return null;
        });
    const copying = options.copyRegions.length ? `, copying to ${options.copyRegions.join(', ')}` : '';
    // The baseline (b) runs on the fewest workers asked for: one comparison per N keeps the full run inside the hour.
    const baselineWorkers = Math.min(...options.workers);
    for (const n of options.ns) {
      for (const w of options.workers) {
        const on = `${n} AMI pipelines on ${w} worker${w === 1 ? '' : 's'}${copying}`;
        if (runs('shared')) await run(`(a) shared watcher, ${on}`, () => runAmiScenario(ctx, 'shared', n, w));
        if (runs('per-run') && w === baselineWorkers) await run(`(b) per-run polling, ${on}`, () => runAmiScenario(ctx, 'per-run', n, w));
      }
    }
    for (const shape of options.groups ? groupShapes(options.groups) : []) {
      if (runs('shared')) await run(`(a) shared watcher, ${shapeLabel(shape)}`, () => runGroupsScenario(ctx, 'shared', shape));
      if (runs('per-run')) await run(`(b) per-run polling, ${shapeLabel(shape)}`, () => runGroupsScenario(ctx, 'per-run', shape));
    }
    const rollout = { instances: options.rollout, interval: options.rolloutInterval };
    if (!options.skipRollout) {
      if (runs('shared'))
        await run(`(a) shared watcher, rollout onto ${options.rollout}`, () => runRolloutScenario(ctx, 'shared', rollout));
      if (runs('per-run'))
        await run(`(b) per-run polling, rollout onto ${options.rollout}`, () => runRolloutScenario(ctx, 'per-run', rollout));
    }
    probe = await probing;
    await sdkWaiters;
  } finally {
    await stack.close();
  }

  const results = writeOutputs({ started, options, rows, probe, errors });

  console.log('\n' + textTable(results.scenarios) + '\n');
  if (results.scenarios.some((r) => r.lagSplit)) console.log('where the lag goes (s):\n' + splitTextTable(results.scenarios) + '\n');
  if (options.copyRegions.length) console.log(copiesTextTable(results.scenarios) + '\n');
  if (options.groups) console.log(groupsTextTable(results.scenarios) + '\n');
  if (probe)
    console.log(`history probe: 1 poll → ${probe.onePoll.events} events; ${probe.longPoll.polls} polls → ${probe.longPoll.events} events`);
  for (const t of results.targets) console.log(`${t.status.toUpperCase().padEnd(12)} ${t.target}: ${t.measured}`);
  for (const e of errors) console.log(`ERROR ${e}`);
  console.log(`total ${Math.round(results.durationS / 60)} min; results in ${options.outDir}/`);
  if (errors.length) process.exitCode = 1;
}

interface Outputs {
  started: number;
  options: BenchOptions;
  rows: ScenarioResult[];
  probe: HistoryProbe | null;
  errors: string[];
}

/** results.json, results.md and chart.svg from the rows so far. */
function writeOutputs({ started, options, rows, probe, errors }: Outputs): BenchResults {
  // By scenario, N, pipelines (the groups scenario's two shapes) and mode.
  const order = (r: ScenarioResult) => [
    ['ami', 'rollout', 'groups'].indexOf(r.scenario),
    r.n,
    r.workers,
    r.refreshes?.pipelines ?? 0,
    ['shared', 'per-run', 'sdk-waiter'].indexOf(r.mode),
  ];
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x.map((v, i) => v - y[i]!).find((d) => d !== 0) ?? 0;
  });
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    settings: {
      ...options,
      sandbox: BENCH_SANDBOX,
      rolloutConcurrency: ROLLOUT_CONCURRENCY,
      pollInterval: '15s (default)',
      ...(options.copyRegions.length ? { copyPollInterval: COPY_POLL } : {}),
      ...(options.groups ? { groupsSandbox: GROUPS_SANDBOX, refreshPollInterval: REFRESH_POLL } : {}),
      errors,
    },
    scenarios: sorted,
    historyProbe: probe,
    targets: checkTargets(sorted, probe),
  };
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(path.join(options.outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(options.outDir, 'results.md'), markdownReport(results));
  writeFileSync(path.join(options.outDir, 'chart.svg'), describeCallsChart(sorted) + '\n');
  return results;
}

async function runSdkWaiters(
  ctx: ScenarioContext,
  ns: number[],
  run: (label: string, scenario: () => Promise<ScenarioResult>) => Promise<void>,
) {
  const side = await startSideSandbox();
  try {
    for (const n of ns) await run(`(c) SDK waiter, ${n} AMIs (beside the others)`, () => runSdkWaiterScenario(ctx, side, n));
  } finally {
    await side.sandbox.close();
  }
}

/** The history probe alone, on an otherwise idle machine: `npm run bench -- --probe-only`. */
async function probeOnly(stack: BenchStack, longPolls: number, outDir: string, log: (msg: string) => void): Promise<void> {
  try {
    const probe = await runHistoryProbe(stack, longPolls, log);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'history-probe.json'), JSON.stringify({ at: new Date().toISOString(), ...probe }, null, 2) + '\n');
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/** An error with its causes ("Workflow execution failed: rollout: …: AWS's reason"), so a failed scenario says why. */
function causeChain(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error && messages.length < 6; e = e.cause) messages.push(e.message);
  return messages.join(': ') || String(err);
}
