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
import { DEFAULT_NOT_FOUND_GRACE, durationMs } from '../../contracts/durations';
import { awsCall } from '../aws/call';
import { notFound, notReady, terminalState } from '../aws/not-ready';
import { inChunks, type ResourceWatch } from '../aws/state-watcher';
import { describeKnown } from '../aws/unknown-ids';

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

/**
 * Many tasks by ID, 50 a request (DescribeReplaceRootVolumeTasks' page limit). The API has no filter
 * by task ID and fails the whole request for an unknown one, so an ID EC2 does not know (yet) is left
 * out, and the others are still answered.
 */
export function describeRootVolumeTasks(ec2: EC2Client, taskIds: string[]): Promise<Map<string, ReplaceRootVolumeTask>> {
  return inChunks(taskIds, 50, async (ids) => {
    const { found } = await describeKnown(ids, 'InvalidReplaceRootVolumeTaskId.NotFound', (asking) =>
      awsCall('DescribeReplaceRootVolumeTasks', async () => {
        const tasks = new Map<string, ReplaceRootVolumeTask>();
        for await (const page of paginateDescribeReplaceRootVolumeTasks({ client: ec2 }, { ReplaceRootVolumeTaskIds: asking })) {
          for (const task of page.ReplaceRootVolumeTasks ?? []) tasks.set(task.ReplaceRootVolumeTaskId ?? '', task);
        }
        return tasks;
      }),
    );
    return found;
  });
}

/** How long after its create a task may still be unknown to DescribeReplaceRootVolumeTasks (EC2 is eventually consistent). */
export const TASK_NOT_FOUND_GRACE_MS = durationMs(DEFAULT_NOT_FOUND_GRACE);

/** The states a task's wait ends on, each with its own branch below: the shared watcher stops describing a task once it is in one. */
const TASK_END_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'failed-detached']);
export const taskSettled = (task: ReplaceRootVolumeTask): boolean => TASK_END_STATES.has(task.TaskState ?? '');

/**
 * One poll of a task: `succeeded` returns; `failed` keeps the old root volume; `failed-detached` needs a
 * person. A task not found is "not yet" until `notFoundGraceUntil` (an ISO time), then gone for good.
 */
export async function waitForRootVolumeTask(
  tasks: ResourceWatch<ReplaceRootVolumeTask>,
  taskId: string,
  notFoundGraceUntil: string,
): Promise<string> {
  const task = await tasks.observe(taskId);
  if (!task) throw notFound('InvalidReplaceRootVolumeTaskId.NotFound', `task ${taskId}`, notFoundGraceUntil);
  const state = task.TaskState ?? 'unknown';
  if (state === 'succeeded') return state;
  if (state === 'failed') {
    throw terminalState(
      'ReplaceRootVolumeFailed',
      `task ${taskId} on ${task.InstanceId} failed; the original root volume is still attached`,
    );
  }
  if (state === 'failed-detached') {
    throw terminalState(
      'RootVolumeDetached',
      `INCIDENT: task ${taskId} failed-detached: instance ${task.InstanceId} has no root volume and needs a person`,
    );
  }
  throw notReady(`task ${taskId} is ${state}`);
}
