/**
 * Fault 4: 5xx bursts and network errors on every describe and every mutating call the AMI pipeline
 * makes. Each scenario runs the whole pipeline (create, wait, fast launch, rollout, retention) with one
 * action failing: 500, 500, 503, then two connection resets in a row; or a response that never comes;
 * or CreateImage's answer lost after the image was made. The run succeeds, each mutating call takes
 * effect exactly once, and a hung call is cut off and retried. Every scenario has its own sandbox and worker, so they run side by side.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startPipeline } from '../client/start-pipeline';
import { FAST_LAUNCH_TEMPLATE_NAME, type CallCounts, type FaultInput } from '@golden-image/aws-sandbox';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { failureOf, rolloutCounts } from './support/runs';
import { checkSandbox } from './support/sandbox-state';
import { startScenarioWorker } from './support/scenario-worker';
import { ec2Count, FAST_WAITS, resultWithin, seedPipelineImages, untilCalls } from './support/scenarios';
import { temporalForThisFile } from './support/temporal';

const temporal = temporalForThisFile();

/** What a full run makes, once each: these counts minus the injected failures must come out exactly. */
const MUTATING = { CreateImage: 1, EnableFastLaunch: 1, CreateReplaceRootVolumeTask: 2, DisableFastLaunch: 1, DeregisterImage: 1 };

/**
 * Runs the whole pipeline on a sandbox of its own: one earlier image with fast launch (for retention),
 * two fleet instances. `inject` adds the faults once the run has started; returns when the run is checked.
 */
async function fullPipelineWith(
  name: string,
  inject: (sandbox: OwnSandbox) => Promise<void>,
  verify?: (calls: CallCounts) => void,
): Promise<void> {
  const sandbox = await startOwnSandbox();
  const worker = await startScenarioWorker(temporal(), sandbox.url, `faults-${name}-${process.pid}`);
  try {
    const [build] = await sandbox.launchInstances('windows', 1);
    const fleet = await sandbox.launchInstances('windows', 2, { fleet: 'web' });
    const [earlier] = await seedPipelineImages(sandbox, name, build!, 1, true);
    await sandbox.admin.configure({ durations: { image: 3_000 } });
    await sandbox.admin.resetCalls();
    const handle = await startPipeline(
      temporal().client,
      'ami',
      {
        name,
        instanceId: build,
        fastLaunch: { launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME } },
        rollout: { instanceIds: fleet, concurrency: 2 },
        retention: { keep: 1 },
        waits: FAST_WAITS,
      },
      { taskQueue: worker.taskQueue },
    );
    await inject(sandbox);
    const result = await resultWithin<AmiPipelineResult>(handle, 150_000);

    const calls = await sandbox.admin.calls();
    const effective = Object.fromEntries(Object.keys(MUTATING).map((a) => [a, ec2Count(calls, a) - ec2Count(calls, a, 'faulted')]));
    assert.deepEqual(effective, MUTATING, 'each mutating call took effect exactly once');
    verify?.(calls);
    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: 2 });
    assert.deepEqual(result.retired, [earlier]);
    await checkSandbox(sandbox.admin, { amis: [result.imageId], tasksPerInstance: Object.fromEntries(fleet.map((id) => [id, 1])) });
  } finally {
    // Closing the sandbox first drops any call still hanging, so the worker's activities end and it can stop.
    await sandbox.close();
    await worker.stop();
  }
}

const DESCRIBES = [
  'DescribeInstances',
  'DescribeLaunchTemplates',
  'DescribeImages',
  'DescribeFastLaunchImages',
  'DescribeReplaceRootVolumeTasks',
];
const MUTATIONS = Object.keys(MUTATING);

/** A burst: two 500s, a 503, then two connections reset without an answer, on consecutive calls of the action. */
const burst = (action: string): FaultInput[] => [
  { service: 'ec2', action, count: 2, error: { code: 'InternalError', status: 500, message: 'An internal error has occurred' } },
  { service: 'ec2', action, count: 1, error: { code: 'Unavailable', status: 503, message: 'The server is overloaded' } },
  { service: 'ec2', action, count: 2, reset: true },
];

