/**
 * What `golden-image report` shows of one run, gathered in one place: the run's description, its
 * stage table (the `progress` query), its result or failure, its rollout's instances, and what only
 * the history holds: the approval answers, the notifications sent, and the activities per action.
 * The renderers (report/html.ts, report/markdown.ts) only lay this out.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { decodeArrayFromPayloads, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { GroupRow } from '../contracts/instance-refresh';
import { placeName, type Place } from '../contracts/place';
import type { InstanceRow, RolloutSummary, StageRow } from '../contracts/progress';
import { PIPELINE } from '../contracts/search-attributes';
import type { ApprovalDecision } from '../contracts/approval';
import { listRolloutInstances } from './rollout-instances';
import { awaitOutcome, runProgress } from './runs';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The most instances a report lists by name; the rollout's counts cover the rest. */
export const REPORT_INSTANCES = 100;

export interface ReportImage {
  /** Where it lives, as people read it: `us-west-2`, `444455556666/us-west-2`, `the build Region`. */
  place: string;
  /** An AMI ID, or an AppStream image's ARN. */
  id: string;
  name?: string;
  /** The run's own image, not a copy. */
  original: boolean;
}

/** One `approve` or `reject` Workflow Update the run accepted, as history records it. */
export interface ReportApproval {
  at: string;
  update: string;
  /** Who the answer says it is from (`--by`). */
  by?: string;
  /** The client identity that sent it, from the update's request. */
  identity?: string;
  /** The comment, or a rejection's reason. */
  text?: string;
  /** What the run answered: `approved`, `rejected`, the update's failure, or `pending` while it runs. */
  outcome: string;
}

/** One run of the `notify` activity. */
export interface ReportNotification {
  at: string;
  event?: string;
  channel?: string;
  /** `sent`, `failed: <reason>`, `timed out`, `cancelled`, or `pending`. */
  outcome: string;
}

/** The activity tasks of one type: how many were scheduled, how many attempts they took, how they ended. */
export interface ReportActivity {
  type: string;
  tasks: number;
  attempts: number;
  failed: number;
}

export interface RunReport {
  workflowId: string;
  runId: string;
  /** The pipeline kind: the workflow type. */
  type: string;
  /** The config's name (`GoldenImagePipeline`). */
  pipeline?: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  stages: StageRow[];
  resources: string[];
  images: ReportImage[];
  rollout?: RolloutSummary;
  /** The rollout's instances by name, at most REPORT_INSTANCES. */
  instances: InstanceRow[];
  groups: GroupRow[];
  approvals: ReportApproval[];
  /** The answer the run went on with, from its result. */
  decision?: ApprovalDecision;
  notifications: ReportNotification[];
  activities: ReportActivity[];
  /** Child workflows per type (each rollout instance is one). */
  children: { type: string; count: number }[];
  /** What the run published (launch-template versions, SSM parameters). */
  published: string[];
  retired: string[];
  error?: string;
}

const APPROVAL_UPDATES = ['approve', 'reject'];
const NOTIFY_ACTIVITY = 'notify';

/** Everything the report shows of a run (its latest, or `runId`). */
export async function gatherRunReport(client: Client, workflowId: string, runId?: string): Promise<RunReport> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const description = await handle.describe();
  const closed = description.status.name !== 'RUNNING';
  const [history, progress, outcome] = await Promise.all([
    handle.fetchHistory(),
    runProgress(handle),
    closed ? awaitOutcome<Record<string, unknown>>(handle) : undefined,
  ]);
  const events = history.events ?? [];
  const result = outcome?.result;
  const decode = (payloads?: Payload[] | null) =>
    decodeArrayFromPayloads(client.options.loadedDataConverter, payloads).catch(() => [] as unknown[]);
  const rollout = (result?.rollout as RolloutSummary | undefined) ?? progress?.rollout;
  return {
    workflowId,
    runId: description.runId,
    type: description.type,
    pipeline: description.typedSearchAttributes.get(PIPELINE) ?? progress?.pipeline,
    status: description.status.name,
    taskQueue: description.taskQueue,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
    stages: progress?.stages ?? [],
    resources: progress?.resources ?? [],
    images: result ? imagesOf(result) : [],
    rollout,
    instances: rollout ? await rolloutInstances(client, handle, progress?.instances) : (progress?.instances ?? []),
    groups: (result?.groups as GroupRow[] | undefined) ?? progress?.groups ?? [],
    approvals: await approvalsOf(events, decode, client),
    decision: result?.approval as ApprovalDecision | undefined,
    notifications: await notificationsOf(events, decode, client),
    activities: activitiesOf(events),
    children: childrenOf(events),
    published: (result?.published as string[] | undefined) ?? [],
    retired: (result?.retired as string[] | undefined) ?? [],
    error: outcome?.error,
  };
}

/**
 * The run's images from its result, whichever kind it is: an AMI (`imageId`, `copies` placed by Region
 * and account) or an AppStream image (`arn`, `copies` by Region).
 */
function imagesOf(result: Record<string, unknown>): ReportImage[] {
  const name = typeof result.imageName === 'string' ? result.imageName : undefined;
  const id = (result.imageId ?? result.arn) as string | undefined;
  if (!id || result.unchanged) return [];
  const copies = (result.copies ?? []) as ({ place: Place; imageId: string } | { region?: string; name: string; arn: string })[];
  return [
    { place: placeName({}), id, name, original: true },
    ...copies.map((copy) =>
      'place' in copy
        ? { place: placeName(copy.place), id: copy.imageId, name, original: false }
        : { place: placeName({ region: copy.region }), id: copy.arn, name: copy.name, original: false },
    ),
  ];
}

