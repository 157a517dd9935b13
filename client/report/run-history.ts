/**
 * What only a run's history holds, for `golden-image report`: every approval answer the run accepted,
 * every `notify` activity, the activity tasks per type, the child workflows, and (when no worker answers
 * the `progress` query) when each stage started. Payloads and failures are decoded with the client's
 * data converter, so an encrypted history reads as it was written.
 */
import type { LoadedDataConverter, Payload } from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { decodeArrayFromPayloads, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { ApprovalDecision } from '../../contracts/approval';
import type { NotificationOutcome, NotificationRequest } from '../../contracts/notification-events';
import type { StageRow, StageState } from '../../contracts/progress';
import { PIPELINE, STAGE } from '../../contracts/search-attributes';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One `approve` or `reject` Workflow Update the run accepted. */
export interface ReportApproval {
  at: string;
  /** The stage the run was in when it took the answer: `approval`, or `rollout` for a rollout's canary. */
  stage?: string;
  update: string;
  /** Who the answer says it is from (`--by`). */
  by?: string;
  /** The client identity that sent it, from the update's request. */
  identity?: string;
  /** The comment, or a rejection's reason. */
  text?: string;
  /** What the run answered: `approved`, `rejected`, `refused: <why>`, or `pending` while it runs. */
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

/** The activity tasks of one type: how many were scheduled, how many attempts they took, how many failed. */
export interface ReportActivity {
  type: string;
  tasks: number;
  attempts: number;
  failed: number;
}

export interface RunHistoryFacts {
  approvals: ReportApproval[];
  notifications: ReportNotification[];
  activities: ReportActivity[];
  /** Child workflows per type (each rollout instance is one). */
  children: { type: string; count: number }[];
  /** Each stage from when `GoldenImageStage` named it to when the next one did (or the run ended). */
  stages: StageRow[];
}

const APPROVAL_UPDATES = ['approve', 'reject'];
const NOTIFY_ACTIVITY = 'notify';

/** How a run that ended leaves the stage it was in. */
const LAST_STAGE_STATES: Record<string, StageState> = {
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  TERMINATED: 'failed',
  CANCELLED: 'cancelled',
  RUNNING: 'running',
};

/** The approval answers alone: a rollout's canary takes its answers in the rollout workflow's own history. */
export function readApprovals(events: HistoryEvent[], converter: LoadedDataConverter): Promise<ReportApproval[]> {
  return new HistoryReader(events, converter).approvals();
}

export async function readRunHistory(
  events: HistoryEvent[],
  converter: LoadedDataConverter,
  run: { status: string; closeTime?: string },
): Promise<RunHistoryFacts> {
  const reader = new HistoryReader(events, converter);
  return {
    approvals: await reader.approvals(),
    notifications: await reader.notifications(),
    activities: reader.activities(),
    children: reader.children(),
    stages: reader.stages(run),
  };
}

const isoOf = (event: HistoryEvent) => new Date(optionalTsToMs(event.eventTime) ?? 0).toISOString();

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

class HistoryReader {
  constructor(
    private readonly events: HistoryEvent[],
    private readonly converter: LoadedDataConverter,
  ) {}

  /** The arguments as the caller gave them; nothing when they cannot be read (a key this CLI lacks, say). */
  private decode(payloads?: Payload[] | null): Promise<unknown[]> {
    return decodeArrayFromPayloads(this.converter, payloads).catch(() => []);
  }

  /** What a failure says, at its root: an activity's failure wraps the reason the activity gave. */
  private async failureMessage(failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<string> {
    let current: unknown = await decodeOptionalFailureToOptionalError(this.converter, failure).catch(() => undefined);
    while (current instanceof Error && current.cause instanceof Error && current.cause.message) current = current.cause;
    return current instanceof Error ? current.message : (failure?.message ?? 'failed');
  }

  /** Every approval answer the run accepted (a policy that takes several shows each), and how the run answered it. */
  async approvals(): Promise<ReportApproval[]> {
    const outcomes = new Map<string, temporal.api.update.v1.IOutcome | null | undefined>();
    for (const e of this.events) {
      const done = e.workflowExecutionUpdateCompletedEventAttributes;
      if (done?.meta?.updateId) outcomes.set(done.meta.updateId, done.outcome);
    }
    const approvals: ReportApproval[] = [];
    let stage: string | undefined;
    for (const e of this.events) {
      stage = this.stageNamed(e) ?? stage;
      const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      const update = request?.input?.name;
      if (!update || !APPROVAL_UPDATES.includes(update)) continue;
      const [args] = (await this.decode(request.input?.args?.payloads)) as (Record<string, unknown> | undefined)[];
      approvals.push({
        at: isoOf(e),
        stage,
        update,
        by: text(args?.by),
        identity: request.meta?.identity ?? undefined,
        text: text(args?.comment) ?? text(args?.reason),
        outcome: await this.updateOutcome(outcomes.get(request.meta?.updateId ?? '')),
      });
    }
    return approvals;
  }

  private async updateOutcome(outcome: temporal.api.update.v1.IOutcome | null | undefined): Promise<string> {
    if (!outcome) return 'pending';
    if (outcome.failure) return `refused: ${await this.failureMessage(outcome.failure)}`;
    const [decision] = (await this.decode(outcome.success?.payloads)) as (Partial<ApprovalDecision> | undefined)[];
    if (typeof decision?.approved === 'boolean') return decision.approved ? 'approved' : 'rejected';
    return 'accepted';
  }

  /** The `notify` activities: what each was about (its input's `event`), where it went (`channel`), and how it ended. */
  async notifications(): Promise<ReportNotification[]> {
    const ends = new Map<string, HistoryEvent>();
    for (const e of this.events) {
      const scheduledId =
        e.activityTaskCompletedEventAttributes?.scheduledEventId ??
        e.activityTaskFailedEventAttributes?.scheduledEventId ??
        e.activityTaskTimedOutEventAttributes?.scheduledEventId ??
        e.activityTaskCanceledEventAttributes?.scheduledEventId;
      if (scheduledId != null) ends.set(String(scheduledId), e);
    }
    const notifications: ReportNotification[] = [];
    for (const e of this.events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== NOTIFY_ACTIVITY) continue;
      const [input] = (await this.decode(scheduled.input?.payloads)) as (Partial<NotificationRequest> | undefined)[];
      const end = ends.get(String(e.eventId));
      const at = isoOf(e);
      // A finished notify answers with how each channel went; anything else is one row for the activity.
      const [outcomes] = end?.activityTaskCompletedEventAttributes
        ? ((await this.decode(end.activityTaskCompletedEventAttributes.result?.payloads)) as (NotificationOutcome[] | undefined)[])
        : [];
      if (Array.isArray(outcomes)) {
        // As in the run's result: a notification with no channel anywhere was not sent, and is not listed.
        for (const o of outcomes.filter((o) => o.channel !== 'none' || !o.skipped)) {
          notifications.push({ at, event: text(o.event), channel: channelOf(o), outcome: outcomeOf(o) });
        }
      } else {
        notifications.push({ at, event: text(input?.event), outcome: await this.ending(end) });
      }
    }
    return notifications;
  }

  private async ending(end: HistoryEvent | undefined): Promise<string> {
    if (!end) return 'pending';
    if (end.activityTaskCompletedEventAttributes) return 'sent';
    if (end.activityTaskFailedEventAttributes) return `failed: ${await this.failureMessage(end.activityTaskFailedEventAttributes.failure)}`;
    return end.activityTaskTimedOutEventAttributes ? 'timed out' : 'cancelled';
  }

  /**
   * Activity tasks per type. History holds one started event per task, with the attempt it was on when
   * it ended (retries are not written), so a task's attempts are that number.
   */
  activities(): ReportActivity[] {
    const typeOf = new Map<string, string>();
    const rows = new Map<string, ReportActivity>();
    const row = (scheduledId: unknown) => {
      const type = typeOf.get(String(scheduledId)) ?? 'unknown';
      return rows.get(type) ?? rows.set(type, { type, tasks: 0, attempts: 0, failed: 0 }).get(type)!;
    };
    for (const e of this.events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) {
        typeOf.set(String(e.eventId), scheduled.activityType?.name ?? 'unknown');
        row(e.eventId).tasks++;
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started) row(started.scheduledEventId).attempts += started.attempt ?? 1;
      const failed = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      if (failed) row(failed.scheduledEventId).failed++;
    }
    return [...rows.values()];
  }

  children(): { type: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const e of this.events) {
      const type = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name;
      if (type) counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return [...counts].map(([type, count]) => ({ type, count }));
  }

  /**
   * The stages as `GoldenImageStage` recorded them. The stage tracker's first upsert names the pipeline
   * and its first stage before anything ran; each later one is a stage starting. Skipped stages and
   * notes live only in the workflow's state, which the `progress` query reads.
   */
  stages(run: { status: string; closeTime?: string }): StageRow[] {
    const starts: { stage: string; at: string }[] = [];
    for (const e of this.events) {
      const stage = this.stageNamed(e, { startsOnly: true });
      if (stage) starts.push({ stage, at: isoOf(e) });
    }
    return starts.map(({ stage, at }, i) => {
      const next = starts[i + 1];
      const endedAt = next?.at ?? run.closeTime;
      return { stage, state: next ? 'succeeded' : (LAST_STAGE_STATES[run.status] ?? 'failed'), startedAt: at, ...(endedAt && { endedAt }) };
    });
  }

  /** The stage an upsert of `GoldenImageStage` names; with `startsOnly`, not the tracker's first (which names the pipeline too). */
  private stageNamed(e: HistoryEvent, options: { startsOnly?: boolean } = {}): string | undefined {
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (!fields) return undefined;
    const attributes = decodeTypedSearchAttributes(fields);
    if (options.startsOnly && attributes.get(PIPELINE) !== undefined) return undefined;
    return attributes.get(STAGE);
  }
}

/** The channel and, where there is one, its redacted target: `webhook (https://hooks.example.com)`. */
const channelOf = (o: NotificationOutcome) => (o.target ? `${o.channel} (${o.target})` : o.channel);

function outcomeOf(o: NotificationOutcome): string {
  if (o.delivered) return o.attempts > 1 ? `sent (attempt ${o.attempts})` : 'sent';
  if (o.skipped) return `skipped: ${o.skipped}`;
  return `not sent after ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}${o.error ? `: ${o.error}` : ''}`;
}
