import { randomUUID } from 'node:crypto';
import { drawDuration } from '../core/duration-draw';
import { validateInitializationRate } from './block-devices';
import { describeAction } from './describe';
import { ClientTokens } from './idempotency';
import { imageState } from './images';
import { newVisibility, isVisible } from './consistency';
import { requireDescribableReplaceRootVolumeTasks, requireInstances, requireRegisteredImage, requireSnapshots } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, iso, platformDetails, tagSetXml } from './render';
import { ApiError, invalidParameterCombination, invalidParameterValue } from '../core/errors';
import type { FailureReason } from '../core/failures';
import type { FilterTable } from './filters';
import { newId } from '../core/ids';
import type { XmlObject } from '../core/query-protocol';
import type { RootVolumeTaskState } from '../core/cross-service';
import type { ImageRecord, InstanceRecord, ReplaceRootVolumeTaskRecord, Ec2State, SnapshotRecord, Ec2Context } from './state';

/**
 * Replace-root-volume tasks: CreateReplaceRootVolumeTask and
 * DescribeReplaceRootVolumeTasks. What a finished task does to the instance is
 * in root-volume-swap.ts.
 */

function taskXml(task: ReplaceRootVolumeTaskRecord, now: number): XmlObject {
  const { lifecycle } = task;
  return {
    replaceRootVolumeTaskId: task.id,
    instanceId: task.instanceId,
    taskState: lifecycle.stateAt(now),
    startTime: iso(task.startedAt),
    completeTime: lifecycle.isSettled(now) ? iso(lifecycle.plannedAt(lifecycle.finalState())!) : undefined,
    tagSet: tagSetXml(task.tags),
    imageId: task.imageId,
    snapshotId: task.snapshotId,
    deleteReplacedRootVolume: task.deleteReplacedRootVolume,
  };
}

/** Makes a task that has not finished yet end in `failed` (or `failed-detached`). False if it has finished. */
export function failReplaceRootVolumeTask(state: Ec2State, taskId: string, reason: FailureReason): boolean {
  const task = state.ec2.replaceRootVolumeTasks.get(taskId);
  if (!task || task.settled || task.lifecycle.isSettled(state.clock.now())) return false;
  task.lifecycle.setFinalState(reason.state ?? 'failed');
  task.failure = { code: reason.code, message: reason.message };
  return true;
}

interface TaskRequest {
  instance: InstanceRecord;
  image?: ImageRecord;
  snapshot?: SnapshotRecord;
  deleteReplacedRootVolume: boolean;
  volumeInitializationRate?: number;
  clientToken: string;
  tags: Map<string, string>;
}

function readTaskRequest(params: Ec2Params, state: Ec2State): TaskRequest {
  const [instance] = requireInstances(state, [params.requiredString('InstanceId')]);
  const imageId = params.string('ImageId');
  const snapshotId = params.string('SnapshotId');
  if (imageId !== undefined && snapshotId !== undefined) {
    throw invalidParameterCombination('Specify either ImageId or SnapshotId, or neither to restore the launch state, but not both.');
  }
  const volumeInitializationRate = params.int('VolumeInitializationRate');
  validateInitializationRate(volumeInitializationRate);
  return {
    instance: instance!,
    image: imageId === undefined ? undefined : requireRegisteredImage(state, imageId),
    snapshot: snapshotId === undefined ? undefined : requireSnapshots(state, [snapshotId])[0],
    deleteReplacedRootVolume: params.bool('DeleteReplacedRootVolume') ?? false,
    volumeInitializationRate,
    // The SDKs always send one; a bare request gets a fresh token, as in EC2.
    clientToken: params.string('ClientToken') ?? randomUUID(),
    tags: new Map(params.tagSpecifications(['replace-root-volume-task']).flatMap((spec) => [...spec.tags])),
  };
}

function checkImageFits(image: ImageRecord, instance: InstanceRecord, now: number): void {
  if (imageState(image, now) !== 'available') {
    throw new ApiError('InvalidAMIID.Unavailable', `The image id '[${image.id}]' is not available.`);
  }
  if (image.platform !== instance.platform || image.architecture !== instance.architecture) {
    const describe = (x: { platform: ImageRecord['platform']; architecture: string }) =>
      `${platformDetails(x.platform).platformDetails}, ${x.architecture}`;
    throw invalidParameterValue(
      `The AMI ${image.id} (${describe(image)}) does not match instance ${instance.id} (${describe(instance)}). ` +
        'A replacement root volume must come from an AMI with the same platform, architecture and virtualization type as the instance.',
    );
  }
}

