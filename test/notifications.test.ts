/**
 * Notifications end to end: every event on both channels (a webhook receiver on 127.0.0.1 that checks
 * each signature, and an SNS topic in the sandbox, reached through the real SDK), with the outcomes in
 * the run's result. Real dev server, sandbox over HTTP, in-process worker holding the webhook secret.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { APPSTREAM_GOLDEN_IMAGE_NAME, LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS, type PublishedMessage } from '@golden-image/aws-sandbox';
import { DEFAULT_UI_URL } from '../activities/notify/settings';
import { approveRun } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import type { AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import type { NotificationBody, NotificationOutcome } from '../contracts/notification-events';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { freshSandbox, REGION, startStack, type Stack } from './support/stack';
import { startWebhookReceiver, type Delivery, type WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'test-webhook-secret-7f3a';
const FAST = { interval: '100ms', timeout: '2m' };
const WAITS = { image: FAST, rootVolume: FAST, bake: { interval: '100ms' } };

let stack: Stack;
let receiver: WebhookReceiver;
let buildInstance: string;
let sns: SNSClient;

before(async () => {
  stack = await startStack({ profile: 'test' }, { notifications: { webhookSecret: SECRET, uiUrl: DEFAULT_UI_URL, env: {} } });
  receiver = await startWebhookReceiver(SECRET);
  sns = new SNSClient({ endpoint: stack.sandboxUrl, region: REGION, credentials: SANDBOX_CREDENTIALS });
});
after(async () => {
  sns?.destroy();
  await receiver?.close();
  await stack?.close();
});
beforeEach(async () => {
  buildInstance = await freshSandbox(stack);
  receiver.deliveries.length = 0;
  receiver.answer = () => 200;
});

const topic = async (name: string, fifo = false) =>
  (await sns.send(new CreateTopicCommand({ Name: name, ...(fifo && { Attributes: { FifoTopic: 'true' } }) }))).TopicArn!;
const messagesOf = async (topicArn: string): Promise<PublishedMessage[]> =>
  (await stack.admin.snsMessages({ topicArn })).topics[0]?.messages ?? [];
const bodyOf = (d: Delivery) => JSON.parse(d.body) as NotificationBody;
const eventsOf = (deliveries: Delivery[]) => deliveries.map((d) => d.headers['x-golden-image-event']);

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every outcome delivered, once per event and channel, at the first attempt. */
function assertDelivered(outcomes: NotificationOutcome[] | undefined, events: string[], topicArn: string): void {
  const webhook = new URL(receiver.url);
  assert.deepEqual(
    [...(outcomes ?? [])].sort((a, b) => `${a.event}${a.channel}`.localeCompare(`${b.event}${b.channel}`)),
    [...events].sort().flatMap((event) => [
      { event, channel: 'sns', target: topicArn, delivered: true, attempts: 1 },
      { event, channel: 'webhook', target: `${webhook.protocol}//${webhook.host}`, delivered: true, attempts: 1 },
    ]),
  );
}

/** The web-golden pipeline from the build instance, on this file's worker. */
const startWebGolden = (config: Partial<AmiPipelineConfig>, workflowId?: string) =>
  startPipeline(
    stack.env.client,
    'ami',
    { name: 'web-golden', instanceId: buildInstance, waits: WAITS, ...config },
    { taskQueue: stack.taskQueue, workflowId },
  );

/**
 * A pipeline notifying the webhook receiver and `topicArn`, rolling out onto `size` new instances, the
 * first of which (`detached`) its replacement leaves without a root volume (an incident).
 */
async function rollOutWithDetachedInstance(
  size: number,
  topicArn: string,
  config: { approval?: AmiPipelineConfig['approval']; rollout: Partial<NonNullable<AmiPipelineConfig['rollout']>> },
  workflowId?: string,
) {
  const fleet = await stack.launchInstances('windows', size, { fleet: 'web' });
  await stack.admin.fail({ kind: 'replaceRootVolumeTask', instanceId: fleet[0]!, state: 'failed-detached' });
  const handle = await startWebGolden(
    {
      ...config,
      rollout: { instanceIds: fleet, ...config.rollout },
      notify: { webhook: { url: receiver.url }, sns: { topicArn } },
    },
    workflowId,
  );
  return { handle, detached: fleet[0]! };
}

