/**
 * The shared watcher asks DescribeFastLaunchImages about every image some wait asked about lately, by
 * ImageIds. EC2 fails the whole call when one of those images no longer exists (retention or a cancel
 * clean-up deregistered it), so one deregistered image must affect only the waits for that image.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateImageCommand, DeregisterImageCommand, EnableFastLaunchCommand } from '@aws-sdk/client-ec2';
import type { DescribeFastLaunchImagesSuccessItem } from '@aws-sdk/client-ec2';
import { ResourceWatch } from '../activities/aws/state-watcher';
import { describeFastLaunch, waitForFastLaunch, type FastLaunchStatus } from '../activities/ec2/fast-launch';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';

let sandbox: OwnSandbox;
let kept: string;
let gone: string;

before(async () => {
  sandbox = await startOwnSandbox({ profile: 'test', throttling: { enabled: false } });
  const [instanceId] = await sandbox.launchInstances('windows', 1);
  const images: string[] = [];
  for (const name of ['fast-launch-kept', 'fast-launch-gone']) {
    const { ImageId } = await sandbox.ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: name, NoReboot: true }));
    images.push(ImageId!);
  }
  [kept, gone] = images as [string, string];
  await sandbox.admin.advance();
  for (const ImageId of images) {
    await sandbox.ec2.send(new EnableFastLaunchCommand({ ImageId, ResourceType: 'snapshot', MaxParallelLaunches: 6 }));
  }
  await sandbox.admin.advance();
  await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: gone }));
});

after(() => sandbox.close());

test('one describe for a live and a deregistered image answers for both', async () => {
  const states = await describeFastLaunch(sandbox.ec2, [kept, gone]);
  assert.equal((states.get(kept) as DescribeFastLaunchImagesSuccessItem | undefined)?.State, 'enabled');
  assert.deepEqual(states.get(gone), { ImageId: gone, missing: true });
});

test('in one beat, the waits on a live image go on while only the deregistered image waits end', async () => {
  const watch = new ResourceWatch<FastLaunchStatus>((ids) => describeFastLaunch(sandbox.ec2, ids));
  const attempt = { intervalMs: 1_000, first: true };
  const [keptEnabled, goneDisabled, goneEnabled] = await Promise.allSettled([
    waitForFastLaunch(watch, kept, 'enabled', attempt),
    waitForFastLaunch(watch, gone, 'disabled', attempt),
    waitForFastLaunch(watch, gone, 'enabled', attempt),
  ]);
  assert.deepEqual(keptEnabled, { status: 'fulfilled', value: 'enabled' });
  // A deregistered image launches nothing: for a wait on fast launch going off, that is the goal.
  assert.deepEqual(goneDisabled, { status: 'fulfilled', value: 'disabled' });
  assert.equal(goneEnabled.status, 'rejected');
  assert.match(String((goneEnabled as PromiseRejectedResult).reason), /no longer exists/);
});