function checkCanStart(state: Ec2State, request: TaskRequest, now: number): void {
  const { instance, image, snapshot } = request;
  if (instance.lifecycle.stateAt(now) !== 'running') {
    throw new ApiError(
      'IncorrectInstanceState',
      `The instance '${instance.id}' is not in a valid state for this operation. It must be running.`,
    );
  }
  if (image) checkImageFits(image, instance, now);
  // The sandbox does not check that the snapshot was taken from this instance's root volume, as AWS requires.
  if (snapshot && snapshot.lifecycle.stateAt(now) !== 'completed') {
    throw new ApiError('IncorrectState', `The snapshot '${snapshot.id}' is not completed.`);
  }
  // AWS does not document this case; one task at a time keeps the instance's volumes consistent.
  const running = [...state.ec2.replaceRootVolumeTasks.values()].find((t) => t.instanceId === instance.id && !t.lifecycle.isSettled(now));
  if (running) {
    throw new ApiError(
      'IncorrectState',
      `Instance '${instance.id}' already has a root volume replacement task in progress (${running.id}).`,
    );
  }
}

/** When a task starts (virtual ms), how long it is pending and in progress, and how long describes do not see it. */
interface TaskTiming {
  at: number;
  pendingMs: number;
  inProgressMs: number;
  notFoundWindowMs: number;
}

type TaskFields = Pick<
  ReplaceRootVolumeTaskRecord,
  'instanceId' | 'clientToken' | 'imageId' | 'snapshotId' | 'deleteReplacedRootVolume' | 'volumeInitializationRate' | 'tags'
>;

function newTask(state: Ec2State, fields: TaskFields, timing: TaskTiming): ReplaceRootVolumeTaskRecord {
  const task: ReplaceRootVolumeTaskRecord = {
    seq: state.nextSeq(),
    id: newId('replacevol'),
    ...fields,
    startedAt: timing.at,
    lifecycle: state
      .timeline<RootVolumeTaskState>('pending', timing.at)
      .then('in-progress', timing.pendingMs)
      .then('succeeded', timing.inProgressMs),
    visibility: newVisibility(state, timing.notFoundWindowMs, timing.at),
    settled: false,
  };
  state.ec2.replaceRootVolumeTasks.set(task.id, task);
  return task;
}

function createTask(ctx: Ec2Context, request: TaskRequest, now: number): ReplaceRootVolumeTaskRecord {
  const { state, config } = ctx;
  const fields: TaskFields = {
    instanceId: request.instance.id,
    clientToken: request.clientToken,
    imageId: request.image?.id,
    snapshotId: request.snapshot?.id,
    deleteReplacedRootVolume: request.deleteReplacedRootVolume,
    volumeInitializationRate: request.volumeInitializationRate,
    tags: request.tags,
  };
  const task = newTask(state, fields, {
    at: now,
    pendingMs: drawDuration(state, config, 'replaceRootVolumePending'),
    inProgressMs: drawDuration(state, config, 'replaceRootVolumeInProgress'),
    notFoundWindowMs: config.notFoundWindowMs,
  });
  const plannedFailure = ctx.failures.takeForNew('replaceRootVolumeTask', task.id, task.instanceId);
  if (plannedFailure) failReplaceRootVolumeTask(state, task.id, plannedFailure);
  return task;
}

/**
 * A task another service of the account has EC2 run (Auto Scaling's ReplaceRootVolume instance refresh):
 * the root volume from `imageId`, the replaced one deleted, starting at `at` (which may lie before now).
 */
export function replaceRootVolumeForService(
  state: Ec2State,
  instanceId: string,
  imageId: string,
  timing: TaskTiming,
): ReplaceRootVolumeTaskRecord {
  const fields = { instanceId, clientToken: randomUUID(), imageId, deleteReplacedRootVolume: true, tags: new Map<string, string>() };
  return newTask(state, fields, timing);
}

function createReplaceRootVolumeTask(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state } = ctx;
  const request = readTaskRequest(params, state);
  dryRunGate(params);
  const now = state.clock.now();
  const tokens = new ClientTokens(state.ec2.replaceRootVolumeTasksByClientToken);
  const previousId = tokens.previousResult(request.clientToken, params);
  if (previousId !== undefined) return { replaceRootVolumeTask: taskXml(state.ec2.replaceRootVolumeTasks.get(previousId)!, now) };
  checkCanStart(state, request, now);
  const task = createTask(ctx, request, now);
  tokens.remember(request.clientToken, params, task.id);
  return { replaceRootVolumeTask: taskXml(task, now) };
}

const TASK_FILTERS: FilterTable<ReplaceRootVolumeTaskRecord> = {
  'instance-id': (t) => [t.instanceId],
};

const describeReplaceRootVolumeTasks = describeAction<ReplaceRootVolumeTaskRecord>({
  action: 'DescribeReplaceRootVolumeTasks',
  idParameter: 'ReplaceRootVolumeTaskId',
  maxResults: { min: 1, max: 50, exclusiveWithIds: 'replaceRootVolumeTaskIds' },
  require: requireDescribableReplaceRootVolumeTasks,
  all: (state, now) => [...state.ec2.replaceRootVolumeTasks.values()].filter((t) => isVisible(t, now)),
  filters: () => TASK_FILTERS,
  render: (items, _state, now) => ({ replaceRootVolumeTaskSet: items.map((t) => taskXml(t, now)) }),
});

export const replaceRootVolumeActions = {
  CreateReplaceRootVolumeTask: createReplaceRootVolumeTask,
  DescribeReplaceRootVolumeTasks: describeReplaceRootVolumeTasks,
};