describe('notifications on both channels', () => {
  test('approval-needed, incident and completed: signed webhook deliveries and FIFO SNS messages, each once', async () => {
    const fifo = await topic('golden-image.fifo', true);
    const { handle, detached } = await rollOutWithDetachedInstance(
      4,
      fifo,
      { approval: { timeout: '5m', approvers: ['alice', 'bob'] }, rollout: { concurrency: 2, failureBudget: 1 } },
      // A replay fixture's name is its workflow ID, as its rollout's children's IDs derive from it.
      'ami-pipeline-notifications',
    );
    const { workflowId, firstExecutionRunId: runId } = handle;
    await waitForProgress(handle, stageIs('approval', 'running'));
    await until('approval-needed', () => receiver.deliveries.length > 0);
    const asked = bodyOf(receiver.deliveries[0]!);
    assert.equal(asked.event, 'approval-needed');
    assert.deepEqual(asked.approval, {
      timeout: '5m',
      approvers: ['alice', 'bob'],
      required: 1,
      approve: `golden-image approve ${workflowId} --by <you>`,
      reject: `golden-image reject ${workflowId} --by <you> --reason "<why>"`,
    });
    assert.equal(asked.link, `http://127.0.0.1:8233/namespaces/default/workflows/${workflowId}/${runId}`);
    await approveRun(stack.env.client, workflowId, { by: 'alice' });
    const result = (await handle.result()) as AmiPipelineResult;
    await recordHistory(handle, 'ami-pipeline-notifications');

    // The webhook: one delivery per event, each signed, keyed by the work (never the run ID).
    assert.deepEqual(eventsOf(receiver.deliveries), ['approval-needed', 'incident', 'completed']);
    assert.deepEqual(
      receiver.deliveries.map((d) => d.headers['x-golden-image-delivery']),
      [`${workflowId}/approval-needed`, `${workflowId}/incident/rollout`, `${workflowId}/completed`],
    );
    for (const d of receiver.deliveries) {
      assert.ok(d.verified, `the ${String(d.headers['x-golden-image-event'])} delivery's signature verifies`);
      assert.ok(!d.body.includes(SECRET) && !d.body.includes('/hooks/'), 'no secret and no webhook URL in a body');
    }
    const [, incident, completed] = receiver.deliveries.map(bodyOf);
    assert.match(String(incident!.reason), new RegExp(`^INCIDENT: ${detached} left without a root volume; needs a person$`));
    assert.equal(incident!.stage, 'rollout');
    assert.deepEqual(completed!.images, [{ image: result.imageId, region: 'us-east-1' }]);
    assert.deepEqual(completed!.fleets, ['instances: 3 succeeded, 1 failed-detached of 4']);

    // SNS: the same three, on a FIFO topic: the pipeline is the group, the key the deduplication ID.
    const messages = await messagesOf(fifo);
    assert.deepEqual(
      messages.map((m) => [m.subject, m.messageGroupId, m.messageDeduplicationId, m.messageAttributes.delivery?.stringValue]),
      [
        ['golden-image web-golden: needs approval', 'web-golden', `${workflowId}/approval-needed`, `${workflowId}/approval-needed`],
        ['golden-image web-golden: INCIDENT', 'web-golden', `${workflowId}/incident/rollout`, `${workflowId}/incident/rollout`],
        ['golden-image web-golden: completed', 'web-golden', `${workflowId}/completed`, `${workflowId}/completed`],
      ],
    );
    assert.deepEqual(JSON.parse(messages[2]!.message), completed);
    assertDelivered(result.notifications, ['approval-needed', 'incident', 'completed'], fifo);
  });

  test('failed: the stage and the reason, in Slack format and on a standard topic', async () => {
    const standard = await topic('golden-image');
    await stack.admin.fail({ kind: 'image', next: true, code: 'Client.InternalError', message: 'Client error on snapshot creation' });
    const handle = await startWebGolden({
      notify: { webhook: { url: receiver.url, format: 'slack' }, sns: { topicArn: standard } },
    });
    const failure = await failureOf(handle);
    assert.match(failure.message, /^wait-available: image ami-[0-9a-f]+ is failed/);
    assert.deepEqual(eventsOf(receiver.deliveries), ['failed']);
    const [delivery] = receiver.deliveries;
    assert.ok(delivery!.verified);
    const link = `http://127.0.0.1:8233/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}`;
    assert.deepEqual(JSON.parse(delivery!.body), {
      text: [
        `*web-golden* failed: <${link}|${handle.workflowId}>`,
        'web-golden failed in stage wait-available',
        'stage: wait-available',
        `reason: ${failure.message}`,
      ].join('\n'),
    });
    const [message] = await messagesOf(standard);
    const body = JSON.parse(message!.message) as Record<string, unknown>;
    assert.deepEqual(
      [body.event, body.stage, body.reason, message!.messageGroupId],
      ['failed', 'wait-available', failure.message, undefined],
    );
    // A failed run has no result: its notifications are in its history, as the activity's result.
    const history = await handle.fetchHistory();
    assert.equal(history.events?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify').length, 1);
  });

  test("a rollout's canary waiting for approval notifies too, with commands that reach its gate", async () => {
    const fleet = await stack.launchInstances('windows', 2, { fleet: 'web' });
    const handle = await startWebGolden({
      rollout: { instanceIds: fleet, concurrency: 1, canary: { instances: 1, bakeTime: '0s', approval: true } },
      notify: { webhook: { url: receiver.url } },
    });
    await until('the canary asking for approval', () => receiver.deliveries.length > 0, 60_000);
    const asked = bodyOf(receiver.deliveries[0]!);
    const rolloutId = `${handle.workflowId}/rollout`;
    assert.deepEqual([asked.event, asked.stage, asked.delivery], ['approval-needed', 'rollout', `${rolloutId}/approval-needed/canary`]);
    assert.equal(asked.approval?.approve, `golden-image approve ${rolloutId} --by <you>`);
    assert.equal(asked.summary, `web-golden: the canary of ${asked.images?.[0]?.image} (1 instance) waits for approval`);
    await approveRun(stack.env.client, rolloutId, { by: 'alice' });
    await handle.result();
    assert.deepEqual(eventsOf(receiver.deliveries), ['approval-needed', 'completed']);
  });

  test('a rollout halted with an instance left without a root volume: incident and failed, on both channels', async () => {
    const standard = await topic('golden-image');
    const { handle, detached } = await rollOutWithDetachedInstance(2, standard, { rollout: { concurrency: 1 } });
    const failure = await failureOf(handle);
    assert.match(failure.message, /^rollout: rollout halted: 1 of 2 instances failed/);
    assert.deepEqual(eventsOf(receiver.deliveries).sort(), ['failed', 'incident']);
    const incident = bodyOf(receiver.deliveries.find((d) => d.headers['x-golden-image-event'] === 'incident')!);
    assert.equal(incident.delivery, `${handle.workflowId}/incident/rollout`);
    assert.equal(incident.reason, `INCIDENT: ${detached} left without a root volume; needs a person`);
    assert.deepEqual((await messagesOf(standard)).map((m) => m.messageAttributes.event?.stringValue).sort(), ['failed', 'incident']);
  });

  test('unchanged and no-update, which only a pipeline that asks for them sends', async () => {
    const standard = await topic('golden-image');
    const notify = { webhook: { url: receiver.url }, sns: { topicArn: standard } };
    const bake = {
      name: 'web-bake',
      source: { imageId: LINUX_BASE_AMI_ID },
      build: { instanceType: 't3.small', steps: [{ document: 'AWS-RunShellScript', parameters: { commands: ['true'] } }] },
      refresh: { skipIfUnchanged: true },
      waits: WAITS,
    };
    const first = await startPipeline(stack.env.client, 'ami', { ...bake, notify }, { taskQueue: stack.taskQueue });
    const made = (await first.result()) as AmiPipelineResult;
    const again = await startPipeline(
      stack.env.client,
      'ami',
      { ...bake, notify: { ...notify, events: ['unchanged'] } },
      { taskQueue: stack.taskQueue },
    );
    const unchanged = (await again.result()) as AmiPipelineResult;
    assert.equal(unchanged.unchanged, true);
    assertDelivered(unchanged.notifications, ['unchanged'], standard);

    const update = await startPipeline(
      stack.env.client,
      'appstream-update',
      {
        name: 'apps',
        existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        newImageName: 'apps-{{run}}',
        notify: { ...notify, events: ['no-update'] },
      },
      { taskQueue: stack.taskQueue },
    );
    const noUpdate = (await update.result()) as AppStreamImageUpdateResult;
    assert.equal(noUpdate.updated, false);
    assertDelivered(noUpdate.notifications, ['no-update'], standard);

    assert.deepEqual(eventsOf(receiver.deliveries), ['completed', 'unchanged', 'no-update']);
    assert.ok(receiver.deliveries.every((d) => d.verified));
    const bodies = receiver.deliveries.map(bodyOf);
    assert.equal(bodies[1]!.summary, `web-bake: unchanged, ${made.imageId} is up to date`);
    assert.equal(bodies[2]!.summary, `apps: no update available for ${APPSTREAM_GOLDEN_IMAGE_NAME}`);
    assert.deepEqual(
      (await messagesOf(standard)).map((m) => m.messageAttributes.event?.stringValue),
      ['completed', 'unchanged', 'no-update'],
    );
  });

  test('a webhook that answers 503 for the whole run: the run succeeds, SNS is sent once, the failure is recorded', async () => {
    const standard = await topic('golden-image');
    receiver.answer = () => 503;
    const handle = await startWebGolden({
      notify: { webhook: { url: receiver.url }, sns: { topicArn: standard } },
    });
    const result = (await handle.result()) as AmiPipelineResult;
    const webhook = new URL(receiver.url);
    const target = `${webhook.protocol}//${webhook.host}`;
    assert.deepEqual(result.notifications, [
      { event: 'completed', channel: 'webhook', target, delivered: false, attempts: 4, error: `webhook ${target} answered HTTP 503` },
      { event: 'completed', channel: 'sns', target: standard, delivered: true, attempts: 1 },
    ]);
    assert.equal(receiver.deliveries.length, 4, 'four attempts, all with one delivery key');
    assert.equal(receiver.distinct().length, 1);
    assert.equal((await messagesOf(standard)).length, 1, 'the retries skipped the topic the first attempt had sent to');
    const progress = await handle.query<{ stages: { stage: string; detail?: string }[] }>('progress');
    assert.match(
      progress.stages.find((s) => s.stage === 'wait-available')?.detail ?? '',
      new RegExp(`notification completed via webhook \\(${target.replaceAll('.', '\\.')}\\) failed: webhook .* answered HTTP 503`),
    );
  });
});
