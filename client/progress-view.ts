/**
 * The `--follow` views. In a terminal, a compact stage table that redraws in place (stage, state,
 * elapsed, detail, and a rollout's instances); piped or in a CI log, one plain line per change.
 */
import { STAGE_ICONS, type InstanceRow, type PipelineProgress, type StageRow } from '../contracts/progress';

function elapsed(row: StageRow): string {
  if (!row.startedAt) return '';
  const end = row.endedAt ? Date.parse(row.endedAt) : Date.now();
  return `${((end - Date.parse(row.startedAt)) / 1000).toFixed(1)}s`;
}

/** The stage whose progress has per-instance rows. */
const ROLLOUT_STAGE = 'rollout';

export function createLineView(write: (line: string) => void): (progress: PipelineProgress) => void {
  const seen = new Map<string, string>();
  const changed = (key: string, value: string) => seen.get(key) !== value && Boolean(seen.set(key, value));
  const writeStage = (row: StageRow) => {
    if (row.state === 'pending' || !changed(row.stage, `${row.state}|${row.detail ?? ''}`)) return;
    const parts = [`${STAGE_ICONS[row.state]} ${row.stage.padEnd(16)}`, row.state.padEnd(10), elapsed(row).padStart(7)];
    if (row.detail) parts.push(`  ${row.detail}`);
    write(parts.join(' '));
  };
  const writeInstances = (rows: InstanceRow[]) => {
    for (const row of rows) {
      if (row.state === 'pending' || !changed(row.instanceId, `${row.state}|${row.taskId ?? ''}`)) continue;
      write(`    ${row.instanceId.padEnd(21)} ${row.state.padEnd(15)} ${row.taskId ?? ''}${row.detail ? `  ${row.detail}` : ''}`);
    }
  };
  return (progress) => {
    for (const row of progress.stages) {
      // Instance lines sit under the rollout's start line and above the line that closes it.
      const instancesFirst = row.stage === ROLLOUT_STAGE && row.state !== 'running';
      if (instancesFirst) writeInstances(progress.instances ?? []);
      writeStage(row);
      if (row.stage === ROLLOUT_STAGE && !instancesFirst) writeInstances(progress.instances ?? []);
    }
  };
}

/** The stage table, as lines of text. */
export function renderTable(progress: PipelineProgress): string[] {
  const lines = [`${progress.pipeline}`, `  ${'STAGE'.padEnd(16)} ${'STATE'.padEnd(10)} ${'ELAPSED'.padStart(8)}  DETAIL`];
  for (const row of progress.stages) {
    lines.push(`${STAGE_ICONS[row.state]} ${row.stage.padEnd(16)} ${row.state.padEnd(10)} ${elapsed(row).padStart(8)}  ${row.detail ?? ''}`);
    if (row.stage === ROLLOUT_STAGE) {
      for (const i of progress.instances ?? []) lines.push(`    ${i.instanceId.padEnd(21)} ${i.state.padEnd(15)} ${i.taskId ?? ''}`);
    }
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
