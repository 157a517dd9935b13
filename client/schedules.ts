/**
 * Temporal Schedules for pipeline configs: any kind (AMI or AppStream) can be scheduled, and each run
 * starts the kind's workflow with the config as its input, validated before the schedule is made.
 */
import { ScheduleOverlapPolicy, type CalendarSpec, type Client, type ScheduleSpec } from '@temporalio/client';
import { InvalidInputError } from '../contracts/input-validation';
import type { PipelineKindName } from '../contracts/pipeline-kinds';
import { durationSchema } from '../contracts/duration-fields';
import { configuredTaskQueue } from '../contracts/task-queue';
import type { PipelineFile } from './config-file';
import { validatePipeline } from './start-pipeline';

export const OVERLAP_POLICIES = ['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'] as const;
type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export interface ScheduleTiming {
  /** Cron expressions, e.g. "0 3 * * *". */
  cron?: string[];
  /** Intervals, e.g. "7d". */
  every?: string[];
  /** Calendar specs as `hour=3,minute=0,dayOfWeek=MONDAY`. */
  calendar?: string[];
  timezone?: string;
  jitter?: string;
}

export interface SchedulePolicies {
  /** SKIP by default: two refreshes of the same image must never run at once. */
  overlap?: OverlapPolicy;
  catchupWindow?: string;
}

const interval = durationSchema('1s', '366d');
/** Temporal raises a shorter catch-up window to 10 s; a year is more than any outage. */
const catchupWindow = durationSchema('10s', '366d');

/** Temporal's cron fields: 5 (minute hour day-of-month month day-of-week), 6 (+ year) or 7 (second first, year last). */
const CRON_FIELDS = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  'day-of-month': [1, 31],
  month: [1, 12],
  'day-of-week': [0, 7],
  year: [1970, 2199],
} as const;
type CronField = keyof typeof CRON_FIELDS;
const CRON_LAYOUTS: Record<number, CronField[]> = {
  5: ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'],
  6: ['minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'],
  7: ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'],
};
const CRON_NAMES: Partial<Record<CronField, string[]>> = {
  month: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  'day-of-week': ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};
const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** What is wrong with a cron expression, in words, or undefined: the server's own error names no flag. */
export function cronProblem(expression: string): string | undefined {
  let text = expression.trim();
  const zone = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (zone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone[1] });
    } catch {
      return `${zone[1]} is not a time zone`;
    }
    text = text.slice(zone[0].length);
  }
  if (CRON_MACROS.includes(text.toLowerCase())) return undefined;
  if (text.toLowerCase().startsWith('@every ')) {
    const every = interval.safeParse(text.slice(7).trim());
    return every.success ? undefined : `@every: ${every.error.issues[0]?.message}`;
  }
  const fields = text.split(/\s+/);
  const layout = CRON_LAYOUTS[fields.length];
  if (!layout) return `has ${fields.length} fields; give 5 (minute hour day-of-month month day-of-week), 6 (and year) or 7 (second first)`;
  for (const [i, field] of layout.entries()) {
    const problem = cronFieldProblem(field, fields[i]!);
    if (problem) return `${field} "${fields[i]}": ${problem}`;
  }
  return undefined;
}

function cronFieldProblem(field: CronField, text: string): string | undefined {
  const [min, max] = CRON_FIELDS[field];
  const names = CRON_NAMES[field];
  const value = (part: string): number | undefined => {
    const named = names?.indexOf(part.toUpperCase()) ?? -1;
    if (named >= 0) return field === 'month' ? named + 1 : named;
    return /^\d+$/.test(part) ? Number(part) : undefined;
  };
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return 'a step must be /n with n >= 1';
    if (range === '*' || (range === '?' && (field === 'day-of-month' || field === 'day-of-week'))) continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `"${item}" is not a value, a range a-b, * or a step`;
    const values = bounds.map(value);
    if (values.some((v) => v === undefined))
      return `"${item}" is not a value, a range a-b, * or a step${names ? ` (or a name such as ${names[1]})` : ''}`;
    if (values.some((v) => v! < min || v! > max)) return `values must be ${min}-${max}`;
  }
  return undefined;
}
const CALENDAR_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'year', 'dayOfWeek', 'comment'];

