/** Commands for runs of any pipeline type: status, list, cancel, approve and reject. */
import type { Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { approvalAnswerProblems } from '../contracts/approval';
import { InvalidInputError } from '../contracts/input-validation';
import { integer, withClient } from './cli-support';
import { describeCounts } from '../contracts/progress';
import { instanceLine } from './progress-view';
import { listRolloutInstances } from './rollout-instances';
import { approveRun, cancelRun, describeRun, listRuns, rejectRun } from './runs';
import { tableLine, type Column } from './table';

const STATUS_COLUMNS: Column[] = [{ width: 16 }, { width: 10 }];
const LIST_COLUMNS: Column[] = [{ width: 36 }, { width: 22 }, { width: 10 }, { width: 15 }, { width: 24 }];

export function registerRunCommands(program: Command): void {
  program
    .command('status <workflow-id>')
    .description("show a run's state, stage table and result")
    .option('--instances', "list every instance of the run's rollout, a page at a time")
    .addOption(new Option('--page-size <n>', 'instances per page, with --instances').default(100).argParser(integer))
    .option('--page <token>', 'the page to show, with --instances: the token the previous page printed')
    .option('--all', 'with --instances: every page, one after another')
    .option('--json', 'print as JSON')
    .action((workflowId: string, flags: InstancesFlags & { instances?: boolean; json?: boolean }) =>
      withClient(async (client) => {
        if (flags.instances) return printInstances(client, workflowId, flags);
        const status = await describeRun(client, workflowId);
        if (flags.json) return console.log(JSON.stringify(status, null, 2));
        console.log(
          `${status.workflowId}  ${status.type}  ${status.status}  pipeline=${status.pipeline ?? '-'}  stage=${status.stage ?? '-'}`,
        );
        for (const row of status.progress?.stages ?? [])
          console.log(`  ${tableLine(STATUS_COLUMNS, [row.stage, row.state, row.detail ?? ''])}`);
        const rollout = status.progress?.rollout;
        if (rollout) console.log(`  instances: ${describeCounts(rollout)} (every one: golden-image status ${workflowId} --instances)`);
        for (const row of status.progress?.instances ?? []) console.log(instanceLine(row, row.detail));
        if (status.resources.length) console.log(`  resources: ${status.resources.join(', ')}`);
        if (status.result) console.log(JSON.stringify(status.result, null, 2));
        if (status.error) console.log(`  error: ${status.error}`);
      }),
    );

  program
    .command('list')
    .description('list golden-image runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .addOption(new Option('--limit <n>', 'how many runs').default(20).argParser(integer))
    .option('--json', 'print as JSON')
    .action((flags: { pipeline?: string; limit: number; json?: boolean }) =>
      withClient(async (client) => {
        const runs = await listRuns(client, flags);
        if (flags.json) return console.log(JSON.stringify(runs, null, 2));
        if (!runs.length) return console.log('no golden-image runs');
        console.log(tableLine(LIST_COLUMNS, ['WORKFLOW ID', 'TYPE', 'STATUS', 'STAGE', 'STARTED', 'RESOURCES']));
        for (const r of runs)
          console.log(tableLine(LIST_COLUMNS, [r.workflowId, r.type, r.status, r.stage ?? '-', r.startTime, r.resources.join(',')]));
      }),
    );

  program
    .command('cancel <workflow-id>')
    .description('cancel a run; it deregisters an unfinished image unless told to keep it')
    .action((workflowId: string) =>
      withClient(async (client) => {
        await cancelRun(client, workflowId);
        console.log(`cancellation requested for ${workflowId}`);
      }),
    );

  program
    .command('approve <workflow-id>')
    .description("answer a run's approval gate: go ahead")
    .option('--by <name>', "who approves (required when the run's approval names its approvers)")
    .option('--comment <text>', 'a note for the record')
    .action((workflowId: string, flags: { by?: string; comment?: string }) => {
      checkAnswer(flags);
      return withClient(async (client) => {
        const answer = await approveRun(client, workflowId, flags);
        if (answer.missing)
          console.log(
            `approval recorded for ${workflowId}: ${answer.required! - answer.missing} of ${answer.required}, ${answer.missing} more needed`,
          );
        else console.log(`approved ${workflowId}${answer.required ? ` (${answer.required} of ${answer.required}: ${answer.by})` : ''}`);
      });
    });

  program
    .command('reject <workflow-id>')
    .description("answer a run's approval gate: stop, and say why")
    .requiredOption('--reason <text>', 'why the image is rejected')
    .option('--by <name>', "who rejects (required when the run's approval names its approvers)")
    .action((workflowId: string, flags: { reason: string; by?: string }) => {
      checkAnswer(flags);
      return withClient(async (client) => {
        await rejectRun(client, workflowId, flags);
        console.log(`rejected ${workflowId}: ${flags.reason}`);
      });
    });
}

interface InstancesFlags {
  pageSize: number;
  page?: string;
  all?: boolean;
  json?: boolean;
}

/** A page of a rollout's instances (or all of them, page by page) and the token for the next. */
async function printInstances(client: Client, workflowId: string, flags: InstancesFlags): Promise<void> {
  if (flags.pageSize < 1 || flags.pageSize > 1000) throw new InvalidInputError(['--page-size: must be 1-1000']);
  let pageToken = flags.page;
  do {
    const page = await listRolloutInstances(client, workflowId, { pageSize: flags.pageSize, pageToken });
    if (flags.json) console.log(JSON.stringify(page));
    else for (const row of page.instances) console.log(instanceLine(row, row.detail));
    pageToken = page.nextPageToken;
  } while (flags.all && pageToken);
  if (!flags.json && pageToken) console.log(`next page: golden-image status ${workflowId} --instances --page ${pageToken}`);
}

/** The update validator refuses these too; checking first gives exit 2 without a round trip. */
function checkAnswer(args: { by?: string; comment?: string; reason?: string }): void {
  const problems = approvalAnswerProblems(args);
  if (problems.length) throw new InvalidInputError(problems);
}
