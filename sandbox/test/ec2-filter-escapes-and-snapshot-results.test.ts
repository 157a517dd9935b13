/**
 * Two EC2 behaviours the pipelines' safety depends on: filter values are wildcards unless escaped with a
 * backslash, and DeregisterImage with DeleteAssociatedSnapshots reports each snapshot it could not delete.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

const sandbox = ec2SandboxForThisFile();

beforeEach(async () => {
  await sandbox.admin.reset();
});

async function launch(tags: Record<string, string>): Promise<string> {
  const reservation = await sandbox.ec2.send(
    new RunInstancesCommand({
      ImageId: LINUX_BASE_AMI_ID,
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  return reservation.Instances![0]!.InstanceId!;
}

describe('EC2 filter values: wildcards and backslash escapes', () => {
  test('`*` and `?` are wildcards; `\\*`, `\\?` and `\\\\` match the character itself', async () => {
    const ids = {
      'web-1': await launch({ fleet: 'web-1' }),
      'web*': await launch({ fleet: 'web*' }),
      'web?': await launch({ fleet: 'web?' }),
      'web-a': await launch({ fleet: 'web-a' }),
      'web\\x': await launch({ fleet: 'web\\x' }),
    };
    const named = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    const matching = async (value: string) => {
      const out = await sandbox.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:fleet', Values: [value] }] }));
      return (out.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => named[i.InstanceId!])
        .sort();
    };
    assert.deepEqual(await matching('web*'), ['web*', 'web-1', 'web-a', 'web?', 'web\\x']);
    assert.deepEqual(await matching('web-?'), ['web-1', 'web-a']);
    assert.deepEqual(await matching('web\\*'), ['web*']);
    assert.deepEqual(await matching('web\\?'), ['web?']);
    assert.deepEqual(await matching('web\\\\x'), ['web\\x']);
    assert.deepEqual(await matching('web-1'), ['web-1']);
  });
});

describe('DeregisterImage with DeleteAssociatedSnapshots', () => {
  async function imageWithSnapshot(): Promise<{ imageId: string; snapshotId: string }> {
    const instanceId = await launch({ Name: 'build' });
    await sandbox.admin.advance();
    const { ImageId } = await sandbox.ec2.send(
      new CreateImageCommand({ InstanceId: instanceId, Name: 'golden-snapshots', NoReboot: true }),
    );
    await sandbox.admin.advance();
    const { Images } = await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }));
    return { imageId: ImageId!, snapshotId: Images![0]!.BlockDeviceMappings![0]!.Ebs!.SnapshotId! };
  }

  for (const code of ['internal-error', 'missing-permissions', 'client-error'] as const) {
    test(`a snapshot it could not delete (${code}) is reported and stays; DeleteSnapshot removes it later`, async () => {
      const { imageId, snapshotId } = await imageWithSnapshot();
      await sandbox.admin.fail({ kind: 'snapshotDeletion', id: snapshotId, code });
      const out = await sandbox.ec2.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true }));
      assert.deepEqual(out.DeleteSnapshotResults, [{ SnapshotId: snapshotId, ReturnCode: code }]);
      const { Snapshots } = await sandbox.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
      assert.equal(Snapshots?.length, 1);

      await sandbox.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
      await rejectsWith(sandbox.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })), 'InvalidSnapshot.NotFound');
    });
  }

  test('a snapshotDeletion failure needs one of the documented return codes', async () => {
    await assert.rejects(
      sandbox.admin.fail({ kind: 'snapshotDeletion', next: true, code: 'Client.InternalError' }),
      /code is one of missing-permissions/,
    );
  });
});
