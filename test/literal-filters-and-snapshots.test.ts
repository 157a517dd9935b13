/**
 * Nothing wrong is touched and nothing is left behind: tag values from a config select instances
 * literally (EC2 reads `*` and `?` in filter values as wildcards), and a snapshot that DeregisterImage
 * could not delete fails the attempt with its ID and reason, and the retry deletes it.
 * Real dev server, sandbox over HTTP, real SDK.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { CreateImageCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { deregisterImage } from '../activities/ec2/deregister-image';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import { imagesOfPipeline } from './support/aws-checks';
import { failureOf, rolloutCounts } from './support/runs';
import { stackForThisFile } from './support/stack';

const stack = stackForThisFile();
beforeEach(async () => {
  await stack.admin.reset({ profile: 'test' });
});

const FAST = { interval: '100ms', timeout: '2m' };

function start(config: Partial<AmiPipelineConfig>) {
  return startPipeline(
    stack.env.client,
    'ami',
    { name: 'web-golden', waits: { image: FAST, fastLaunch: FAST, rootVolume: FAST }, ...config },
    { taskQueue: stack.taskQueue },
  );
}

async function rootVolumes(instanceIds: string[]): Promise<Record<string, string | undefined>> {
  const out = await stack.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
  return Object.fromEntries(
    instances.map((i) => [i.InstanceId, i.BlockDeviceMappings?.find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.VolumeId]),
  );
}

async function snapshotsOfPipeline(name: string): Promise<string[]> {
  const out = await stack.ec2.send(
    new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:golden-image:pipeline', Values: [name] }] }),
  );
  return (out.Snapshots ?? []).map((s) => s.SnapshotId!);
}

describe('tag filters match literally', () => {
  test('rollout tags {fleet: "web*"} touch only the instances tagged exactly web*, not web-1 or web-a', async () => {
    await stack.launchInstance('windows', { Name: 'win-build' });
    const starred = await stack.launchInstances('windows', 2, { fleet: 'web*' });
    const others = [
      ...(await stack.launchInstances('windows', 2, { fleet: 'web-1' })),
      ...(await stack.launchInstances('windows', 1, { fleet: 'web-a' })),
    ];
    const before = await rootVolumes(others);

    const handle = await start({ instanceTags: { Name: 'win-build' }, rollout: { tags: { fleet: 'web*' }, concurrency: 2 } });
    const result = (await handle.result()) as AmiPipelineResult;

    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: starred.length });
    const tasks = (await stack.admin.state()).replaceRootVolumeTasks.map((t) => t.instanceId).sort();
    assert.deepEqual(tasks, starred, 'replace-root-volume tasks only for the instances tagged web*');
    assert.deepEqual(await rootVolumes(others), before, 'web-1 and web-a keep their root volumes');
  });

  test('build tags {Name: "win-build?"} select the one instance tagged exactly so, not win-build1', async () => {
    const build = await stack.launchInstance('windows', { Name: 'win-build?' });
    await stack.launchInstance('windows', { Name: 'win-build1' });
    const handle = await start({ instanceTags: { Name: 'win-build?' } });
    await handle.result();
    const [image] = await imagesOfPipeline(stack, 'web-golden');
    assert.equal(image?.SourceInstanceId, build, 'the image comes from the instance tagged exactly win-build?');
  });
});

describe('snapshots DeregisterImage could not delete', () => {
  async function imageWithSnapshot(): Promise<{ imageId: string; snapshotId: string }> {
    const instanceId = await stack.launchInstance('linux', { Name: 'build' });
    const { ImageId } = await stack.ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'golden-snapshots', NoReboot: true }));
    await stack.admin.advance();
    const { Images } = await stack.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }));
    return { imageId: ImageId!, snapshotId: Images![0]!.BlockDeviceMappings![0]!.Ebs!.SnapshotId! };
  }

  async function snapshotExists(snapshotId: string): Promise<boolean> {
    const out = await stack.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    return (out.Snapshots ?? []).some((s) => s.SnapshotId === snapshotId);
  }

  test('the attempt fails with the snapshot ID and its return code; the next attempt deletes it', async () => {
    const { imageId, snapshotId } = await imageWithSnapshot();
    await stack.admin.fail({ kind: 'snapshotDeletion', id: snapshotId, code: 'missing-permissions' });

    const first = new MockActivityEnvironment({ attempt: 1 });
    let recorded: unknown;
    first.on('heartbeat', (details: unknown) => (recorded = details));
    const err = await first.run(deregisterImage, stack.ec2, imageId).catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    assert.equal(err.type, 'SnapshotDeletionFailed');
    assert.equal(err.nonRetryable, false);
    assert.match(err.message, new RegExp(`deregistered ${imageId}, but could not delete snapshot ${snapshotId} \\(missing-permissions\\)`));
    assert.equal(await snapshotExists(snapshotId), true);

    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: recorded });
    assert.equal(await retry.run(deregisterImage, stack.ec2, imageId), false, 'the image was already deregistered');
    assert.equal(await snapshotExists(snapshotId), false, 'the retry deleted the snapshot');
    assert.equal((await stack.admin.calls()).ec2['DeleteSnapshot']?.total, 1);
  });

  test("a run's clean-up after a failed image retries until the image's snapshots are gone", async () => {
    await stack.launchInstance('windows', { Name: 'win-build' });
    await stack.admin.fail({ kind: 'image', next: true, code: 'Client.InternalError', message: 'Client error on snapshot creation' });
    await stack.admin.fail({ kind: 'snapshotDeletion', next: true, code: 'internal-error' });
    const handle = await start({ instanceTags: { Name: 'win-build' } });
    const failure = await failureOf(handle);
    assert.match(failure.message, /wait-available: image ami-[0-9a-f]+ is failed: Client.InternalError/);
    assert.deepEqual(await imagesOfPipeline(stack, 'web-golden'), []);
    assert.deepEqual(await snapshotsOfPipeline('web-golden'), [], 'no snapshot of the unfinished image is left behind');
    const calls = (await stack.admin.calls()).ec2;
    // The first attempt deregisters the image and reports the snapshot; the retry finds the image gone and deletes it.
    assert.equal(calls['DeregisterImage']?.total, 2);
    assert.equal(calls['DeleteSnapshot']?.total, 1);
  });
});
