/**
 * The rate governor: mutating EC2 calls leave at the rate AWS refills their bucket, across worker
 * processes. The sandbox's buckets are scaled to a fifth of AWS's (mutating: 10 tokens, 1 a second),
 * the workers are told the same rates, and more pipelines start at once than the bucket holds. With
 * two worker processes on one task queue, not one call is throttled; with the governor off, the
 * same start is.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { governedPlaces, governorFromEnv, lanesOf } from '../activities/aws/rate-governor';
import { awaitOutcome } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import { laneQueue } from '../contracts/rate-lanes';
import { callTotal } from './support/sandbox-state';
import { ec2Count } from './support/scenarios';
import { startStack, type Stack } from './support/stack';
import { spawnWorker, type WorkerProcess } from './support/worker-process';

const SCALE = 0.2;
/** AWS's refill rates times SCALE, so a worker sends no faster than the scaled buckets refill. */
const SCALED_RATES = 'mutating=1,RunInstances=0.4,CopyImage=0.2,CreateTags=2,EnableFastLaunch=0.4,DisableFastLaunch=0.4';
/** More creates at once than the scaled mutating bucket (10) holds. */
const RUNS = 16;

test('settings from the environment: defaults, lists and rates, and a clear error for each bad value', () => {
  assert.deepEqual(governorFromEnv({}), { regions: [], accounts: [], rates: {} });
  assert.equal(governorFromEnv({ GOLDEN_IMAGE_RATE_GOVERNOR: 'off' }), false);
  assert.deepEqual(
    governorFromEnv({
      GOLDEN_IMAGE_GOVERNED_REGIONS: 'us-west-2, eu-west-1,us-west-2',
      GOLDEN_IMAGE_GOVERNED_ACCOUNTS: '444455556666',
      GOLDEN_IMAGE_EC2_RATES: 'mutating=10, CopyImage=0.5',
    }),
    { regions: ['us-west-2', 'eu-west-1'], accounts: ['444455556666'], rates: { mutating: 10, CopyImage: 0.5 } },
  );
  const refused: [NodeJS.ProcessEnv, RegExp][] = [
    [{ GOLDEN_IMAGE_RATE_GOVERNOR: 'maybe' }, /GOLDEN_IMAGE_RATE_GOVERNOR must be on or off, not maybe/],
    [{ GOLDEN_IMAGE_GOVERNED_REGIONS: 'us-west-2,Oregon' }, /GOLDEN_IMAGE_GOVERNED_REGIONS .*not Region codes: Oregon/],
    [{ GOLDEN_IMAGE_GOVERNED_ACCOUNTS: '1234' }, /GOLDEN_IMAGE_GOVERNED_ACCOUNTS .*not 12-digit account IDs: 1234/],
    [{ GOLDEN_IMAGE_EC2_RATES: 'DescribeImages=20' }, /unknown bucket DescribeImages; the buckets are mutating, RunInstances/],
    [{ GOLDEN_IMAGE_EC2_RATES: 'mutating=0' }, /mutating needs calls per second above 0 \(such as mutating=5\), not 0/],
    [{ GOLDEN_IMAGE_EC2_RATES: 'mutating' }, /mutating needs calls per second above 0/],
  ];
  for (const [env, message] of refused) assert.throws(() => governorFromEnv(env), message);
});

test('lanes: every bucket at home and in every governed Region of every governed account, at its rate', () => {
  const settings = { regions: ['us-west-2', 'us-east-1'], accounts: ['444455556666'], rates: { CopyImage: 3 } };
  const lanes = lanesOf(settings, 'q', 'us-east-1');
  assert.equal(lanes.length, 2 * 2 * 6, 'the home Region is listed once, as home');
  const rate = (queue: string) => lanes.find((l) => l.taskQueue === queue)?.perSecond;
  assert.equal(rate(laneQueue('q', 'mutating', 'self', 'home')), 5, "AWS's refill rate by default");
  assert.equal(rate(laneQueue('q', 'CopyImage', '444455556666', 'us-west-2')), 3, 'a rate the settings give');
  assert.equal(rate(laneQueue('q', 'RunInstances', 'self', 'us-west-2')), 2);
  assert.deepEqual(governedPlaces(settings, 'us-east-1'), { regions: ['us-west-2'], accounts: ['444455556666'] });
  // Off: the home lanes are still polled, for the runs that send there, with no limit; nothing else is.
  assert.deepEqual(
    lanesOf(false, 'q', 'us-east-1').map((l) => l.perSecond),
    Array(6).fill(undefined),
  );
  assert.equal(governedPlaces(false, 'us-east-1'), null);
});

let stack: Stack;
before(async () => {
  stack = await startStack();
  // The pipelines run on the worker processes below, on their own task queue.
  await stack.stopWorker();
});
after(() => stack.close());

