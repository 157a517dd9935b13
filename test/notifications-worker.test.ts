/**
 * Notifications from the production worker as a real process, configured only through its environment:
 * its default webhook (for pipelines without a `notify:` block), its signing secret, and its metrics.
 * A worker killed right after its webhook was received sends the notification again from the next
 * worker, with the same delivery key, so a receiver that drops repeats acts on it once.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { freePort } from '../dev/free-port';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import { startStack, type Stack } from './support/stack';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { spawnWorker, type WorkerProcess } from './support/worker-process';

const SECRET = 'worker-webhook-secret-91c2';
const FAST = { interval: '100ms', timeout: '2m' };

let stack: Stack;
let receiver: WebhookReceiver;
let worker: WorkerProcess;
let metricsPort: number;
let taskQueue: string;

const startWorker = () =>
  spawnWorker({
    temporalAddress: stack.env.address,
    sandboxUrl: stack.sandboxUrl,
    taskQueue,
    env: {
      GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL: receiver.url,
      GOLDEN_IMAGE_WEBHOOK_SECRET: SECRET,
      GOLDEN_IMAGE_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    },
  });

before(async () => {
  stack = await startStack();
  receiver = await startWebhookReceiver(SECRET);
  metricsPort = await freePort();
  taskQueue = `${stack.taskQueue}-notify`;
  worker = startWorker();
});
after(async () => {
  await worker?.kill();
  await receiver?.close();
  await stack?.close();
});

const run = async (name: string) => {
  const instanceId = await stack.launchInstance('linux');
  const handle = await startPipeline(stack.env.client, 'ami', { name, instanceId, waits: { image: FAST } }, { taskQueue });
  return { handle, result: (await handle.result()) as AmiPipelineResult };
};

test('a worker killed right after its webhook was received: the next worker resends it, one distinct delivery', async () => {
  let killed = false;
  receiver.answer = async () => {
    if (!killed) {
      killed = true;
      await worker.kill();
      worker = startWorker();
    }
    return 200;
  };
  const { handle, result } = await run('notify-kill');
  assert.ok(killed, 'the worker was killed');
  assert.ok(receiver.deliveries.length >= 2, `sent again after the kill (${receiver.deliveries.length} requests)`);
  assert.deepEqual(
    receiver.distinct().map((d) => d.headers['x-golden-image-delivery']),
    [`${handle.workflowId}/completed`],
  );
  assert.ok(receiver.deliveries.every((d) => d.verified));
  const target = `http://${new URL(receiver.url).host}`;
  assert.deepEqual(result.notifications, [{ event: 'completed', channel: 'webhook', target, delivered: true, attempts: 2 }]);
});

test('a receiver that refuses a delivery (404): not retried, recorded in the result and in golden_image_notifications', async () => {
  receiver.deliveries.length = 0;
  receiver.answer = () => 404;
  const { result } = await run('notify-refused');
  const target = `http://${new URL(receiver.url).host}`;
  assert.deepEqual(result.notifications, [
    { event: 'completed', channel: 'webhook', target, delivered: false, attempts: 1, error: `webhook ${target} answered HTTP 404` },
  ]);
  assert.equal(receiver.deliveries.length, 1);

  const pattern = /^golden_image_notifications\{(?=[^}]*event="completed")(?=[^}]*channel="webhook")(?=[^}]*outcome="failed")[^}]*\} 1$/m;
  let text = '';
  for (let i = 0; i < 40 && !pattern.test(text); i++) {
    text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    await sleep(250);
  }
  assert.match(text, pattern);
});
