/**
 * amiPipeline end to end: a real Temporal dev server, the sandbox over HTTP, the real AWS SDK.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DescribeImagesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { PIPELINE, RESOURCES, STAGE } from '../contracts/search-attributes';
import { HOME_ACCOUNT, HOME_REGION, laneQueue } from '../contracts/rate-lanes';
import { imagesOfPipeline, mutatingCalls } from './support/aws-checks';
import { failureOf, historyEventCount, recordHistory, rolloutCounts, stageIs, waitAttempts, waitForProgress } from './support/runs';
import { freshSandbox, stackForThisFile } from './support/stack';
import { spawnWorker } from './support/worker-process';

const stack = stackForThisFile();
let buildInstance: string;

beforeEach(async () => {
  buildInstance = await freshSandbox(stack);
});

const FAST = { image: { interval: '200ms', timeout: '2m' } };

function start(config: Partial<AmiPipelineConfig>, taskQueue = stack.taskQueue, workflowId?: string): ReturnType<typeof startPipeline> {
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'web-golden', instanceId: buildInstance, waits: FAST, ...config },
    { taskQueue, workflowId },
  );
}

describe('amiPipeline', () => {
  test('happy path: an available, tagged AMI, with the run observable in the UI', async () => {
    const handle = await start(
      {
        tags: { team: 'web' },
        blockDeviceMappings: [{ deviceName: '/dev/sda1', volumeInitializationRate: 200 }],
      },
      stack.taskQueue,
      'ami-pipeline-create-wait',
    );
    const result = (await handle.result()) as AmiPipelineResult;

    assert.match(result.imageId, /^ami-[0-9a-f]{17}$/);
    assert.match(result.imageName, /^web-golden-\d{8}-\d{6}-[0-9a-f]{8}$/);
    assert.ok(result.timings['create']! >= 0 && result.timings['wait-available']! > 0);

    const [image] = (await stack.ec2.send(new DescribeImagesCommand({ ImageIds: [result.imageId] }))).Images ?? [];
    assert.equal(image?.State, 'available');
    assert.equal(image?.Name, result.imageName);
    const tags = Object.fromEntries((image?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(tags['team'], 'web');
    assert.equal(tags['golden-image:pipeline'], 'web-golden');
    assert.equal(tags['golden-image:run-id'], handle.firstExecutionRunId);
    assert.equal(image?.BlockDeviceMappings?.[0]?.Ebs?.VolumeInitializationRate, 200);
    assert.match(tags['golden-image:released'] ?? '', /^\d{4}-\d\d-\d\dT/, 'the finished run marked its image released');
    assert.deepEqual(await mutatingCalls(stack), { CreateImage: 1, CreateTags: 1 });

    // What the Temporal UI shows: summary, search attributes, current details, activity summaries.
    const description = await handle.describe();
    assert.equal(await description.staticSummary(), `AMI pipeline **web-golden**: image from \`${buildInstance}\``);
    assert.equal(description.typedSearchAttributes.get(PIPELINE), 'web-golden');
    assert.equal(description.typedSearchAttributes.get(STAGE), 'wait-available');
    assert.deepEqual(description.typedSearchAttributes.get(RESOURCES), [result.imageId]);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /\| create \| ✔ succeeded \|/);
    assert.match(metadata.currentDetails ?? '', /\| wait-available \| ✔ succeeded \|/);
    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => defaultPayloadConverter.fromPayload<string>(e.userMetadata!.summary!));
    assert.deepEqual(summaries, [
      `check build instance ${buildInstance}`,
      `CreateImage ${result.imageName} from ${buildInstance}`,
      `wait until ${result.imageId} is available`,
      `mark ${result.imageId} released`,
      // The completed notification: scheduled by every run that has not turned notifications off.
      'notify completed',
    ]);
    // The rate governor sent the mutating calls from their buckets' lanes, the rest from the run's own queue.
    const queues = (history.events ?? []).flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes;
      return scheduled ? [`${scheduled.activityType?.name} ${scheduled.taskQueue?.name}`] : [];
    });
    assert.deepEqual(queues, [
      `describeBuildInstance ${stack.taskQueue}`,
      `createImage ${laneQueue(stack.taskQueue, 'mutating', HOME_ACCOUNT, HOME_REGION)}`,
      `waitForImageAvailable ${stack.taskQueue}`,
      `tagImage ${laneQueue(stack.taskQueue, 'CreateTags', HOME_ACCOUNT, HOME_REGION)}`,
      `notify ${stack.taskQueue}`,
    ]);
    await recordHistory(handle, 'ami-pipeline-create-wait');
  });

  test('an image that ends failed fails the run non-retryably with its StateReason, and is deregistered', async () => {
    await stack.admin.fail({ kind: 'image', next: true, code: 'Client.InternalError', message: 'Client error on snapshot creation' });
    const handle = await start({});
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'ImageFailed');
    assert.equal(failure.nonRetryable, true);
    assert.match(
      failure.message,
      /^wait-available: image ami-[0-9a-f]+ is failed: Client\.InternalError: Client error on snapshot creation$/,
    );
    assert.deepEqual(await imagesOfPipeline(stack, 'web-golden'), [], 'the failed image is deregistered');
    assert.equal((await mutatingCalls(stack))['DeregisterImage'], 1);
  });

  test('throttling storms and 5xx bursts are retried and the run still succeeds, with one AMI', async () => {
    const instances = [buildInstance, await stack.launchInstance('windows'), await stack.launchInstance('windows')];
    await stack.admin.configure({ durations: { image: 8_000 } });
    await stack.admin.fault({
      service: 'ec2',
      action: 'DescribeImages',
      count: 6,
      error: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
    });
    await stack.admin.fault({
      service: 'ec2',
      action: 'CreateImage',
      count: 2,
      error: { code: 'InternalError', status: 500, message: 'An internal error has occurred' },
    });
    await stack.admin.fault({
      service: 'ec2',
      action: 'DescribeInstances',
      count: 2,
      error: { code: 'Unavailable', status: 503, message: 'The server is overloaded' },
    });
    const handles = await Promise.all(
      instances.map((instanceId, i) => start({ name: `storm-${i}`, instanceId, waits: { image: { interval: '100ms', timeout: '2m' } } })),
    );
    // Once all three poll, shrink EC2's buckets 100x (to one token, refilled every 5 s): even the shared
    // watcher's one describe a second then outruns the refill, so EC2 throttles for real.
    await Promise.all(handles.map((h) => waitForProgress(h, stageIs('wait-available', 'running'))));
    await stack.admin.configure({ throttling: { enabled: true, scale: 0.01 } });
    const results = (await Promise.all(handles.map((h) => h.result()))) as AmiPipelineResult[];
    // Back to AWS's sizes, so the test's own describes below are not throttled.
    await stack.admin.configure({ throttling: { enabled: true, scale: 1 } });
    for (const [i, result] of results.entries()) {
      assert.deepEqual(
        (await imagesOfPipeline(stack, `storm-${i}`)).map((image) => image.ImageId),
        [result.imageId],
      );
    }
    const calls = await stack.admin.calls();
    assert.equal(calls.ec2['CreateImage']?.faulted, 2);
    assert.equal(calls.ec2['CreateImage']?.total, 3 + 2, 'one CreateImage per run, plus the two that failed with 500');
    assert.equal(calls.ec2['DescribeImages']?.faulted, 6);
    assert.ok((calls.ec2['DescribeImages']?.throttled ?? 0) > 0, 'the small buckets really throttled some describes');
  });

  test('the eventual-consistency NotFound window after CreateImage is tolerated', async () => {
    await stack.admin.configure({ notFoundWindowMs: 1_500 });
    const handle = await start({});
    const result = (await handle.result()) as AmiPipelineResult;
    assert.equal((await imagesOfPipeline(stack, 'web-golden'))[0]?.ImageId, result.imageId);
  });

  test('root-volume tasks unseen for a while after create (EC2 is eventually consistent): the rollout waits, not fails', async () => {
    const fleet = await stack.launchInstances('windows', 2);
    await stack.admin.configure({ notFoundWindowMs: 1_500 });
    const handle = await start({
      rollout: { instanceIds: fleet, concurrency: 2 },
      waits: { ...FAST, rootVolume: { interval: '200ms', timeout: '2m' } },
    });
    const result = (await handle.result()) as AmiPipelineResult;
    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: fleet.length }, 'every wait saw its task succeed');
    const tasks = (await stack.admin.state()).replaceRootVolumeTasks;
    assert.deepEqual(tasks.map((task) => task.instanceId).sort(), fleet);
  });

  test('bad input: a clear error and zero mutating AWS calls', async () => {
    const terminated = await stack.launchInstance('linux');
    await stack.ec2.send(new TerminateInstancesCommand({ InstanceIds: [terminated] }));
    await stack.admin.resetCalls();
    const cases: [string, Partial<AmiPipelineConfig>, string, RegExp][] = [
      ['malformed instance ID', { instanceId: 'i-12345' }, 'InvalidInput', /instanceId: must be an EC2 instance ID/],
      [
        'rate below 100',
        { blockDeviceMappings: [{ deviceName: '/dev/sda1', volumeInitializationRate: 50 }] },
        'InvalidInput',
        /between 100 and 300/,
      ],
      [
        'rate above 300',
        { blockDeviceMappings: [{ deviceName: '/dev/sda1', volumeInitializationRate: 301 }] },
        'InvalidInput',
        /between 100 and 300/,
      ],
      ['reserved tag prefix', { tags: { 'aws:cost-center': 'x' } }, 'InvalidInput', /"aws:" prefix is reserved/],
      ['bad pipeline name', { name: 'web golden' }, 'InvalidInput', /name: must be 1-63 letters/],
      ['unknown instance', { instanceId: 'i-0fedcba9876543210' }, 'InvalidInstanceID.NotFound', /i-0fedcba9876543210/],
      [
        'terminated instance',
        { instanceId: terminated },
        'IncorrectInstanceState',
        /is (terminated|shutting-down); CreateImage needs a running or stopped instance/,
      ],
    ];
    for (const [label, config, type, message] of cases) {
      // Straight to the workflow, past the CLI's own check: the workflow must refuse it too.
      const handle = await stack.env.client.workflow.start('amiPipeline', {
        args: [{ name: 'web-golden', instanceId: buildInstance, waits: FAST, ...config }],
        taskQueue: stack.taskQueue,
        workflowId: `bad-input-${label.replaceAll(' ', '-')}`,
      });
      const failure = await failureOf(handle);
      assert.equal(failure.type, type, label);
      assert.equal(failure.nonRetryable, true, label);
      assert.match(failure.message, message, label);
    }
    assert.deepEqual(await mutatingCalls(stack), {}, 'no mutating call was made');
  });

  test('the worker killed hard mid-wait: a new worker finishes the run, with exactly one AMI', async () => {
    await stack.admin.configure({ durations: { image: 6_000 } });
    const taskQueue = `${stack.taskQueue}-crash`;
    const workerOptions = { temporalAddress: stack.env.address, sandboxUrl: stack.sandboxUrl, taskQueue };
    const first = spawnWorker(workerOptions);
    const handle = await start({ waits: { image: { interval: '300ms', timeout: '2m' } } }, taskQueue);
    await waitForProgress(handle, stageIs('wait-available', 'running'), 60_000);
    await first.kill();
    const second = spawnWorker(workerOptions);
    try {
      const result = (await handle.result()) as AmiPipelineResult;
      assert.deepEqual(
        (await imagesOfPipeline(stack, 'web-golden')).map((i) => i.ImageId),
        [result.imageId],
      );
      assert.equal((await stack.admin.calls()).ec2['CreateImage']?.total, 1);
    } finally {
      await second.kill();
    }
  });

  test('cancel mid-wait: the run is cancelled and no image is left behind', async () => {
    await stack.admin.configure({ durations: { image: 30_000 } });
    const handle = await start({});
    const progress = await waitForProgress(handle, stageIs('wait-available', 'running'));
    const [imageId] = progress.resources;
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected cancellation, got ${String(err)}`);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    const state = await stack.admin.state();
    const image = state.images.find((i) => i.id === imageId);
    assert.ok(!image || image.state === 'deregistered', `image ${imageId} is ${image?.state}`);
    assert.deepEqual(
      state.snapshots.filter((s) => image?.snapshotIds.includes(s.id)),
      [],
      'its snapshots are deleted',
    );
  });

  test('concurrent waits share one watcher: ten runs waiting share each describe', async () => {
    const instances = await stack.launchInstances('windows', 10);
    await stack.admin.configure({ durations: { image: 6_000 } });
    await stack.admin.resetCalls();
    const handles = await Promise.all(
      // The governor paces the creates (5 a second), so the waits start up to a few seconds apart: a 1 s
      // beat still gathers them, where a 100 ms one would catch each on its own.
      instances.map((instanceId, i) => start({ name: `shared-${i}`, instanceId, waits: { image: { interval: '1s', timeout: '2m' } } })),
    );
    const started = Date.now();
    await Promise.all(handles.map((h) => h.result()));
    const seconds = (Date.now() - started) / 1000;
    const describes = (await stack.admin.calls()).ec2['DescribeImages']?.total ?? 0;
    const polls = await Promise.all(handles.map((h) => waitAttempts(h)));
    const allPolls = polls.reduce((a, b) => a + b, 0);
    console.log(
      `10 concurrent waits over ${seconds.toFixed(1)} s: ${allPolls} polls answered by ${describes} DescribeImages (per-run polling: one each)`,
    );
    // The waits fall into step and share the watcher's describes: several polls per describe, where per-run polling makes one each.
    assert.ok(
      describes * 3 <= allPolls,
      `expected at least 3 polls answered per describe, got ${allPolls} polls for ${describes} describes`,
    );
  });

  test('history size does not grow with the number of polls (1 poll vs 50 polls)', { timeout: 120_000 }, async () => {
    const polls = async (durationMs: number) => {
      await stack.admin.configure({ durations: { image: durationMs } });
      const handle = await start({ name: `polls-${durationMs}`, waits: { image: { interval: '100ms', timeout: '2m' } } });
      await handle.result();
      return { polls: await waitAttempts(handle), events: await historyEventCount(handle) };
    };
    const quick = await polls(0);
    // The dev server fires retry timers about once a second, so 50 polls take about 50 s.
    const slow = await polls(52_000);
    console.log(`history events: ${quick.events} after ${quick.polls} poll(s), ${slow.events} after ${slow.polls} polls`);
    assert.equal(quick.polls, 1);
    assert.ok(slow.polls >= 50, `expected at least 50 polls, got ${slow.polls}`);
    assert.equal(slow.events, quick.events);
  });
});
