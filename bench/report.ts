/**
 * The results tables, as fixed-width text for the terminal and as Markdown for results.md: one row per
 * scenario; when the pipelines copy their images, one row per scenario and copy Region; and when they
 * refresh Auto Scaling groups, one row per scenario with the refresh waits' figures.
 */
import { fittedColumns, tableLine } from '../client/table';
import { GROUPS_SANDBOX, REFRESH_PREFERENCES } from './group-fleet';
import { shapeLabel } from './groups-scenario';
import { BENCH_SANDBOX } from './sandbox-setup';
import type { BenchResults, ScenarioResult, Spread } from './types';

const MODE_LABEL = { shared: '(a) shared watcher', 'per-run': '(b) per-run polling', 'sdk-waiter': '(c) SDK waiter' } as const;

const HEADERS = [
  'scenario',
  'mode',
  'N',
  'workers',
  'ok/failed',
  'describe calls',
  'wait describes/beat (peak)',
  'mutating calls',
  'throttled describe/mutating',
  'throttled describe during waits',
  'makespan s',
  'bound s',
  'lag p50 s',
  'lag p99 s',
  'history events/run',
  'polls/wait',
  'worker peak RSS MiB',
  'worker CPU s',
  'server CPU s',
  'bench+sandbox CPU s',
];

const COPY_HEADERS = [
  'mode',
  'N',
  'copy Region',
  'DescribeImages',
  'beats',
  'describes/beat (peak)',
  'throttled describes',
  'CopyImage calls',
  'throttled CopyImage',
  'copy waits s',
  'last copy ready s',
  'copy lag p50/p99 s',
  'makespan s',
];

const SPLIT_HEADERS = ['scenario', 'mode', 'N', 'workers', 'runs', 'lag s', 'until the poll s', 'in the poll s', 'to the workflow s'];

const GROUP_HEADERS = [
  'mode',
  'shape',
  'instances',
  'DescribeInstanceRefreshes (waits)',
  'beats',
  'describes/beat (peak)',
  'describes/group/beat',
  'DescribeAutoScalingGroups',
  'StartInstanceRefresh',
  'throttled Auto Scaling describe/mutating',
  'refreshes s',
  'refresh lag p50/p99/max s',
  'makespan s',
];

const dash = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : String(v));
const spreadText = (s: Spread | null) => (s ? (s.min === s.max ? `${s.median}` : `${s.median} (${s.min}–${s.max})`) : '—');

function scenarioLabel(r: ScenarioResult): string {
  if (r.scenario === 'rollout') return 'rollout';
  if (r.refreshes)
    return `rollout onto ${r.refreshes.groups} ASGs by ${r.refreshes.pipelines} pipeline${r.refreshes.pipelines === 1 ? '' : 's'}`;
  return r.copies ? `AMI create+wait+copy to ${r.copies.length} Regions` : 'AMI create+wait';
}

