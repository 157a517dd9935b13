/** A run report as GitHub-flavoured markdown, for a ticket or a pull request: the page's content as tables. */
import type { RunReport } from './run-report';
import { headerFields, reportSections, type ReportTable } from './sections';

/**
 * A cell's text made inert: on one line, pipes escaped (they would split the cell), and the characters
 * markdown or GitHub's HTML would act on escaped, so a rejection reason with `<script>` or `**` reads as written.
 */
function markdownText(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function markdownTable(table: ReportTable): string[] {
  const align = table.columns.map((_, i) => (table.numeric?.includes(i) ? '---:' : '---'));
  const line = (cells: string[]) => `| ${cells.map(markdownText).join(' | ')} |`;
  return [line(table.columns), `| ${align.join(' | ')} |`, ...table.rows.map(line)];
}

export function renderMarkdown(report: RunReport): string {
  const lines = [`# Run report: ${markdownText(report.pipeline ?? report.workflowId)}`, ''];
  lines.push(...markdownTable({ columns: ['Run', ''], rows: headerFields(report) }), '');
  if (report.error) lines.push(`**Failure:** ${markdownText(report.error)}`, '');
  for (const section of reportSections(report)) {
    lines.push(`## ${section.title}`, '');
    for (const note of section.notes) lines.push(markdownText(note), '');
    for (const table of section.tables) lines.push(...markdownTable(table), '');
    if (!section.tables.length && section.empty) lines.push(markdownText(section.empty), '');
  }
  return lines.join('\n');
}
