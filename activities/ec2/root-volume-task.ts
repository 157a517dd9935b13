/**
 * Replace-root-volume tasks: create one (made idempotent by a ClientToken derived from the run and
 * the instance, so a retry or replay returns the same task) and poll it to its end.
 */
import { createHash } from 'node:crypto';
import {
  CreateReplaceRootVolumeTaskCommand,
  paginateDescribeReplaceRootVolumeTasks,
  type EC2Client,
  type ReplaceRootVolumeTask,
} from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';
import { notReady, terminalState } from '../aws/not-ready';
import { inChunks, type ResourceWatch } from '../aws/state-watcher';

export interface RootVolumeTaskRequest {
  instanceId: string;
  imageId: string;
  /** Unique per run and instance; hashed into EC2's 64-character ClientToken. */
  idempotencyKey: string;
  deleteReplacedRootVolume: boolean;
  volumeInitializationRate?: number;
  tags: Record<string, string>;
}

export async function createRootVolumeTask(ec2: EC2Client, request: RootVolumeTaskRequest): Promise<string> {
  const out = await awsCall('CreateReplaceRootVolumeTask', () =>
    ec2.send(
      new CreateReplaceRootVolumeTaskCommand({
        InstanceId: request.instanceId,
        ImageId: request.imageId,
        DeleteReplacedRootVolume: request.deleteReplacedRootVolume,
        VolumeInitializationRate: request.volumeInitializationRate,
        ClientToken: createHash('sha256').update(request.idempotencyKey).digest('hex'),
        TagSpecifications: [
          { ResourceType: 'replace-root-volume-task', Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    ),
  );
  const taskId = out.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId;
  if (!taskId) throw terminalState('CreateReplaceRootVolumeTaskNoId', 'CreateReplaceRootVolumeTask returned no task ID');
  return taskId;
}

/** Many tasks by ID, 50 a request (DescribeReplaceRootVolumeTasks' page limit). */
export function describeRootVolumeTasks(ec2: EC2Client, taskIds: string[]): Promise<Map<string, ReplaceRootVolumeTask>> {
  return inChunks(taskIds, 50, (ids) =>
    awsCall('DescribeReplaceRootVolumeTasks', async () => {
      const found = new Map<string, ReplaceRootVolumeTask>();
      for await (const page of paginateDescribeReplaceRootVolumeTasks({ client: ec2 }, { ReplaceRootVolumeTaskIds: ids })) {
        for (const task of page.ReplaceRootVolumeTasks ?? []) found.set(task.ReplaceRootVolumeTaskId ?? '', task);
      }
      return found;
    }),
  );
}

/** One poll of a task: `succeeded` returns; `failed` keeps the old root volume; `failed-detached` needs a person. */
export async function waitForRootVolumeTask(tasks: ResourceWatch<ReplaceRootVolumeTask>, taskId: string): Promise<string> {
  const task = await tasks.observe(taskId);
  const state = task?.TaskState ?? 'unknown';
  if (state === 'succeeded') return state;
  if (state === 'failed') {
    throw terminalState(
      'ReplaceRootVolumeFailed',
      `task ${taskId} on ${task?.InstanceId} failed; the original root volume is still attached`,
    );
  }
  if (state === 'failed-detached') {
    throw terminalState(
      'RootVolumeDetached',
      `INCIDENT: task ${taskId} failed-detached: instance ${task?.InstanceId} has no root volume and needs a person`,
    );
  }
  throw notReady(`task ${taskId} is ${state}`);
}