function cells(r: ScenarioResult): string[] {
  return [
    scenarioLabel(r),
    MODE_LABEL[r.mode],
    String(r.n),
    r.workers ? String(r.workers) : '—',
    `${r.succeeded}/${r.failed}`,
    String(r.describeCalls),
    r.waitBeats ? `${r.waitBeats.describesPerBeat} (${r.waitBeats.peakDescribesPerBeat})` : '—',
    String(r.mutatingCalls),
    `${r.throttledDescribe}/${r.throttledMutating}`,
    dash(r.throttledDescribeDuringWaits),
    dash(r.makespanS),
    dash(r.makespanBoundS),
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

/** The slowest 1% of the scenario's runs and as many around the median, their lag in parts; none without a split. */
function splitCells(r: ScenarioResult): string[][] {
  const split = r.lagSplit;
  if (!split) return [];
  return (['tail', 'median'] as const).map((which) => {
    const p = split[which];
    return [
      scenarioLabel(r),
      MODE_LABEL[r.mode],
      String(r.n),
      String(r.workers),
      `${which === 'tail' ? 'slowest' : 'median'} ${p.runs}`,
      String(p.lagS),
      String(p.untilPollS),
      String(p.inPollS),
      String(p.toWorkflowS),
    ];
  });
}

/** A row per copy Region of the scenario; none when it made no copies. */
function copyCells(r: ScenarioResult): string[][] {
  return (r.copies ?? []).map((c) => [
    MODE_LABEL[r.mode],
    String(r.n),
    c.region,
    String(c.describeImages),
    String(c.beats),
    `${c.describesPerBeat} (${c.peakDescribesPerBeat})`,
    String(c.throttledDescribe),
    String(c.copyImageCalls),
    String(c.throttledCopyImage),
    dash(c.copyWaitsS),
    dash(c.lastReadyS),
    r.copyLag ? `${r.copyLag.p50S}/${r.copyLag.p99S}` : '—',
    dash(r.makespanS),
  ]);
}

/** The refresh waits' row of the scenario; none when it refreshed no groups. */
function groupCells(r: ScenarioResult): string[][] {
  const g = r.refreshes;
  if (!g) return [];
  return [
    [
      MODE_LABEL[r.mode],
      shapeLabel(g),
      String(g.instances),
      `${g.describeInstanceRefreshes} (${g.waitDescribes})`,
      String(g.beats),
      `${g.describesPerBeat} (${g.peakDescribesPerBeat})`,
      String(g.describesPerGroupBeat),
      String(g.describeAutoScalingGroups),
      String(g.startInstanceRefresh),
      `${g.throttledDescribe}/${g.throttledMutating}`,
      dash(g.refreshesS),
      g.lag ? `${g.lag.p50S}/${g.lag.p99S}/${g.lag.maxS}` : '—',
      dash(r.makespanS),
    ],
  ];
}

function fixedWidth(headers: string[], body: string[][]): string {
  const columns = fittedColumns([headers, ...body]);
  const line = (r: string[]) => tableLine(columns, r, ' | ');
  return [line(headers), columns.map((c) => '-'.repeat(c.width)).join('-|-'), ...body.map(line)].join('\n');
}

function markdown(headers: string[], body: string[][]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const textTable = (results: ScenarioResult[]) => fixedWidth(HEADERS, results.map(cells));
export const copiesTextTable = (results: ScenarioResult[]) => fixedWidth(COPY_HEADERS, results.flatMap(copyCells));
export const groupsTextTable = (results: ScenarioResult[]) => fixedWidth(GROUP_HEADERS, results.flatMap(groupCells));
export const splitTextTable = (results: ScenarioResult[]) => fixedWidth(SPLIT_HEADERS, results.flatMap(splitCells));

/** The lag split section of results.md. */
function splitSection(results: BenchResults): string[] {
  const rows = results.scenarios.flatMap(splitCells);
  if (!rows.length) return [];
  return [
    '## Where the lag goes',
    '',
    "Each run's lag split where its history marks it: until the poll = the resource ready → the start of the wait's last attempt (the retry timer at the poll interval, then the attempt's dispatch); in the poll = that attempt in the worker (with the watcher, its wait for the next beat and the describe); to the workflow = the attempt's completion → the stage's end (a workflow task). Averages over the slowest 1% of runs (the tail behind the p99) and as many around the median.",
    '',
    markdown(SPLIT_HEADERS, rows),
    '',
  ];
}

/** The copies section of results.md, when the pipelines copied their images. */
function copiesSection(results: BenchResults): string[] {
  const rows = results.scenarios.flatMap(copyCells);
  if (!rows.length) return [];
  const [min, max] = BENCH_SANDBOX.durationRanges?.copyImage ?? [NaN, NaN];
  return [
    '## Copies per Region',
    '',
    `Each pipeline copies its image to every Region listed (CopyImage in the destination, then a wait there polling every ${String(results.settings.copyPollInterval)}); copies take a seeded random ${min / 1000}–${max / 1000} s.`,
    'Beats = poll intervals, counted from the first DescribeImages in the Region, in which the Region saw a DescribeImages; describes/beat = DescribeImages / beats, the busiest beat in brackets. Copy waits = first DescribeImages there to the last.',
    "Last copy ready = from the start to the last copy there becoming available: the makespan's floor, set by when each run's wait-available ended and which copy durations it drew (they go by creation order, which differs between modes). Copy lag = a run's last copy becoming available → its distribute stage's `endedAt`, over all runs.",
    'CopyImage has its own bucket per account and Region (100, refilled at 1 a second); throttled calls are retried by the activity.',
    '',
    markdown(COPY_HEADERS, rows),
    '',
  ];
}

/** The Auto Scaling section of results.md, when the pipelines refreshed groups. */
function groupsSection(results: BenchResults): string[] {
  const rows = results.scenarios.flatMap(groupCells);
  if (!rows.length) return [];
  const { instanceRefreshStart = NaN, instanceRefreshSecond = NaN } = GROUPS_SANDBOX.durations ?? {};
  const [imageMs = NaN] = GROUPS_SANDBOX.durationRanges?.image ?? [];
  const p = REFRESH_PREFERENCES;
  return [
    '## Auto Scaling groups',
    '',
    `The same groups (2–4 instances each, each launching from a template of its own) are refreshed by one pipeline, all at once (\`groupsAtATime\` = groups), or by one pipeline each, onto the template version publish wrote; every image takes ${imageMs / 1000} s. Refresh preferences: minimum healthy ${p.minHealthyPercentage} % (one instance at a time), warm-up ${p.instanceWarmup}, checkpoints ${p.checkpoints.join(', ')} % with ${p.checkpointDelay} delay; the sandbox runs them ${1000 / instanceRefreshSecond}x faster than AWS (a refresh starts after ${instanceRefreshStart / 1000} s, a refresh-second lasts ${instanceRefreshSecond} ms). The refresh waits poll every ${String(results.settings.refreshPollInterval)}.`,
    "DescribeInstanceRefreshes takes one group a call. Its count includes one look-up per group in the preflight and one before each StartInstanceRefresh; the waits' share is in brackets. Beats = poll intervals, counted from the waits' first describe, that saw one; describes/beat = the waits' describes / beats, the busiest in brackets; describes/group/beat = the waits' describes per group and poll interval waited (each group from its refresh's start to the run seeing it settle).",
    'Refreshes = from the first refresh starting to the last settling. Refresh lag = a refresh settling (in the sandbox) → the completion of the wait that saw it, per group.',
    '',
    markdown(GROUP_HEADERS, rows),
    '',
  ];
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
    "Workers = worker processes on the scenario's task queue: worker peak RSS is the largest of theirs, worker CPU their sum. Wait describes/beat = the waits' describes per poll interval that saw one (AMI: DescribeImages once every create was done; rollout: DescribeReplaceRootVolumeTasks), the busiest in brackets.",
    "Bound = the makespan EC2's buckets allow: N creates at the mutating bucket's refill rate (5 a second), plus the slowest image, plus one poll interval.",
    'Every mutating EC2 call leaves through the rate governor (README "Rate governor"), at its bucket\'s refill rate across all the workers.',
    '',
    markdown(HEADERS, results.scenarios.map(cells)),
    '',
    ...splitSection(results),
    ...copiesSection(results),
    ...groupsSection(results),
    ...(probe
      ? [
          `History probe (create + wait-available): 1 poll → ${probe.onePoll.events} events; ${probe.longPoll.polls} polls → ${probe.longPoll.events} events.`,
          '',
        ]
      : []),
    ...(results.targets.length
      ? [
          '## Targets',
          '',
          '| target | measured | status |',
          '|---|---|---|',
          ...results.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.status === 'missed' ? '**missed**' : t.status} |`),
          '',
        ]
      : []),
    ...results.scenarios.flatMap((r) => r.notes.map((n) => `- ${MODE_LABEL[r.mode]}, ${r.scenario} N=${r.n}: ${n}`)),
    ...((results.settings.errors as string[] | undefined) ?? []).map((e) => `- **Not measured in this run**: ${e}`),
    '',
    '![describe calls per mode and N](chart.svg)',
    '',
  ].join('\n');
}
