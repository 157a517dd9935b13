/**
 * What a pipeline tells people, and how: the events, the request a pipeline hands the `notify` activity,
 * and the outcome it records. Schema-free, so workflow code can import it (the `notify:` block's schema
 * is in notifications.ts).
 */

export const NOTIFICATION_EVENTS = ['approval-needed', 'failed', 'completed', 'incident', 'unchanged', 'no-update'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Without an `events` list: everything but the quiet outcomes of a scheduled run that found nothing to do. */
export const DEFAULT_NOTIFICATION_EVENTS: NotificationEvent[] = ['approval-needed', 'failed', 'completed', 'incident'];

export type WebhookFormat = 'json' | 'slack';

/** A pipeline's own channels (its `notify:` block); without any, the worker's default channels. */
export interface NotificationChannels {
  /** `url`, or `urlFromEnv`: the name of the worker's environment variable that holds it (a Slack URL is a secret). */
  webhook?: { url?: string; urlFromEnv?: string; format: WebhookFormat };
  sns?: { topicArn: string };
}

/** A pipeline's `notify:` block as validated: `notify: false` is `{ events: [] }`. */
export interface NotifySettings extends NotificationChannels {
  events: NotificationEvent[];
}

/** An image a notification names: an AMI ID or an AppStream image name, in its Region (the worker's own when absent). */
export interface NotifiedImage {
  region?: string;
  /** The account, for a copy in another one. */
  account?: string;
  image: string;
}

/** What a pipeline asks the `notify` activity to send: facts only, never a secret (the channels' URLs stay on the worker). */
export interface NotificationRequest {
  event: NotificationEvent;
  /**
   * The delivery's deduplication key, from the work: the workflow ID and the event (and the stage, where one run
   * can send an event more than once), never the run ID, so a retry, a replay or a reset sends the same key.
   */
  key: string;
  pipeline: string;
  workflowType: string;
  workflowId: string;
  /** Workflow time, so that every attempt sends the same. */
  occurredAt: string;
  /** One line for people. */
  summary: string;
  stage?: string;
  reason?: string;
  images?: NotifiedImage[];
  /** What the run did to fleets: Auto Scaling groups, instances, AppStream fleets, one line each. */
  fleets?: string[];
  /** approval-needed: how long the gate waits. */
  approvalTimeout?: string;
  /** approval-needed, with an approver list: who may answer, and how many approvals it takes. */
  approvers?: string[];
  approvalsRequired?: number;
  /** The pipeline's own channels; absent: the worker's default. */
  channels?: NotificationChannels;
}

/**
 * What a webhook receives (its `json` format) and every SNS message carries, as README "Notifications"
 * documents it: the request's facts, where the run is, and for approval-needed the commands that answer it.
 */
export interface NotificationBody extends Pick<
  NotificationRequest,
  'event' | 'pipeline' | 'workflowType' | 'workflowId' | 'occurredAt' | 'summary' | 'stage' | 'reason' | 'images' | 'fleets'
> {
  /** The deduplication key: the same on every attempt, retry and replay of this notification. */
  delivery: string;
  runId: string;
  namespace: string;
  /** The run in the Temporal UI. */
  link: string;
  /** approval-needed: how long the gate waits, who may answer and how many must, and the commands that answer it. */
  approval?: { timeout?: string; approvers?: string[]; required?: number; approve: string; reject: string };
}

export type NotificationChannel = 'webhook' | 'sns';

/** How one notification went on one channel; `channel: none` when no channel was configured at all. */
export interface NotificationOutcome {
  event: NotificationEvent;
  channel: NotificationChannel | 'none';
  /** Redacted: a webhook's scheme and host only; an SNS topic's ARN. */
  target?: string;
  delivered: boolean;
  /** Why nothing was sent, when nothing was (no channel configured). */
  skipped?: string;
  attempts: number;
  error?: string;
}

/** The `notify` activity's attempts: the retry policy's maximum, which its last attempt knows itself by. */
export const NOTIFY_ATTEMPTS = 4;

/** The header names of a webhook delivery. */
export const WEBHOOK_HEADERS = {
  signature: 'x-golden-image-signature',
  timestamp: 'x-golden-image-timestamp',
  delivery: 'x-golden-image-delivery',
  event: 'x-golden-image-event',
} as const;