async function startAtOnce(prefix: string, taskQueue: string): Promise<{ calls: Awaited<ReturnType<Stack['admin']['calls']>> }> {
  await stack.admin.configure({ throttling: { enabled: false } });
  const builds = await stack.launchInstances('linux', RUNS);
  await stack.admin.configure({ throttling: { enabled: true, scale: SCALE } });
  await stack.admin.resetCalls();
  const handles = await Promise.all(
    builds.map((instanceId, i) =>
      startPipeline(
        stack.env.client,
        'ami',
        { name: `${prefix}-${i}`, instanceId, waits: { image: { interval: '1s', timeout: '5m' } } },
        { taskQueue },
      ),
    ),
  );
  const outcomes = await Promise.all(handles.map((h) => awaitOutcome(h)));
  const calls = await stack.admin.calls();
  await stack.admin.configure({ throttling: { enabled: true, scale: 1 } });
  assert.deepEqual(
    outcomes.filter((o) => o.status !== 'COMPLETED'),
    [],
    'every run completed',
  );
  return { calls };
}

async function startWorkers(taskQueue: string, env: Record<string, string>, count = 2): Promise<WorkerProcess[]> {
  const workers = Array.from({ length: count }, () =>
    spawnWorker({ temporalAddress: stack.env.address, sandboxUrl: stack.sandboxUrl, taskQueue, env }),
  );
  // All poll the mutating lane before the first run starts, so each could take its whole share.
  const lane = laneQueue(taskQueue, 'mutating', 'self', 'home');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { pollers } = await stack.env.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: {
        name: env.GOLDEN_IMAGE_RATE_GOVERNOR === 'off' ? taskQueue : lane,
        kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    if (new Set(pollers?.map((p) => p.identity)).size >= count) return workers;
    for (const w of workers) if (w.child.exitCode !== null) throw new Error(`a worker exited: ${w.output()}`);
    if (Date.now() > deadline) throw new Error(`the workers did not all poll ${lane}: ${workers.map((w) => w.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test(
  `two worker processes, ${RUNS} creates at once into a bucket of 10: no call of any kind is throttled`,
  { timeout: 300_000 },
  async (t) => {
    const taskQueue = `${stack.taskQueue}-governed`;
    const workers = await startWorkers(taskQueue, { GOLDEN_IMAGE_EC2_RATES: SCALED_RATES });
    try {
      const started = Date.now();
      const { calls } = await startAtOnce('governed', taskQueue);
      assert.equal(callTotal(calls, 'throttled'), 0, 'no call was throttled');
      assert.equal(ec2Count(calls, 'CreateImage'), RUNS, 'exactly one CreateImage per run');
      t.diagnostic(
        `${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${callTotal(calls, 'total')} AWS calls, none throttled`,
      );
    } finally {
      await Promise.all(workers.map((w) => w.kill()));
    }
  },
);

test('the same start with the governor off is throttled (the control)', { timeout: 300_000 }, async (t) => {
  const taskQueue = `${stack.taskQueue}-ungoverned`;
  const workers = await startWorkers(taskQueue, { GOLDEN_IMAGE_RATE_GOVERNOR: 'off' });
  try {
    const { calls } = await startAtOnce('ungoverned', taskQueue);
    assert.ok(ec2Count(calls, 'CreateImage', 'throttled') > 0, 'CreateImage calls were throttled');
    t.diagnostic(`CreateImage ${ec2Count(calls, 'CreateImage')} sent, ${ec2Count(calls, 'CreateImage', 'throttled')} throttled`);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
});

test('copies: a Region with lanes gets its calls through them, one without is sent to at once', { timeout: 300_000 }, async () => {
  const taskQueue = `${stack.taskQueue}-copies`;
  const [worker] = await startWorkers(taskQueue, { GOLDEN_IMAGE_GOVERNED_REGIONS: 'us-west-2' }, 1);
  try {
    const [instanceId] = await stack.launchInstances('linux', 1);
    const handle = await startPipeline(
      stack.env.client,
      'ami',
      {
        name: 'governed-copies',
        instanceId: instanceId!,
        distribution: { regions: [{ region: 'us-west-2' }, { region: 'eu-west-1' }] },
        waits: { image: { interval: '1s', timeout: '5m' }, copy: { interval: '1s', timeout: '5m' } },
      },
      { taskQueue },
    );
    assert.equal((await awaitOutcome(handle)).status, 'COMPLETED');
    const queues = new Set(
      ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
        const s = e.activityTaskScheduledEventAttributes;
        return s && /createImage|copyImage/.test(s.activityType?.name ?? '') ? [`${s.activityType?.name} ${s.taskQueue?.name}`] : [];
      }),
    );
    assert.deepEqual(
      [...queues].sort(),
      [
        `copyImage ${laneQueue(taskQueue, 'CopyImage', 'self', 'us-west-2')}`,
        `copyImage ${taskQueue}`,
        `createImage ${laneQueue(taskQueue, 'mutating', 'self', 'home')}`,
      ].sort(),
    );
  } finally {
    await worker!.kill();
  }
});
