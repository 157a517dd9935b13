/**
 * The `notify` activity: one notification, to each channel the pipeline's `notify:` block names (or,
 * without one, the worker's default channels). It never fails the run: its last attempt (and any attempt
 * whose failure cannot pass) returns an outcome per channel, delivered or not, which the workflow records.
 *
 * Sending twice is what it avoids. Each channel's success is heartbeated at once, and an attempt whose
 * heartbeat details say a channel was sent skips that channel; what is left, an attempt that sent and was
 * lost before it could say so (a worker killed then), sends again with the same deduplication key, which
 * a FIFO SNS topic and the receivers use to drop the repeat.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  NOTIFY_ATTEMPTS,
  type NotificationChannel,
  type NotificationOutcome,
  type NotificationRequest,
} from '../../contracts/notification-events';
import { webhookUrlProblem } from '../../contracts/notifications';
import type { AwsClients } from '../aws/clients';
import { notificationBody, slackBody, snsSubject } from './body';
import type { NotifierSettings } from './settings';
import { publishToSns, topicRegion } from '../sns/publish';
import { redactedUrl, sendWebhook } from './webhook';

interface Target {
  channel: NotificationChannel;
  /** Shown in outcomes: never a secret. */
  target: string;
  send(): Promise<void>;
}

/** Heartbeat details: the attempt that delivered each channel. */
interface Sent {
  sent: Partial<Record<NotificationChannel, number>>;
}

/** A channel that cannot be used as configured: its outcome says why, and no attempt is spent retrying it. */
class Unusable extends Error {}

export function createNotifyActivity(clients: AwsClients, settings: NotifierSettings) {
  return async function notify(request: NotificationRequest): Promise<NotificationOutcome[]> {
    const context = Context.current();
    const { attempt, namespace, workflowExecution } = context.info;
    const channels = request.channels ?? settings.defaults;
    const base = { event: request.event };
    if (!channels?.webhook && !channels?.sns) {
      return [
        {
          ...base,
          channel: 'none',
          delivered: false,
          skipped: 'no channel: neither the pipeline nor the worker names one',
          attempts: 0,
        },
      ];
    }
    const home = await clients.homeRegion().catch(() => undefined);
    const body = notificationBody(request, { namespace, runId: workflowExecution?.runId ?? '', uiUrl: settings.uiUrl, homeRegion: home });
    const json = JSON.stringify(body);
    const targets: (Target | NotificationOutcome)[] = [];
    if (channels.webhook) {
      const { url: literal, urlFromEnv, format } = channels.webhook;
      try {
        const url = webhookUrl(literal, urlFromEnv, settings.env);
        targets.push({
          channel: 'webhook',
          target: redactedUrl(url),
          send: () =>
            sendWebhook({
              url,
              body: format === 'slack' ? JSON.stringify(slackBody(body)) : json,
              event: request.event,
              delivery: request.key,
              secret: settings.webhookSecret,
            }),
        });
      } catch (err) {
        if (!(err instanceof Unusable)) throw err;
        targets.push({
          ...base,
          channel: 'webhook',
          ...(urlFromEnv && { target: `$${urlFromEnv}` }),
          delivered: false,
          attempts: 0,
          error: err.message,
        });
      }
    }
    if (channels.sns) {
      const { topicArn } = channels.sns;
      const region = topicRegion(topicArn);
      const sns = clients.at(region === home ? {} : { region }).sns;
      targets.push({
        channel: 'sns',
        target: topicArn,
        send: () =>
          publishToSns(sns, {
            topicArn,
            subject: snsSubject(body),
            message: json,
            event: request.event,
            pipeline: request.pipeline,
            delivery: request.key,
          }),
      });
    }

    const { sent } = (context.info.heartbeatDetails as Sent | undefined) ?? { sent: {} };
    let retry: unknown;
    // The channels side by side, so that a slow one does not use up the other's attempt.
    const outcomes = await Promise.all(
      targets.map(async (t): Promise<NotificationOutcome | undefined> => {
        if (!('send' in t)) return t;
        const reported = { ...base, channel: t.channel, target: t.target };
        const done = sent[t.channel];
        if (done !== undefined) return { ...reported, delivered: true, attempts: done };
        try {
          await t.send();
          sent[t.channel] = attempt;
          context.heartbeat({ sent } satisfies Sent);
          return { ...reported, delivered: true, attempts: attempt };
        } catch (err) {
          if (attempt < NOTIFY_ATTEMPTS && !(err instanceof ApplicationFailure && err.nonRetryable)) {
            retry = err;
            return undefined;
          }
          return { ...reported, delivered: false, attempts: attempt, error: (err as Error).message };
        }
      }),
    );
    if (retry) throw retry;
    return outcomes.filter((o) => o !== undefined);
  };
}

/** The webhook's URL: the block's own, or the worker's environment variable it names, checked as the config's would be. */
function webhookUrl(literal: string | undefined, fromEnv: string | undefined, env: NotifierSettings['env']): string {
  if (literal) return literal;
  const url = env[fromEnv!];
  if (!url) throw new Unusable(`environment variable ${fromEnv} is not set on the worker`);
  const problem = webhookUrlProblem(url);
  // The URL itself is not repeated: a URL kept in the environment is a secret.
  if (problem) throw new Unusable(`environment variable ${fromEnv}: ${problem}`);
  return url;
}
