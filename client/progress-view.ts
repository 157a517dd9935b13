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
  return (progress) => {
    for (const row of progress.stages) {
      const key = `${row.state}|${row.detail ?? ''}`;
      if (seen.get(row.stage) === key || row.state === 'pending') continue;
      seen.set(row.stage, key);
      const parts = [`${STAGE_ICONS[row.state]} ${row.stage.padEnd(16)}`, row.state.padEnd(10), elapsed(row).padStart(7)];
      if (row.detail) parts.push(`  ${row.detail}`);
      write(parts.join(' '));
    }
  };
}
