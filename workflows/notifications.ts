/**
 * A run's notifications: each is the `notify` activity, started without awaiting it so that a slow or
 * dead receiver never holds up the pipeline, and in a scope a cancel does not reach. A notification that
 * fails is recorded, never thrown: the run awaits the outstanding ones just before it returns or fails
 * (bounded by their retry policy), puts every outcome in its result, notes each failure in the stage
 * table and counts them all (`golden_image_notifications` by event, channel and outcome).
 */
import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  metricMeter,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApprovalPolicy } from '../contracts/approval-policy';
import {
  DEFAULT_NOTIFICATION_EVENTS,
  NOTIFY_ATTEMPTS,
  type NotificationChannels,
  type NotificationEvent,
  type NotificationOutcome,
  type NotificationRequest,
  type NotifySettings,
} from '../contracts/notification-events';
import { failureIncident } from './rollout-outcome';

/**
 * Its own retry policy, not the AWS calls': four attempts over about a minute at most (2 s, 4 s and 8 s
 * apart, each attempt cut off at 15 s), then the activity's last attempt reports what did not go.
 */
const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: NOTIFY_ATTEMPTS },
});

// Made per use, inside the workflow's context, so the SDK tags it with this run's workflow type.
const counter = () =>
  metricMeter.createCounter(
    'golden_image_notifications',
    'notifications',
    'notifications by event, channel and outcome (delivered, failed, skipped)',
  );

/**
 * Whether this run sends notifications: asked at its start, before its input check (for the reason
 * given in amiPipeline), so that runs begun before notifications existed replay without them.
 */
export function notificationsEnabled(): boolean {
  return patched('notifications');
}

/** What a pipeline says about an event; the rest of the request is the notifier's. */
export type NotificationFacts = Pick<
  NotificationRequest,
  'summary' | 'stage' | 'reason' | 'images' | 'fleets' | 'approvalTimeout' | 'approvers' | 'approvalsRequired'
>;

type WithNotifications = { notifications?: NotificationOutcome[] };

export class Notifier {
  private readonly pending: Promise<void>[] = [];
  private readonly outcomes: NotificationOutcome[] = [];
  private readonly events: readonly NotificationEvent[];
  private readonly channels: NotificationChannels | undefined;

  /** `noteFailure` puts a failed delivery in the stage table. */
  constructor(
    enabled: boolean,
    private readonly pipeline: string,
    settings: NotifySettings | undefined,
    private readonly noteFailure: (text: string) => void,
  ) {
    this.events = enabled ? (settings?.events ?? DEFAULT_NOTIFICATION_EVENTS) : [];
    // A block with events and no channel of its own goes to the worker's default channels.
    this.channels =
      settings?.webhook || settings?.sns
        ? { ...(settings.webhook && { webhook: settings.webhook }), ...(settings.sns && { sns: settings.sns }) }
        : undefined;
  }

  /** What a child workflow is given to notify as this run does (the rollout's canary); undefined when this run sends nothing. */
  forChild(): NotifySettings | undefined {
    return this.events.length ? { events: [...this.events], ...this.channels } : undefined;
  }

  /** Waits for the notifications still going out (a child's, before it ends). */
  async settle(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
  }

  /** approval-needed, for a gate that waits under `policy`: how long, and who may answer. */
  approvalNeeded(policy: ApprovalPolicy, facts: Pick<NotificationFacts, 'summary' | 'stage' | 'images'>, part?: string): void {
    const approvers = policy.approvers && { approvers: policy.approvers, approvalsRequired: policy.required ?? 1 };
    this.send('approval-needed', { ...facts, approvalTimeout: policy.timeout, ...approvers }, part);
  }

  /** Sends `event` if the pipeline asked for it. `part` tells apart two sends of one event in a run (its deduplication key). */
  send(event: NotificationEvent, facts: NotificationFacts, part?: string): void {
    if (!this.events.includes(event)) return;
    const { workflowId, workflowType } = workflowInfo();
    const request: NotificationRequest = {
      event,
      key: [workflowId, event, part].filter(Boolean).join('/'),
      pipeline: this.pipeline,
      workflowType,
      workflowId,
      occurredAt: new Date().toISOString(),
      ...facts,
      ...(this.channels && { channels: this.channels }),
    };
    const sent = CancellationScope.nonCancellable(() => notify.executeWithOptions({ summary: `notify ${event}` }, [request]));
    this.pending.push(
      sent.then(
        (outcomes) => this.record(outcomes),
        // The activity reports failures as outcomes; this is one it could not report (its attempts timed out).
        (err: unknown) =>
          this.record([
            {
              event,
              channel: 'none',
              delivered: false,
              attempts: NOTIFY_ATTEMPTS,
              error: err instanceof ActivityFailure && err.cause ? err.cause.message : (err as Error).message,
            },
          ]),
      ),
    );
  }

  /**
   * Runs the pipeline's body: on success `announce` sends what the result calls for (completed, unchanged,
   * no update) and the result carries every outcome; on failure `failed` goes out (and `incident` when the
   * failure leaves one), at the stage `stage()` names. Either way the outstanding notifications are awaited
   * first. A cancelled run sends nothing more: a person asked for it.
   */
  async around<R extends WithNotifications>(stage: () => string, body: () => Promise<R>, announce: (result: R) => void): Promise<R> {
    let result: R;
    try {
      result = await body();
    } catch (err) {
      if (!isCancellation(err)) {
        const at = stage();
        const incident = failureIncident(err);
        if (incident) this.send('incident', { summary: `${this.pipeline}: ${incident}`, stage: at, reason: incident }, at);
        this.send('failed', { summary: `${this.pipeline} failed in stage ${at}`, stage: at, reason: (err as Error).message });
      }
      await this.settle();
      throw err;
    }
    announce(result);
    await this.settle();
    return this.outcomes.length ? { ...result, notifications: [...this.outcomes] } : result;
  }

  private record(outcomes: NotificationOutcome[]): void {
    for (const outcome of outcomes) {
      // With no channel anywhere nothing was sent, and the result does not list it (the metric counts it).
      if (outcome.channel !== 'none' || !outcome.skipped) this.outcomes.push(outcome);
      const label = outcome.delivered ? 'delivered' : outcome.skipped ? 'skipped' : 'failed';
      counter().add(1, { event: outcome.event, channel: outcome.channel, outcome: label });
      if (label === 'failed') {
        this.noteFailure(
          `notification ${outcome.event} via ${outcome.channel}${outcome.target ? ` (${outcome.target})` : ''} failed: ${outcome.error ?? 'unknown'}`,
        );
      }
    }
  }
}
