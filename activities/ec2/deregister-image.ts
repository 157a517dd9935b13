/**
 * Deregisters an image together with its snapshots. Used for an image a run created but did not finish,
 * and by retention for images past the keep count. Already gone counts as done.
 *
 * DeregisterImage with DeleteAssociatedSnapshots deletes the snapshots in the same call, but it does not
 * fail for a snapshot it could not delete: it reports each one's return code (DeleteSnapshotResults).
 * Such a snapshot would be left behind, billed, while the run says "and its snapshots". So the attempt
 * fails, naming each snapshot and its return code, and the next attempt finishes the job with
 * DeleteSnapshot, whose own error (UnauthorizedOperation, say) decides whether retrying can help. The
 * image is gone by then, so the snapshot IDs are read from the image before it is deregistered and kept
 * in the activity's heartbeat details, which Temporal hands to every later attempt: a lost answer or a
 * worker crash after DeregisterImage leaves nothing behind either.
 */
import { DeleteSnapshotCommand, DeregisterImageCommand, type DeleteSnapshotReturnCode, type EC2Client } from '@aws-sdk/client-ec2';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { describeImagesById } from './image-lookup';

/** Deleted, or kept because another AMI still uses it (not this image's to delete). */
const DONE = new Set(['success', 'skipped']);

/** True if this call deregistered the image; false if it was already gone. */
export async function deregisterImage(ec2: EC2Client, imageId: string): Promise<boolean> {
  const snapshots = snapshotLedger();
  const image = (await describeImagesById(ec2, [imageId])).get(imageId);
  snapshots.add(image?.BlockDeviceMappings?.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])) ?? []);
  const results = await deregister(ec2, imageId);
  if (!results) {
    // Deregistered by an earlier attempt (or by this one, its answer lost): delete what is left.
    for (const snapshotId of snapshots.ids) await deleteSnapshot(ec2, snapshotId, imageId);
    return false;
  }
  const failed = results.filter((r) => !DONE.has(r.ReturnCode ?? ''));
  if (failed.length) {
    snapshots.add(failed.flatMap((r) => (r.SnapshotId ? [r.SnapshotId] : [])));
    throw ApplicationFailure.create({
      type: 'SnapshotDeletionFailed',
      message:
        `deregistered ${imageId}, but could not delete ${failed.map((r) => `snapshot ${r.SnapshotId} (${r.ReturnCode})`).join(', ')}; ` +
        'the next attempt deletes what is left with DeleteSnapshot',
      details: [{ imageId, snapshots: failed.map((r) => ({ snapshotId: r.SnapshotId, returnCode: r.ReturnCode })) }],
    });
  }
  return true;
}

async function deregister(ec2: EC2Client, imageId: string): Promise<DeleteSnapshotReturnCode[] | undefined> {
  try {
    const out = await awsCall('DeregisterImage', () =>
      ec2.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true })),
    );
    return out.DeleteSnapshotResults ?? [];
  } catch (err) {
    if (isAwsErrorCode(err, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) return undefined;
    throw err;
  }
}

async function deleteSnapshot(ec2: EC2Client, snapshotId: string, imageId: string): Promise<void> {
  try {
    await awsCall(`DeleteSnapshot ${snapshotId} (of ${imageId})`, () => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
  } catch (err) {
    // Gone already, or now used by another registered AMI (what DeregisterImage reports as `skipped`).
    if (isAwsErrorCode(err, 'InvalidSnapshot.NotFound', 'InvalidSnapshot.InUse')) return;
    throw err;
  }
}

/**
 * The image's snapshot IDs across attempts: those earlier attempts recorded, plus those this one adds,
 * recorded in the heartbeat details whenever they grow. Outside an activity (a script) nothing is carried.
 */
function snapshotLedger() {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    context = undefined;
  }
  const details: unknown = context?.info.heartbeatDetails;
  const ids = new Set(Array.isArray(details) ? details.filter((id): id is string => typeof id === 'string') : []);
  return {
    ids,
    add(found: string[]): void {
      const before = ids.size;
      for (const id of found) ids.add(id);
      if (ids.size > before) context?.heartbeat([...ids]);
    },
  };
}
