/**
 * The production worker's Prometheus endpoint serves the SDK's metrics and the pipeline's own:
 * runs by outcome, stage durations, and AWS calls by action and outcome.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { freePort } from '../dev/free-port';
import { startPipeline } from '../client/start-pipeline';
import { startStack, type Stack } from './support/stack';
import { spawnWorker, type WorkerProcess } from './support/worker-process';

let stack: Stack;
let worker: WorkerProcess;
let metricsUrl: string;

before(async () => {
  stack = await startStack();
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = spawnWorker({
    temporalAddress: stack.env.address,
    sandboxUrl: stack.sandboxUrl,
    taskQueue: `${stack.taskQueue}-metrics`,
    env: { GOLDEN_IMAGE_METRICS_ADDRESS: `127.0.0.1:${port}` },
  });
});
after(async () => {
  await worker?.kill();
  await stack?.close();
});

test('after a run, /metrics has the pipeline counters and timings', async () => {
  const instanceId = await stack.launchInstance('linux');
  const quick = { interval: '100ms', timeout: '2m' };
  const ok = await startPipeline(
    stack.env.client,
    'ami',
    { name: 'metrics-ok', instanceId, waits: { image: quick } },
    { taskQueue: `${stack.taskQueue}-metrics` },
  );
  await ok.result();
  // A launch template EC2 does not know: the run fails on EC2's own error, before anything is created.
  const windows = await stack.launchInstance('windows');
  const bad = await startPipeline(
    stack.env.client,
    'ami',
    { name: 'metrics-bad', instanceId: windows, fastLaunch: { launchTemplate: { name: 'no-such-template' } }, waits: { image: quick } },
    { taskQueue: `${stack.taskQueue}-metrics` },
  );
  await bad.result().catch(() => undefined);

  // The exporter is scraped, not pushed: give the SDK's metric pipeline a moment to catch up.
  let text = '';
  for (let i = 0; i < 40 && !/golden_image_runs\{[^}]*outcome="failed"/.test(text); i++) {
    text = await fetch(metricsUrl).then(
      (r) => r.text(),
      () => '',
    );
    await sleep(250);
  }
  const line = (pattern: RegExp) => text.split('\n').find((l) => pattern.test(l) && !l.startsWith('#'));
  assert.ok(
    line(/golden_image_runs\{(?=[^}]*outcome="completed")(?=[^}]*workflowType="amiPipeline")[^}]*\} 1$/),
    `completed run in:\n${text}`,
  );
  assert.ok(line(/golden_image_runs\{(?=[^}]*outcome="failed")[^}]*\} 1$/), 'failed run');
  assert.ok(
    line(/golden_image_stage_duration_count\{(?=[^}]*stage="wait-available")(?=[^}]*state="succeeded")[^}]*\} 1$/),
    'wait-available duration',
  );
  assert.ok(line(/golden_image_aws_calls\{(?=[^}]*action="CreateImage")(?=[^}]*outcome="ok")[^}]*\} 1$/), 'CreateImage ok');
  assert.ok(line(/golden_image_aws_calls\{(?=[^}]*action="DescribeImages")(?=[^}]*outcome="ok")[^}]*\} \d+$/), 'DescribeImages ok');
  assert.ok(
    line(/golden_image_aws_calls\{(?=[^}]*action="DescribeLaunchTemplates")(?=[^}]*outcome="error")[^}]*\} 1$/),
    'the unknown launch template as an error',
  );
  assert.ok(line(/^temporal_workflow_completed/), 'the SDK metrics are there too');
});
