/**
 * State-changing calls whose answer is lost: the change is made, the connection drops, and the AWS SDK
 * resends the call inside the same activity attempt (so the attempt number says nothing). AWS then
 * refuses the resend, because the first call already took effect; the activity must read the state
 * again and report success. Here the fast-launch activities are called as the worker calls them, on a
 * sandbox of their own, through the real AWS SDK (two tries, like the worker's clients).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FAST_LAUNCH_TEMPLATE_NAME } from '@golden-image/aws-sandbox';
import { disableFastLaunch, enableFastLaunch } from '../activities/ec2/fast-launch';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { ec2Count, seedPipelineImages } from './support/scenarios';

let sandbox: OwnSandbox;
let build: string;

before(async () => {
  sandbox = await startOwnSandbox();
  [build] = (await sandbox.launchInstances('windows', 1)) as [string];
});
after(() => sandbox?.close());

async function fastLaunchOf(imageId: string): Promise<string | undefined> {
  return (await sandbox.admin.state()).fastLaunch.find((f) => f.imageId === imageId)?.state;
}

test('DisableFastLaunch: the answer is lost, fast launch is already off when the SDK resends it, and EC2 refuses: success', async () => {
  const [imageId] = await seedPipelineImages(sandbox, 'lost-disable', build, 1, true);
  // Disabling finishes at once, so the resend finds fast launch off ("not enabled").
  await sandbox.admin.configure({ durations: { fastLaunchDisable: 0 } });
  await sandbox.admin.resetCalls();
  await sandbox.admin.fault({ service: 'ec2', action: 'DisableFastLaunch', count: 1, loseAnswer: true });
  assert.equal(await disableFastLaunch(sandbox.ec2, imageId!), true);
  const calls = await sandbox.admin.calls();
  assert.deepEqual([ec2Count(calls, 'DisableFastLaunch'), ec2Count(calls, 'DisableFastLaunch', 'faulted')], [2, 1]);
  assert.notEqual(await fastLaunchOf(imageId!), 'enabled');
});

test('EnableFastLaunch: the answer is lost and the SDK resends it: success, and fast launch is enabling', async () => {
  const [imageId] = await seedPipelineImages(sandbox, 'lost-enable', build, 1, false);
  await sandbox.admin.configure({ durations: { fastLaunch: 60_000 } });
  await sandbox.admin.resetCalls();
  await sandbox.admin.fault({ service: 'ec2', action: 'EnableFastLaunch', count: 1, loseAnswer: true });
  const state = await enableFastLaunch(sandbox.ec2, imageId!, {
    launchTemplate: { name: FAST_LAUNCH_TEMPLATE_NAME, version: '$Default' },
    targetResourceCount: 5,
    maxParallelLaunches: 6,
  });
  assert.equal(state, 'enabling');
  assert.equal(await fastLaunchOf(imageId!), 'enabling');
  assert.equal(ec2Count(await sandbox.admin.calls(), 'EnableFastLaunch', 'faulted'), 1);
});