function parseCalendar(text: string): CalendarSpec {
  const spec: Record<string, unknown> = {};
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!key || !value || !CALENDAR_FIELDS.includes(key)) {
      throw new InvalidInputError([`--calendar: "${part}" is not field=value with a field from ${CALENDAR_FIELDS.join(', ')}`]);
    }
    spec[key] = /^\d+$/.test(value) ? Number(value) : value.toUpperCase();
  }
  return spec as CalendarSpec;
}

/** Checks the timing the way the server would, but with messages that name the flag. */
function scheduleSpec(timing: ScheduleTiming): ScheduleSpec {
  const problems: string[] = [];
  if (!timing.cron?.length && !timing.every?.length && !timing.calendar?.length) problems.push('give --cron, --every or --calendar');
  for (const every of timing.every ?? []) {
    const parsed = interval.safeParse(every);
    if (!parsed.success) problems.push(`--every ${every}: ${parsed.error.issues[0]?.message}`);
  }
  if (timing.timezone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timing.timezone });
    } catch {
      problems.push(`--timezone ${timing.timezone}: not a time zone (use IANA names such as Europe/Berlin)`);
    }
  }
  if (timing.jitter && !durationSchema('0s', '1d').safeParse(timing.jitter).success)
    problems.push(`--jitter ${timing.jitter}: must be a duration up to 1d`);
  for (const cron of timing.cron ?? []) {
    const problem = cronProblem(cron);
    if (problem) problems.push(`--cron "${cron}": ${problem}`);
  }
  if (problems.length) throw new InvalidInputError(problems);
  return {
    cronExpressions: timing.cron,
    intervals: timing.every?.map((every) => ({ every })),
    calendars: timing.calendar?.map(parseCalendar),
    timezone: timing.timezone,
    jitter: timing.jitter,
  };
}

function checkPolicies(policies: SchedulePolicies): void {
  if (policies.catchupWindow === undefined) return;
  const parsed = catchupWindow.safeParse(policies.catchupWindow);
  if (!parsed.success) throw new InvalidInputError([`--catchup-window ${policies.catchupWindow}: ${parsed.error.issues[0]?.message}`]);
}

/**
 * Every run of a schedule makes a new image, so a name that comes out the same each time would be
 * taken by the second run: an AppStream image name must hold {{run}} or {{date}} (an AMI name always does).
 */
function validateScheduledPipeline(file: PipelineFile) {
  const pipeline = validatePipeline(file.kind, file.config);
  const input = pipeline.input as { newImageName?: string };
  if (file.kind === 'appstream-update' && !/\{\{(run|date)\}\}/.test(input.newImageName ?? '')) {
    throw new InvalidInputError([
      `newImageName: "${input.newImageName}" is the same on every run; on a schedule it must contain {{run}} or {{date}}`,
    ]);
  }
  return pipeline;
}

/** Checks all a schedule command was given, before it connects: bad input exits 2 with the flag named. */
export function checkScheduleInput(change: { file?: PipelineFile; timing?: ScheduleTiming; policies?: SchedulePolicies }): void {
  if (change.file) validateScheduledPipeline(change.file);
  if (change.timing) scheduleSpec(change.timing);
  if (change.policies) checkPolicies(change.policies);
}

function scheduleAction(scheduleId: string, file: PipelineFile, taskQueue: string) {
  const { workflowType, input, staticSummary, typedSearchAttributes } = validateScheduledPipeline(file);
  return {
    type: 'startWorkflow' as const,
    workflowType,
    args: [input],
    taskQueue,
    // Temporal appends the scheduled time, so every run gets its own workflow ID.
    workflowId: scheduleId,
    staticSummary: `${staticSummary} (schedule \`${scheduleId}\`)`,
    typedSearchAttributes,
  };
}

