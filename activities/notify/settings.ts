/**
 * The worker's notification settings, from its environment: the default channels for pipelines without
 * a `notify:` block, the webhook signing secret and the Temporal UI's address for links. The secret and a
 * URL read from the environment stay on the worker: never in a run's input, history, logs or outcomes.
 *
 *   GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL     default webhook (https, or http on loopback)
 *   GOLDEN_IMAGE_NOTIFY_WEBHOOK_FORMAT  json (default) or slack
 *   GOLDEN_IMAGE_NOTIFY_SNS_TOPIC_ARN   default SNS topic
 *   GOLDEN_IMAGE_WEBHOOK_SECRET         the HMAC-SHA256 key that signs every webhook delivery
 *   GOLDEN_IMAGE_UI_URL                 the Temporal UI, for links (default http://127.0.0.1:8233)
 */
import type { NotificationChannels } from '../../contracts/notification-events';
import { SNS_TOPIC_ARN, webhookUrlProblem } from '../../contracts/notifications';

export const DEFAULT_UI_URL = 'http://127.0.0.1:8233';

export interface NotifierSettings {
  /** For pipelines without a `notify:` block; none: such pipelines notify nobody. */
  defaults?: NotificationChannels;
  /** Signs webhook deliveries; without it they go unsigned. */
  webhookSecret?: string;
  uiUrl: string;
  /** Where a block's `webhook.urlFromEnv` is looked up (the worker's environment). */
  env: Record<string, string | undefined>;
}

type Env = Record<string, string | undefined>;

/** Bad settings stop the worker at its start, naming the variable (never its value: it may be a secret URL). */
export function notifierSettingsFromEnv(env: Env = process.env): NotifierSettings {
  const url = env.GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL || undefined;
  const format = env.GOLDEN_IMAGE_NOTIFY_WEBHOOK_FORMAT || 'json';
  const topicArn = env.GOLDEN_IMAGE_NOTIFY_SNS_TOPIC_ARN || undefined;
  const problem = url && webhookUrlProblem(url);
  if (problem) throw new Error(`GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL ${problem}`);
  if (format !== 'json' && format !== 'slack') throw new Error(`GOLDEN_IMAGE_NOTIFY_WEBHOOK_FORMAT must be json or slack, not ${format}`);
  if (topicArn && !SNS_TOPIC_ARN.test(topicArn)) {
    throw new Error(`GOLDEN_IMAGE_NOTIFY_SNS_TOPIC_ARN must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:golden-image`);
  }
  const defaults: NotificationChannels = {
    ...(url && { webhook: { url, format } }),
    ...(topicArn && { sns: { topicArn } }),
  };
  return {
    ...(url || topicArn ? { defaults } : {}),
    ...(env.GOLDEN_IMAGE_WEBHOOK_SECRET ? { webhookSecret: env.GOLDEN_IMAGE_WEBHOOK_SECRET } : {}),
    uiUrl: (env.GOLDEN_IMAGE_UI_URL || DEFAULT_UI_URL).replace(/\/+$/, ''),
    env,
  };
}
