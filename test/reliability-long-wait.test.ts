/**
 * Fault 5: a long wait. One AMI wait polled hundreds of times (the image takes minutes in the sandbox,
 * the poll interval is 100 ms) against a wait of one poll: the run succeeds and its history has exactly
 * as many events. Polls are counted from the history itself: the wait activity's last attempt number.
 *
 * The dev server fires timers no earlier than a second ahead (history.timerProcessorMaxTimeShift), which
 * would pace retry-as-poll at one poll a second; this file's server fires them at their time instead.
 * The worker's waits describe on their own (per-run), so the retry policy alone paces the polls.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startPipeline } from '../client/start-pipeline';
import { historyEventCount, waitAttempts } from './support/runs';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { checkSandbox } from './support/sandbox-state';
import { startScenarioWorker, type ScenarioWorker } from './support/scenario-worker';
import { startTemporal } from './support/temporal';

let env: TestWorkflowEnvironment;
let sandbox: OwnSandbox;
let worker: ScenarioWorker;

before(async () => {
  [env, sandbox] = await Promise.all([
    startTemporal(undefined, ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="10ms"']),
    startOwnSandbox(),
  ]);
  worker = await startScenarioWorker(env, sandbox.url, `long-wait-${process.pid}`, 'per-run');
});
after(async () => {
  await worker?.stop();
  await env?.teardown();
  await sandbox?.close();
});

async function runWithImageTaking(imageMs: number, name: string) {
  await sandbox.admin.configure({ durations: { image: imageMs } });
  const [instanceId] = await sandbox.launchInstances('windows', 1);
  const handle = await startPipeline(
    env.client,
    'ami',
    { name, instanceId, waits: { image: { interval: '100ms', timeout: '10m' } } },
    { taskQueue: worker.taskQueue },
  );
  const started = Date.now();
  const result = (await handle.result()) as { imageId: string };
  return {
    imageId: result.imageId,
    seconds: (Date.now() - started) / 1000,
    polls: await waitAttempts(handle),
    events: await historyEventCount(handle),
  };
}

test('a wait of hundreds of polls has the same history size as a wait of one poll', { timeout: 300_000 }, async (t) => {
  const quick = await runWithImageTaking(0, 'one-poll');
  const long = await runWithImageTaking(100_000, 'long-wait');
  assert.equal(quick.polls, 1);
  assert.ok(long.polls >= 300, `expected hundreds of polls, got ${long.polls}`);
  assert.equal(long.events, quick.events, 'history size does not grow with polls');
  await checkSandbox(sandbox.admin, { amis: [quick.imageId, long.imageId] });
  t.diagnostic(
    `1 poll: ${quick.events} events; ${long.polls} polls over ${long.seconds.toFixed(1)} s (${(long.polls / long.seconds).toFixed(1)}/s): ${long.events} events`,
  );
});
