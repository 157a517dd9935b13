/** The one results table, as fixed-width text for the terminal and as Markdown for results.md. */
import { fittedColumns, tableLine } from '../client/table';
import type { BenchResults, ScenarioResult, Spread } from './types';

const MODE_LABEL = { shared: '(a) shared watcher', 'per-run': '(b) per-run polling', 'sdk-waiter': '(c) SDK waiter' } as const;

const HEADERS = [
  'scenario',
  'mode',
  'N',
  'ok/failed',
  'describe calls',
  'mutating calls',
  'throttled describe/mutating',
  'throttled describe during waits',
  'makespan s',
  'lag p50 s',
  'lag p99 s',
  'history events/run',
  'polls/wait',
  'worker peak RSS MiB',
  'worker CPU s',
  'server CPU s',
  'bench+sandbox CPU s',
];

const dash = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : String(v));
const spreadText = (s: Spread | null) => (s ? (s.min === s.max ? `${s.median}` : `${s.median} (${s.min}–${s.max})`) : '—');

function cells(r: ScenarioResult): string[] {
  return [
    r.scenario === 'ami' ? 'AMI create+wait' : 'rollout',
    MODE_LABEL[r.mode],
    String(r.n),
    `${r.succeeded}/${r.failed}`,
    String(r.describeCalls),
    String(r.mutatingCalls),
    `${r.throttledDescribe}/${r.throttledMutating}`,
    dash(r.throttledDescribeDuringWaits),
    dash(r.makespanS),
    dash(r.lag?.p50S),
    dash(r.lag?.p99S),
    spreadText(r.historyEvents),
    spreadText(r.pollsPerWait),
    dash(r.workerPeakRssMiB),
    dash(r.workerCpuS),
    dash(r.serverCpuS),
    dash(r.benchCpuS),
  ];
}

export function textTable(results: ScenarioResult[]): string {
  const rows = [HEADERS, ...results.map(cells)];
  const columns = fittedColumns(rows);
  const line = (r: string[]) => tableLine(columns, r, ' | ');
  return [line(HEADERS), columns.map((c) => '-'.repeat(c.width)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

function markdownTable(results: ScenarioResult[]): string {
  return [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...results.map((r) => `| ${cells(r).join(' | ')} |`),
  ].join('\n');
}

export function markdownReport(results: BenchResults): string {
  const probe = results.historyProbe;
  return [
    '# golden-image benchmark',
    '',
    `Run ${results.startedAt} on ${results.machine.cpus} CPUs, ${results.machine.memGiB} GiB, Node ${results.machine.node}; took ${Math.round(results.durationS / 60)} min. Reproduce with \`npm run bench\`.`,
    '',
    "Temporal dev server (sqlite) + AWS sandbox with EC2 throttling at AWS's published bucket sizes; production worker as a child process, restarted per scenario.",
    'AMIs become available after a seeded random 20–60 s ("minutes" scaled to seconds); waits use the default 15 s poll interval.',
    "Lag = sandbox `readyAt` → the wait stage's `endedAt` (mode c: the waiter's return).",
    '',
    markdownTable(results.scenarios),
    '',
    ...(probe
      ? [
          `History probe (create + wait-available): 1 poll → ${probe.onePoll.events} events; ${probe.longPoll.polls} polls → ${probe.longPoll.events} events.`,
          '',
        ]
      : []),
    '## Targets',
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...results.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...results.scenarios.flatMap((r) => r.notes.map((n) => `- ${MODE_LABEL[r.mode]}, ${r.scenario} N=${r.n}: ${n}`)),
    ...((results.settings.errors as string[] | undefined) ?? []).map((e) => `- **Not measured in this run**: ${e}`),
    '',
    '![describe calls per mode and N](chart.svg)',
    '',
  ].join('\n');
}
