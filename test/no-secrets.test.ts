/**
 * No secrets anywhere: the production worker, as a child process with recognisable fake AWS
 * credentials in its environment, runs a pipeline that succeeds, one that fails with an AWS error (after
 * retried 5xx errors that the worker logs), and one that is cancelled. Then every exported history, the
 * search attributes, the memo and the worker's own output are scanned for the credentials, and for the
 * webhook's signing secret and its URL's secret path (the worker notifies each run's end to a receiver
 * that refuses it, so that the undelivered notification's outcome is in the history too).
 * (TEMPORAL_API_KEY is left out: the dev server takes no API key.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { SANDBOX_ACCESS_KEYS } from '@golden-image/aws-sandbox';
import { stageIs, waitForProgress } from './support/runs';
import { startStack, type Stack } from './support/stack';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { spawnWorker, type WorkerProcess } from './support/worker-process';

const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAFAKESECRETSCAN01',
  AWS_SECRET_ACCESS_KEY: 'fake/Secret+Key/DoNotLeak1234567890abcd',
  AWS_SESSION_TOKEN: 'FakeSessionToken-DoNotLeak',
};
const WEBHOOK_SECRET = 'WebhookSecret-DoNotLeak-77';
const WEBHOOK_PATH = '/services/T0/B0/HookPath-DoNotLeak';
/** The whole values, and the secret key's distinctive parts (in case it is split, escaped or URL-encoded around them). */
const NEEDLES = [
  ...Object.values(FAKE_CREDENTIALS),
  'FAKESECRETSCAN',
  'DoNotLeak',
  '1234567890abcd',
  'Secret+Key',
  'Secret%2BKey',
  'FakeSessionToken',
  WEBHOOK_SECRET,
  WEBHOOK_PATH,
  'HookPath',
];

let stack: Stack;
let worker: WorkerProcess;
let taskQueue: string;
let receiver: WebhookReceiver;

before(async () => {
  // The sandbox checks signatures, so the fake key must be one it knows: the worker's calls have to succeed.
  const fakeKey = {
    accessKeyId: FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    accountId: SANDBOX_ACCESS_KEYS[0]!.accountId,
  };
  stack = await startStack({ profile: 'test', accessKeys: [...SANDBOX_ACCESS_KEYS, fakeKey] });
  taskQueue = `${stack.taskQueue}-secrets`;
  receiver = await startWebhookReceiver(WEBHOOK_SECRET);
  receiver.answer = () => 404;
  worker = spawnWorker({
    temporalAddress: stack.env.address,
    sandboxUrl: stack.sandboxUrl,
    taskQueue,
    env: {
      ...FAKE_CREDENTIALS,
      GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL: `${new URL(receiver.url).origin}${WEBHOOK_PATH}`,
      GOLDEN_IMAGE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  });
});
after(async () => {
  await worker?.kill();
  await receiver?.close();
  await stack?.close();
});

function start(name: string, instanceId: string, workflowId: string): Promise<WorkflowHandle> {
  return stack.env.client.workflow.start('amiPipeline', {
    args: [{ name, instanceId, waits: { image: { interval: '200ms', timeout: '2m' } } }],
    taskQueue,
    workflowId,
  });
}

/** Everything a person could export about a run: its history (JSON and wire bytes), search attributes and memo. */
async function exportRun(handle: WorkflowHandle): Promise<string> {
  const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
  const description = await handle.describe();
  return [
    historyToJSON(history),
    // Payload data is base64 in the JSON; in the wire bytes it is as written.
    Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1'),
    JSON.stringify(description.searchAttributes),
    JSON.stringify(description.memo ?? {}),
    Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(description.raw).finish()).toString('latin1'),
  ].join('\n');
}

test('fake credentials never reach histories, search attributes, memos or the worker log', { timeout: 180_000 }, async () => {
  const [okInstance, failInstance, cancelInstance] = await stack.launchInstances('windows', 3, { Name: 'win-build' });
  const stamp = Date.now();

  // A run that succeeds, through DescribeImages 5xx errors that the worker retries (and logs).
  await stack.admin.fault({
    service: 'ec2',
    action: 'DescribeImages',
    count: 2,
    error: { code: 'InternalError', status: 500, message: 'An internal error has occurred' },
  });
  const ok = await start('secrets-ok', okInstance!, `secrets-ok-${stamp}`);
  await ok.result();

  // A run that fails with AWS's own words.
  await stack.admin.fault({
    service: 'ec2',
    action: 'CreateImage',
    count: 1,
    error: {
      code: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation. Encoded authorization failure message: Zm9vYmFy',
    },
  });
  const failed = await start('secrets-failed', failInstance!, `secrets-failed-${stamp}`);
  const failure = await failed.result().catch((e: unknown) => e);
  assert.ok(failure instanceof WorkflowFailedError, `expected the run to fail, got ${String(failure)}`);
  assert.match(String(failure.cause?.message), /UnauthorizedOperation/);

  // A run cancelled mid-wait, whose clean-up deregisters the image.
  await stack.admin.configure({ durations: { image: 30_000 } });
  const cancelled = await start('secrets-cancelled', cancelInstance!, `secrets-cancelled-${stamp}`);
  await waitForProgress(cancelled, stageIs('wait-available', 'running'), 60_000);
  await cancelled.cancel();
  const cancellation = await cancelled.result().catch((e: unknown) => e);
  assert.ok(
    cancellation instanceof WorkflowFailedError && cancellation.cause instanceof CancelledFailure,
    `expected cancellation, got ${String(cancellation)}`,
  );

  const exported = await Promise.all([ok, failed, cancelled].map(exportRun));
  const log = worker.output();
  // The scan means something only if the artifacts hold what we expect to find in them.
  assert.match(exported[1]!, /UnauthorizedOperation/);
  assert.match(log, /InternalError|An internal error has occurred/, 'the worker logged the retried 5xx errors');
  for (const i of [0, 1]) assert.match(exported[i]!, /answered HTTP 404/, 'the refused notification is in the history');
  assert.ok(
    receiver.deliveries.every((d) => d.verified && d.headers['x-golden-image-signature']),
    'the deliveries were signed',
  );

  const artifacts: Record<string, string> = {
    'succeeded run': exported[0]!,
    'failed run': exported[1]!,
    'cancelled run': exported[2]!,
    'worker stdout/stderr': log,
  };
  for (const [where, content] of Object.entries(artifacts)) {
    const haystack = content.toLowerCase();
    for (const needle of NEEDLES) {
      assert.ok(!haystack.includes(needle.toLowerCase()), `${needle} appears in the ${where}`);
      const b64 = Buffer.from(needle).toString('base64').replace(/=+$/, '');
      assert.ok(!content.includes(b64), `${needle}, base64-encoded, appears in the ${where}`);
    }
  }
});
