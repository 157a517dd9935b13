/** `golden-image report`: one run written up as a self-contained HTML page, or as markdown for a ticket or a pull request. */
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { withClient } from './cli-support';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';
import { gatherRunReport } from './report/run-report';

type ReportFormat = 'html' | 'markdown';

/** `<workflow-id>.html`, with anything a file name should not hold (a rollout's `/`, say) made `_`. */
const defaultReportFile = (workflowId: string) => `${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;

export function registerReportCommands(program: Command): void {
  program
    .command('report <workflow-id>')
    .description("write a run's report: stages on a timeline, images by Region, rollout, approvals, notifications, AWS work")
    .addOption(new Option('--format <format>', 'html (a self-contained page) or markdown').choices(['html', 'markdown']).default('html'))
    .option('--out <file>', 'where to write it, "-" for stdout (default: <workflow-id>.html here for html, stdout for markdown)')
    .option('--run-id <id>', 'a run of the workflow other than its latest')
    .action((workflowId: string, flags: { format: ReportFormat; out?: string; runId?: string }) =>
      withClient(async (client) => {
        const report = await gatherRunReport(client, workflowId, flags.runId);
        const text = flags.format === 'html' ? renderHtml(report) : renderMarkdown(report);
        const out = flags.out ?? (flags.format === 'html' ? defaultReportFile(workflowId) : '-');
        if (out === '-') return void process.stdout.write(text);
        await writeFile(out, text);
        console.log(`wrote ${out} (${report.type} ${report.workflowId}, ${report.status.toLowerCase()})`);
      }),
    );
}
