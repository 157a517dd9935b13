/**
 * Fault 3: a throttling storm. Twenty pipelines at once (sixteen AMI pipelines and four AppStream
 * updates) against a sandbox whose token buckets are ten times smaller than AWS's, EC2 and AppStream
 * alike. Every run succeeds with exactly one image, and no throttling error escapes as a failure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPipeline } from '../client/start-pipeline';
import { APPSTREAM_GOLDEN_IMAGE_NAME } from '@golden-image/aws-sandbox';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import type { AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import { awaitOutcome } from '../client/runs';
import { callTotal, checkSandbox } from './support/sandbox-state';
import { appStreamCount, ec2Count, setAppStreamUpdateAvailable } from './support/scenarios';
import { stackForThisFile } from './support/stack';

const stack = stackForThisFile();

const AMI_RUNS = 16;
const APPSTREAM_RUNS = 4;

test(
  `a throttling storm: ${AMI_RUNS + APPSTREAM_RUNS} concurrent pipelines on buckets 10x smaller than AWS's all succeed`,
  { timeout: 600_000 },
  async (t) => {
    await stack.admin.reset({ profile: 'test', durations: { image: 3_000, appStreamImage: 3_000 } });
    // RunInstances' bucket at a tenth of AWS's is below one token: launch the build instances first.
    const builds = await stack.launchInstances('windows', AMI_RUNS);
    await setAppStreamUpdateAvailable(stack.sandboxUrl, APPSTREAM_GOLDEN_IMAGE_NAME);
    await stack.admin.configure({ throttling: { enabled: true, scale: 0.1 } });
    await stack.admin.resetCalls();

    const wait = { interval: '500ms', timeout: '10m' };
    const started = Date.now();
    const handles = await Promise.all([
      ...builds.map((instanceId, i) =>
        startPipeline(
          stack.env.client,
          'ami',
          { name: `storm-${i}`, instanceId, waits: { image: wait }, retention: { keep: 1 } },
          { taskQueue: stack.taskQueue },
        ),
      ),
      ...Array.from({ length: APPSTREAM_RUNS }, (_, i) =>
        startPipeline(
          stack.env.client,
          'appstream-update',
          {
            name: `storm-appstream-${i}`,
            existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
            newImageName: '{{pipeline}}-{{run}}',
            waits: { image: wait },
          },
          { taskQueue: stack.taskQueue },
        ),
      ),
    ]);
    const outcomes = await Promise.all(handles.map((h) => awaitOutcome<AmiPipelineResult | AppStreamImageUpdateResult>(h)));
    const seconds = (Date.now() - started) / 1000;
    const calls = await stack.admin.calls();
    // Back to AWS's sizes, so the checks below are not throttled.
    await stack.admin.configure({ throttling: { enabled: true, scale: 1 } });

    assert.deepEqual(
      outcomes.filter((o) => o.status !== 'COMPLETED'),
      [],
      'no run failed',
    );
    const amis = outcomes.slice(0, AMI_RUNS).map((o) => (o.result as AmiPipelineResult).imageId);
    const appStreamImages = outcomes.slice(AMI_RUNS).map((o) => (o.result as AppStreamImageUpdateResult & { updated: true }).imageName);
    await checkSandbox(stack.admin, { amis, appStreamImages });
    const ec2Throttled = Object.values(calls.ec2).reduce((sum, c) => sum + c.throttled, 0);
    const appStreamThrottled = Object.values(calls.appstream).reduce((sum, c) => sum + c.throttled, 0);
    assert.ok(ec2Throttled > 0, 'EC2 throttled some calls');
    assert.ok(appStreamThrottled > 0, 'AppStream throttled some calls');
    assert.equal(
      ec2Count(calls, 'CreateImage') - ec2Count(calls, 'CreateImage', 'throttled'),
      AMI_RUNS,
      'one CreateImage got through per AMI run',
    );
    assert.equal(
      appStreamCount(calls, 'CreateUpdatedImage') - appStreamCount(calls, 'CreateUpdatedImage', 'throttled'),
      2 * APPSTREAM_RUNS,
      'one dry run and one CreateUpdatedImage got through per AppStream run',
    );
    t.diagnostic(
      `${outcomes.length} runs completed in ${seconds.toFixed(1)} s; ${callTotal(calls, 'total')} AWS calls, ${ec2Throttled} EC2 and ${appStreamThrottled} AppStream calls throttled; ` +
        `CreateImage ${ec2Count(calls, 'CreateImage')} sent (${ec2Count(calls, 'CreateImage', 'throttled')} throttled)`,
    );
  },
);
