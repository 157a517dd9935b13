/**
 * The `--follow` view: one line whenever a stage changes state, with its elapsed time and detail,
 * so the output reads the same in a terminal, a pipe or a CI log.
 */
import { STAGE_ICONS, type InstanceRow, type PipelineProgress, type StageRow } from '../workflows/pipeline-progress';

function elapsed(row: StageRow): string {
  if (!row.startedAt) return '';
  const end = row.endedAt ? Date.parse(row.endedAt) : Date.now();
  return `${((end - Date.parse(row.startedAt)) / 1000).toFixed(1)}s`;
}

/** The stage whose progress has per-instance rows. */
const ROLLOUT_STAGE = 'rollout';

export function createProgressView(write: (line: string) => void): (progress: PipelineProgress) => void {
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
