/**
 * The `--follow` view: one line whenever a stage changes state, with its elapsed time and detail,
 * so the output reads the same in a terminal, a pipe or a CI log.
 */
import { STAGE_ICONS, type PipelineProgress, type StageRow } from '../workflows/pipeline-progress';

function elapsed(row: StageRow): string {
  if (!row.startedAt) return '';
  const end = row.endedAt ? Date.parse(row.endedAt) : Date.now();
  return `${((end - Date.parse(row.startedAt)) / 1000).toFixed(1)}s`;
}

export function createProgressView(write: (line: string) => void): (progress: PipelineProgress) => void {
  const seen = new Map<string, string>();
  const changed = (key: string, value: string) => seen.get(key) !== value && Boolean(seen.set(key, value));
  return (progress) => {
    // A rollout's instances first, so that they read before the stage line that closes the rollout.
    for (const row of progress.instances ?? []) {
      if (row.state === 'pending' || !changed(row.instanceId, `${row.state}|${row.taskId ?? ''}`)) continue;
      write(`    ${row.instanceId.padEnd(21)} ${row.state.padEnd(15)} ${row.taskId ?? ''}${row.detail ? `  ${row.detail}` : ''}`);
    }
    for (const row of progress.stages) {
      if (row.state === 'pending' || !changed(row.stage, `${row.state}|${row.detail ?? ''}`)) continue;
      const parts = [`${STAGE_ICONS[row.state]} ${row.stage.padEnd(16)}`, row.state.padEnd(10), elapsed(row).padStart(7)];
      if (row.detail) parts.push(`  ${row.detail}`);
      write(parts.join(' '));
    }
  };
}
