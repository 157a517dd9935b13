/** `golden-image schedule ...`: refresh images on Temporal Schedules. */
import { Option, type Command } from 'commander';
import { withClient } from './cli-support';
import { readPipelineFile } from './config-file';
import {
  checkScheduleInput,
  createSchedule,
  describeSchedule,
  listSchedules,
  OVERLAP_POLICIES,
  triggerSchedule,
  updateSchedule,
  type SchedulePolicies,
  type ScheduleTiming,
} from './schedules';
import { tableLine, type Column } from './table';

const LIST_COLUMNS: Column[] = [{ width: 24 }, { width: 22 }, { width: 7 }, {}, { gap: '  ' }];
/** A recent run: when it was due (ISO time), how it ended, its workflow ID. */
const RUN_COLUMNS: Column[] = [{ width: 24 }, { width: 10, gap: '  ' }];

interface TimingFlags extends ScheduleTiming, SchedulePolicies {
  file?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function withTimingOptions(command: Command): Command {
  return command
    .option('--cron <expression>', 'cron expression, e.g. "0 3 * * *" (repeatable)', collect)
    .option('--every <duration>', 'interval, e.g. 7d or 12h (repeatable)', collect)
    .option('--calendar <spec>', 'calendar spec, e.g. "dayOfWeek=MONDAY,hour=3,minute=0" (repeatable)', collect)
    .option('--timezone <zone>', 'IANA time zone for cron and calendar specs, e.g. Europe/Berlin')
    .option('--jitter <duration>', 'start each run up to this much later, at random')
    .addOption(new Option('--overlap <policy>', 'what to do when a run is due while the last is still running').choices(OVERLAP_POLICIES))
    .option('--catchup-window <duration>', 'how late a missed run (say, during an outage) may still start');
}

const hasTiming = (f: TimingFlags) => Boolean(f.cron || f.every || f.calendar || f.timezone || f.jitter);

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('run pipelines on Temporal Schedules');

  withTimingOptions(
    schedule
      .command('create <schedule-id>')
      .description('schedule a pipeline config (any kind); overlap defaults to SKIP, catch-up window to 1h')
      .requiredOption('-f, --file <config.yaml>', 'the pipeline config each run starts with'),
  )
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note on the schedule')
    .action(async (scheduleId: string, flags: TimingFlags & { paused?: boolean; note?: string }) => {
      const file = await readPipelineFile(flags.file!);
      checkScheduleInput({ file, timing: flags, policies: flags });
      await withClient(async (client) => {
        await createSchedule(client, scheduleId, file, flags, flags);
        const report = await describeSchedule(client, scheduleId);
        console.log(`created schedule ${scheduleId} (${file.kind}); next runs: ${report.nextRuns.slice(0, 3).join(', ') || 'none'}`);
      });
    });

  schedule
    .command('list')
    .description('list schedules')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }) =>
      withClient(async (client) => {
        const schedules = await listSchedules(client);
        if (flags.json) return console.log(JSON.stringify(schedules, null, 2));
        if (!schedules.length) return console.log('no schedules');
        console.log(tableLine(LIST_COLUMNS, ['SCHEDULE ID', 'WORKFLOW', 'STATE', 'NEXT RUN']));
        for (const s of schedules)
          console.log(
            tableLine(LIST_COLUMNS, [
              s.scheduleId,
              s.workflowType,
              s.paused ? 'paused' : 'active',
              s.nextRun ?? '-',
              s.note ? `(${s.note})` : '',
            ]),
          );
      }),
    );

  schedule
    .command('describe <schedule-id>')
    .description('show a schedule: its policies, next run times, and recent runs with their outcome')
    .option('--json', 'print as JSON')
    .action((scheduleId: string, flags: { json?: boolean }) =>
      withClient(async (client) => {
        const r = await describeSchedule(client, scheduleId);
        if (flags.json) return console.log(JSON.stringify(r, null, 2));
        console.log(
          `${r.scheduleId}  ${r.kind ?? '?'} (${r.workflowType})  ${r.paused ? `paused${r.note ? `: ${r.note}` : ''}` : 'active'}`,
        );
        console.log(
          `  overlap ${r.overlap}, catch-up window ${r.catchupWindowMs / 1000}s${r.spec.timezone ? `, time zone ${r.spec.timezone}` : ''}${r.spec.jitterMs ? `, jitter ${r.spec.jitterMs / 1000}s` : ''}`,
        );
        console.log(`  next runs:   ${r.nextRuns.slice(0, 5).join('\n               ') || '-'}`);
        console.log(
          `  recent runs: ${r.recentRuns.map((run) => tableLine(RUN_COLUMNS, [run.scheduledAt, run.unchanged ? 'UNCHANGED' : run.status, run.workflowId])).join('\n               ') || '-'}`,
        );
      }),
    );

  schedule
    .command('pause <schedule-id>')
    .description('pause a schedule: no runs start until unpaused')
    .option('--note <text>', 'why', 'paused with golden-image')
    .action((scheduleId: string, flags: { note: string }) =>
      withClient(async (client) => {
        await client.schedule.getHandle(scheduleId).pause(flags.note);
        console.log(`paused ${scheduleId}: ${flags.note}`);
      }),
    );

  schedule
    .command('unpause <schedule-id>')
    .description('resume a paused schedule')
    .option('--note <text>', 'why', 'unpaused with golden-image')
    .action((scheduleId: string, flags: { note: string }) =>
      withClient(async (client) => {
        await client.schedule.getHandle(scheduleId).unpause(flags.note);
        console.log(`unpaused ${scheduleId}`);
      }),
    );

  schedule
    .command('trigger <schedule-id>')
    .description("start a run now (the schedule's overlap policy still applies)")
    .action((scheduleId: string) =>
      withClient(async (client) => {
        await triggerSchedule(client, scheduleId);
        console.log(`triggered ${scheduleId}`);
      }),
    );

  withTimingOptions(
    schedule
      .command('update <schedule-id>')
      .description('change a schedule: a new config (-f), new timing, or new policies; the rest is kept')
      .option('-f, --file <config.yaml>', 'a new pipeline config'),
  ).action(async (scheduleId: string, flags: TimingFlags) => {
    const file = flags.file ? await readPipelineFile(flags.file) : undefined;
    checkScheduleInput({ file, timing: hasTiming(flags) ? flags : undefined, policies: flags });
    await withClient(async (client) => {
      await updateSchedule(client, scheduleId, { file, timing: hasTiming(flags) ? flags : undefined, policies: flags });
      console.log(`updated ${scheduleId}`);
    });
  });

  schedule
    .command('delete <schedule-id>')
    .description('delete a schedule (runs it started keep running)')
    .action((scheduleId: string) =>
      withClient(async (client) => {
        await client.schedule.getHandle(scheduleId).delete();
        console.log(`deleted ${scheduleId}`);
      }),
    );
}