describe(
  '5xx bursts and connection resets on every call of amiPipeline: the run succeeds, each change made once',
  { concurrency: true },
  () => {
    for (const action of [...DESCRIBES, ...MUTATIONS]) {
      test(action, (t) =>
        fullPipelineWith(
          `burst-${action.toLowerCase()}`,
          async (sandbox) => {
            for (const fault of burst(action)) await sandbox.admin.fault(fault);
          },
          (calls) => {
            // The whole burst was used up: five failed calls, each retried.
            assert.equal(ec2Count(calls, action, 'faulted'), 5);
            t.diagnostic(`${action}: 5 failed calls, ${ec2Count(calls, action)} sent in all`);
          },
        ),
      );
    }
  },
);

interface HangCase {
  label: string;
  action: string;
  count: number;
  /** Inject only once this many calls of the action were made (to hit a wait's describe, not a look-up). */
  after?: { action: string; count: number };
}

const HANGS: HangCase[] = [
  {
    label: 'a describe inside the image wait never answers',
    action: 'DescribeImages',
    count: 1,
    after: { action: 'CreateImage', count: 1 },
  },
  { label: 'CreateImage never answers', action: 'CreateImage', count: 1 },
  { label: 'CreateReplaceRootVolumeTask never answers, for both instances at once', action: 'CreateReplaceRootVolumeTask', count: 2 },
];

describe('a response that never comes: the hung call is cut off and retried, and the run succeeds', { concurrency: true }, () => {
  for (const hang of HANGS) {
    test(hang.label, (t) =>
      fullPipelineWith(`hang-${hang.action.toLowerCase()}`, async (sandbox) => {
        if (hang.after) await untilCalls(sandbox.admin, (c) => ec2Count(c, hang.after!.action) >= hang.after!.count);
        await sandbox.admin.fault({ service: 'ec2', action: hang.action, count: hang.count, hang: true });
        const answeredCalls = (c: CallCounts) => ec2Count(c, hang.action) - ec2Count(c, hang.action, 'faulted');
        const first = await untilCalls(sandbox.admin, (c) => ec2Count(c, hang.action, 'faulted') >= 1);
        // The SDK's request timeout (10 s), or else the 30 s attempt timeout, cuts the hung call off; an answered call must follow.
        const answered = await untilCalls(sandbox.admin, (c) => answeredCalls(c) > answeredCalls(first.calls), 40_000);
        const seconds = (answered.at - first.at) / 1000;
        t.diagnostic(`${hang.action} hung ${hang.count}x: answered ${seconds.toFixed(1)} s after the first hung request`);
      }),
    );
  }
});

test("CreateImage takes effect but its answer is lost: the retry finds the name taken and adopts this run's image", () =>
  fullPipelineWith(
    'lost-createimage',
    (sandbox) => sandbox.admin.fault({ service: 'ec2', action: 'CreateImage', count: 1, loseAnswer: true }),
    (calls) => {
      // The lost call made the image; the retry was refused as a duplicate name, and the name look-up found it.
      assert.equal(ec2Count(calls, 'CreateImage', 'faulted'), 1);
      assert.equal(ec2Count(calls, 'CreateImage'), 2);
    },
  ));

test('CreateImage takes effect, its answer is lost, and the create stage then fails: the run removes the image it made', async () => {
  const sandbox = await startOwnSandbox();
  const worker = await startScenarioWorker(temporal(), sandbox.url, `faults-lost-then-failed-${process.pid}`);
  try {
    const [build] = await sandbox.launchInstances('windows', 1);
    await sandbox.admin.resetCalls();
    // The resend is refused as a duplicate name; the look-up that would adopt the image is then denied.
    await sandbox.admin.fault({ service: 'ec2', action: 'CreateImage', count: 1, loseAnswer: true });
    await sandbox.admin.fault({
      service: 'ec2',
      action: 'DescribeImages',
      count: 1,
      error: { code: 'UnauthorizedOperation', status: 403, message: 'You are not authorized to perform this operation.' },
    });
    const handle = await startPipeline(
      temporal().client,
      'ami',
      { name: 'lost-then-failed', instanceId: build, waits: FAST_WAITS },
      { taskQueue: worker.taskQueue },
    );
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'UnauthorizedOperation');
    assert.match(failure.message, /^create: /);
    const calls = await sandbox.admin.calls();
    assert.equal(ec2Count(calls, 'CreateImage'), 2, 'the lost call that made the image, and the resend refused as a duplicate');
    await checkSandbox(sandbox.admin, { amis: [] });
  } finally {
    await sandbox.close();
    await worker.stop();
  }
});
