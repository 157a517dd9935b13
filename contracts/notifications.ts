/**
 * The `notify:` block every pipeline kind takes: where its notifications go and which events it sends.
 * `notify: false` (or `events: []`) sends none; without the block the worker's default channels get the
 * default events. Types and constants workflow code needs are in notification-events.ts, free of schemas.
 */
import { z } from 'zod';
import { DEFAULT_NOTIFICATION_EVENTS, NOTIFICATION_EVENTS } from './notification-events';

/** Plain http is accepted only where nothing crosses a network: a receiver on this machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why a webhook URL is refused, or undefined when it is fine. */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as https://hooks.example.com/golden-image';
  }
  if (url.username || url.password) return 'must not carry credentials (user:password@): keep secrets out of the config, use urlFromEnv';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `must be https (plain http only on loopback: 127.0.0.1, ::1, localhost), not ${url.protocol}//${url.host}`;
}

const webhookUrl = z.string().superRefine((text, ctx) => {
  const problem = webhookUrlProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const snsTopicArn = z
  .string()
  .regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:golden-image (a FIFO topic ends in .fifo)');

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const webhook = z
  .strictObject({
    url: webhookUrl.optional(),
    /** The worker's environment variable that holds the URL, so that a secret URL (Slack's) never enters a run's input or history. */
    urlFromEnv: z.string().regex(ENV_VAR_NAME, 'must be an environment variable name such as SLACK_WEBHOOK_URL').optional(),
    /** `json`: golden-image's own body; `slack`: `{ text }`, as Slack's incoming webhooks take it. */
    format: z.enum(['json', 'slack']).default('json'),
  })
  .refine((w) => (w.url === undefined) !== (w.urlFromEnv === undefined), 'give exactly one of url or urlFromEnv');

const events = z
  .array(z.enum(NOTIFICATION_EVENTS))
  .superRefine((list, ctx) => {
    const repeated = [...new Set(list.filter((e, i) => list.indexOf(e) !== i))];
    if (repeated.length) ctx.addIssue({ code: 'custom', message: `lists ${repeated.join(', ')} more than once` });
  })
  .default(DEFAULT_NOTIFICATION_EVENTS);

const notifyBlock = z.strictObject({
  webhook: webhook.optional(),
  sns: z.strictObject({ topicArn: snsTopicArn }).optional(),
  events,
});

/** `false` turns notifications off; read as a block with no events, so that errors in a block are reported as the block's. */
export const notify = z.preprocess((value) => (value === false ? { events: [] } : value), notifyBlock);
