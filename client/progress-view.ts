/**
 * The `--follow` views. In a terminal, a compact stage table that redraws in place (stage, state,
 * elapsed, detail, and a rollout's instances); piped or in a CI log, one plain line per change.
 */
import type { GroupRow } from '../contracts/instance-refresh';
import {
  describeCounts,
  STAGE_ICONS,
  type InstanceRow,
  type PipelineProgress,
  type RolloutSummary,
  type StageRow,
} from '../contracts/progress';
import { ROLLOUT_STAGE } from '../contracts/root-volume-rollout';
import { tableLine, type Column } from './table';

function elapsed(row: StageRow): string {
  if (!row.startedAt) return '';
  const end = row.endedAt ? Date.parse(row.endedAt) : Date.now();
  return `${((end - Date.parse(row.startedAt)) / 1000).toFixed(1)}s`;
}

/** Icon, stage, state, elapsed and detail, alike in both views. */
const STAGE_COLUMNS: Column[] = [{ width: 1 }, { width: 16 }, { width: 10 }, { width: 8, align: 'right' }, { gap: '  ' }];
/** Instance, state, task, the image it ends on (after a rollback, its old one), detail. */
const INSTANCE_COLUMNS: Column[] = [{ width: 21 }, { width: 15 }, { width: 28 }, { width: 21 }, { gap: '  ' }];

const stageLine = (row: StageRow) =>
  tableLine(STAGE_COLUMNS, [STAGE_ICONS[row.state], row.stage, row.state, elapsed(row), row.detail ?? '']);

/** A rollout's instance, indented under its stage; the detail (a failure's reason) only where there is room for it. */
export const instanceLine = (row: InstanceRow, detail?: string) =>
  `    ${tableLine(INSTANCE_COLUMNS, [row.instanceId, row.state, row.taskId ?? '', row.imageId ?? '', detail ?? ''])}`;

/** An Auto Scaling group's instance refresh, indented under the rollout. */
const groupLine = (g: GroupRow) =>
  `    ${g.group}  ${g.status}  ${g.percentageComplete}%  ${g.instancesToUpdate} to update${g.statusReason ? `  ${g.statusReason}` : ''}`;

/** A large rollout shows its counts, and by name only the instances running or failed. */
const countsLine = (summary: RolloutSummary) => `    instances: ${describeCounts(summary)}`;

export function createLineView(write: (line: string) => void): (progress: PipelineProgress) => void {
  const seen = new Map<string, string>();
  const changed = (key: string, value: string) => seen.get(key) !== value && Boolean(seen.set(key, value));
  const writeStage = (row: StageRow) => {
    if (row.state === 'pending' || !changed(row.stage, `${row.state}|${row.detail ?? ''}`)) return;
    write(stageLine(row));
  };
  const writeInstances = (progress: PipelineProgress) => {
    const counts = progress.rollout && countsLine(progress.rollout);
    if (counts && changed('rollout counts', counts)) write(counts);
    for (const row of progress.instances ?? []) {
      if (row.state === 'pending' || !changed(row.instanceId, `${row.state}|${row.taskId ?? ''}`)) continue;
      write(instanceLine(row, row.detail));
    }
    for (const group of progress.groups ?? []) {
      const line = groupLine(group);
      if (group.status !== 'waiting' && changed(`group ${group.group}`, line)) write(line);
    }
  };
  return (progress) => {
    for (const row of progress.stages) {
      // Instance lines sit under the rollout's start line and above the line that closes it.
      const instancesFirst = row.stage === ROLLOUT_STAGE && row.state !== 'running';
      if (instancesFirst) writeInstances(progress);
      writeStage(row);
      if (row.stage === ROLLOUT_STAGE && !instancesFirst) writeInstances(progress);
    }
  };
}

/** The stage table, as lines of text. */
function renderTable(progress: PipelineProgress): string[] {
  const lines = [`${progress.pipeline}`, tableLine(STAGE_COLUMNS, ['', 'STAGE', 'STATE', 'ELAPSED', 'DETAIL'])];
  for (const row of progress.stages) {
    lines.push(stageLine(row));
    if (row.stage !== ROLLOUT_STAGE) continue;
    if (progress.rollout) lines.push(countsLine(progress.rollout));
    lines.push(...(progress.instances ?? []).map((i) => instanceLine(i)));
    lines.push(...(progress.groups ?? []).map(groupLine));
  }
  if (progress.resources.length) lines.push(`  resources: ${progress.resources.join(', ')}`);
  return lines;
}

/** Redraws the table in place: move the cursor back over the last drawing, clear, draw again. */
export function createTableView(stream: Pick<NodeJS.WriteStream, 'write'>): (progress: PipelineProgress) => void {
  let drawn = 0;
  return (progress) => {
    const lines = renderTable(progress);
    stream.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
}

/** The table in a terminal, plain lines anywhere else. */
export function createProgressView(stream: NodeJS.WriteStream): (progress: PipelineProgress) => void {
  return stream.isTTY ? createTableView(stream) : createLineView((line) => stream.write(`${line}\n`));
}