export async function createSchedule(
  client: Client,
  scheduleId: string,
  file: PipelineFile,
  timing: ScheduleTiming,
  options: SchedulePolicies & { paused?: boolean; note?: string; taskQueue?: string } = {},
) {
  checkPolicies(options);
  return client.schedule.create({
    scheduleId,
    spec: scheduleSpec(timing),
    action: scheduleAction(scheduleId, file, options.taskQueue ?? configuredTaskQueue()),
    policies: { overlap: ScheduleOverlapPolicy[options.overlap ?? 'SKIP'], catchupWindow: options.catchupWindow ?? '1h' },
    state: { paused: options.paused, note: options.note },
    memo: { kind: file.kind },
  });
}

/** Replaces what is given (config, timing, policies) and keeps the rest. */
export async function updateSchedule(
  client: Client,
  scheduleId: string,
  change: { file?: PipelineFile; timing?: ScheduleTiming; policies?: SchedulePolicies },
) {
  checkScheduleInput(change);
  const handle = client.schedule.getHandle(scheduleId);
  await handle.update((previous) => ({
    ...previous,
    spec: change.timing ? scheduleSpec(change.timing) : previous.spec,
    action: change.file ? scheduleAction(scheduleId, change.file, previous.action.taskQueue) : previous.action,
    policies: {
      ...previous.policies,
      ...(change.policies?.overlap && { overlap: ScheduleOverlapPolicy[change.policies.overlap] }),
      ...(change.policies?.catchupWindow && { catchupWindow: change.policies.catchupWindow }),
    },
  }));
}

/**
 * Starts a run now. The SDK's trigger defaults to ALLOW_ALL; passing the schedule's own policy keeps a
 * manual trigger from starting a second refresh of the same image beside a running one.
 */
export async function triggerSchedule(client: Client, scheduleId: string): Promise<void> {
  const handle = client.schedule.getHandle(scheduleId);
  const { policies } = await handle.describe();
  await handle.trigger(policies.overlap);
}

export interface ScheduleReport {
  scheduleId: string;
  kind?: PipelineKindName;
  workflowType: string;
  paused: boolean;
  note?: string;
  overlap: string;
  catchupWindowMs: number;
  /** Cron expressions come back from the server as calendar specs. */
  spec: { calendars: number; intervals: string[]; timezone?: string; jitterMs?: number };
  nextRuns: string[];
  recentRuns: { scheduledAt: string; workflowId: string; status: string; unchanged?: boolean }[];
}

/** A schedule with its next run times, and its recent runs with how each ended. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleReport> {
  const d = await client.schedule.getHandle(scheduleId).describe();
  const action = d.action as { workflowType?: string };
  const recentRuns = await Promise.all(
    d.info.recentActions.map(async (run) => {
      const workflowId = 'workflow' in run.action ? run.action.workflow.workflowId : '';
      const handle = client.workflow.getHandle(workflowId);
      const status = await handle.describe().then(
        (w) => w.status.name,
        () => 'UNKNOWN',
      );
      // A scheduled bake that found nothing changed completed without making anything: say so.
      const unchanged =
        status === 'COMPLETED' && ((await handle.result().catch(() => undefined)) as { unchanged?: boolean } | undefined)?.unchanged;
      return { scheduledAt: run.scheduledAt.toISOString(), workflowId, status, ...(unchanged && { unchanged: true }) };
    }),
  );
  return {
    scheduleId,
    kind: d.memo?.kind as PipelineKindName | undefined,
    workflowType: action.workflowType ?? '',
    paused: d.state.paused,
    note: d.state.note,
    overlap: String(d.policies.overlap),
    catchupWindowMs: d.policies.catchupWindow,
    spec: {
      intervals: (d.spec.intervals ?? []).map((i) => `${Number(i.every) / 1000}s`),
      calendars: d.spec.calendars?.length ?? 0,
      timezone: d.spec.timezone,
      jitterMs: d.spec.jitter === undefined ? undefined : Number(d.spec.jitter),
    },
    nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns,
  };
}

export async function listSchedules(client: Client) {
  const schedules = [];
  for await (const s of client.schedule.list()) {
    schedules.push({
      scheduleId: s.scheduleId,
      workflowType: s.action?.type === 'startWorkflow' ? s.action.workflowType : '',
      paused: s.state.paused,
      note: s.state.note,
      nextRun: s.info.nextActionTimes[0]?.toISOString(),
    });
  }
  return schedules;
}