/** The first page of the rollout's instances, as `status --instances` lists them; a run's own rows when it has no rollout workflow. */
async function rolloutInstances(client: Client, handle: WorkflowHandle, own: InstanceRow[] | undefined): Promise<InstanceRow[]> {
  const page = await listRolloutInstances(client, handle.workflowId, { pageSize: REPORT_INSTANCES }).catch(() => undefined);
  // Visibility lists them newest first; a report reads better in a stable order.
  return [...(page?.instances ?? own ?? [])].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

const isoOf = (event: HistoryEvent) => new Date(optionalTsToMs(event.eventTime) ?? 0).toISOString();

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

type Decode = (payloads?: Payload[] | null) => Promise<unknown[]>;

/** What a failure says, decoded like the run's payloads (an encrypted failure message is decrypted). */
async function failureMessage(client: Client, failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<string> {
  const err = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, failure).catch(() => undefined);
  let current: unknown = err;
  // An activity's failure wraps the reason the activity gave.
  while (current instanceof Error && current.cause instanceof Error && current.cause.message) current = current.cause;
  return current instanceof Error ? current.message : (failure?.message ?? 'failed');
}

/**
 * Every approval answer the run accepted, from history (so a policy that takes several answers shows each):
 * the update's name and arguments, the identity of the client that sent it, and how the run answered.
 */
async function approvalsOf(events: HistoryEvent[], decode: Decode, client: Client): Promise<ReportApproval[]> {
  const completions = new Map<string, temporal.api.update.v1.IOutcome | null | undefined>();
  for (const e of events) {
    const done = e.workflowExecutionUpdateCompletedEventAttributes;
    if (done?.meta?.updateId) completions.set(done.meta.updateId, done.outcome);
  }
  const approvals: ReportApproval[] = [];
  for (const e of events) {
    const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    const update = request?.input?.name;
    if (!update || !APPROVAL_UPDATES.includes(update)) continue;
    const [args] = (await decode(request.input?.args?.payloads)) as (Record<string, unknown> | undefined)[];
    const outcome = completions.get(request.meta?.updateId ?? '');
    approvals.push({
      at: isoOf(e),
      update,
      by: text(args?.by),
      identity: request.meta?.identity ?? undefined,
      text: text(args?.comment) ?? text(args?.reason),
      outcome: await updateOutcome(outcome, decode, client),
    });
  }
  return approvals;
}

async function updateOutcome(outcome: temporal.api.update.v1.IOutcome | null | undefined, decode: Decode, client: Client): Promise<string> {
  if (!outcome) return 'pending';
  if (outcome.failure) return `refused: ${await failureMessage(client, outcome.failure)}`;
  const [decision] = (await decode(outcome.success?.payloads)) as (Partial<ApprovalDecision> | undefined)[];
  if (typeof decision?.approved === 'boolean') return decision.approved ? 'approved' : 'rejected';
  return 'accepted';
}

/** The `notify` activities: what each was about, where it went, and how it ended. */
async function notificationsOf(events: HistoryEvent[], decode: Decode, client: Client): Promise<ReportNotification[]> {
  const ends = new Map<string, HistoryEvent>();
  for (const e of events) {
    const scheduledId =
      e.activityTaskCompletedEventAttributes?.scheduledEventId ??
      e.activityTaskFailedEventAttributes?.scheduledEventId ??
      e.activityTaskTimedOutEventAttributes?.scheduledEventId ??
      e.activityTaskCanceledEventAttributes?.scheduledEventId;
    if (scheduledId != null) ends.set(scheduledId.toString(), e);
  }
  const notifications: ReportNotification[] = [];
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== NOTIFY_ACTIVITY) continue;
    const [input] = (await decode(scheduled.input?.payloads)) as (Record<string, unknown> | undefined)[];
    const end = ends.get(String(e.eventId));
    notifications.push({
      at: isoOf(e),
      event: text(input?.event),
      channel: text(input?.channel),
      outcome: !end
        ? 'pending'
        : end.activityTaskCompletedEventAttributes
          ? 'sent'
          : end.activityTaskFailedEventAttributes
            ? `failed: ${await failureMessage(client, end.activityTaskFailedEventAttributes.failure)}`
            : end.activityTaskTimedOutEventAttributes
              ? 'timed out'
              : 'cancelled',
    });
  }
  return notifications;
}

/**
 * Activity tasks per type. History holds one started event per task, with the attempt it was on when it
 * ended (retries are not written), so a task's attempts are that number.
 */
function activitiesOf(events: HistoryEvent[]): ReportActivity[] {
  const typeOf = new Map<string, string>();
  const rows = new Map<string, ReportActivity>();
  const row = (type: string) => rows.get(type) ?? rows.set(type, { type, tasks: 0, attempts: 0, failed: 0 }).get(type)!;
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? 'unknown';
      typeOf.set(String(e.eventId), type);
      row(type).tasks++;
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) row(typeOf.get(String(started.scheduledEventId)) ?? 'unknown').attempts += started.attempt ?? 1;
    const failed = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (failed) row(typeOf.get(String(failed.scheduledEventId)) ?? 'unknown').failed++;
  }
  return [...rows.values()];
}

function childrenOf(events: HistoryEvent[]): { type: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of events) {
    const type = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name;
    if (type) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, count]) => ({ type, count }));
}
