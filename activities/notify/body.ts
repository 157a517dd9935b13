/**
 * What a notification says, built once from the pipeline's request and where it runs: the JSON body
 * (the webhook's `json` format and every SNS message), a Slack-compatible `{ text }`, and an SNS subject.
 */
import type { NotificationBody, NotificationEvent, NotificationRequest } from '../../contracts/notification-events';

/** Where the run is, for links: filled in by the activity from its own context. */
export interface RunPlace {
  namespace: string;
  runId: string;
  uiUrl: string;
  /** The worker's Region, for images the request names without one. */
  homeRegion?: string;
}

const HEADLINES: Record<NotificationEvent, string> = {
  'approval-needed': 'needs approval',
  failed: 'failed',
  completed: 'completed',
  incident: 'INCIDENT',
  unchanged: 'unchanged',
  'no-update': 'no update',
};

export function notificationBody(request: NotificationRequest, place: RunPlace): NotificationBody {
  const { workflowId } = request;
  const link = `${place.uiUrl}/namespaces/${encodeURIComponent(place.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(place.runId)}`;
  return {
    event: request.event,
    delivery: request.key,
    pipeline: request.pipeline,
    workflowType: request.workflowType,
    workflowId,
    runId: place.runId,
    namespace: place.namespace,
    link,
    occurredAt: request.occurredAt,
    summary: request.summary,
    ...(request.stage && { stage: request.stage }),
    ...(request.reason && { reason: request.reason }),
    ...(request.images?.length && {
      images: request.images.map(({ region, account, image }) => ({
        region: region ?? place.homeRegion,
        ...(account && { account }),
        image,
      })),
    }),
    ...(request.fleets?.length && { fleets: request.fleets }),
    ...(request.event === 'approval-needed' && {
      approval: {
        ...(request.approvalTimeout && { timeout: request.approvalTimeout }),
        ...(request.approvers && { approvers: request.approvers, required: request.approvalsRequired ?? 1 }),
        approve: `golden-image approve ${workflowId} --by <you>`,
        reject: `golden-image reject ${workflowId} --by <you> --reason "<why>"`,
      },
    }),
  };
}

/** SNS subjects are at most 100 characters, on one line. */
export function snsSubject(body: NotificationBody): string {
  return `golden-image ${body.pipeline}: ${HEADLINES[body.event]}`.replace(/[\r\n]/g, ' ').slice(0, 100);
}

/** Slack's incoming webhooks take `{ text }` in its mrkdwn: a headline with the run's link, then the facts. */
export function slackBody(body: NotificationBody): { text: string } {
  const lines = [`*${escape(body.pipeline)}* ${HEADLINES[body.event]}: <${body.link}|${escape(body.workflowId)}>`, escape(body.summary)];
  if (body.stage) lines.push(`stage: ${escape(body.stage)}`);
  if (body.reason) lines.push(`reason: ${escape(body.reason)}`);
  if (body.images) lines.push(`images: ${body.images.map((i) => `${i.region ? `${i.region}: ` : ''}${escape(i.image)}`).join(', ')}`);
  if (body.fleets) lines.push(`fleets: ${body.fleets.map(escape).join('; ')}`);
  if (body.approval?.approvers) lines.push(`${body.approval.required} of ${body.approval.approvers.map(escape).join(', ')} to approve`);
  if (body.approval) lines.push(`approve: \`${body.approval.approve}\``, `reject: \`${body.approval.reject}\``);
  return { text: lines.join('\n') };
}

/** Slack's three control characters in mrkdwn. */
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
