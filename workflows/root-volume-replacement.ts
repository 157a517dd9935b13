/**
 * `rootVolumeReplacement`: one instance of a rollout, as a child workflow, so each instance has its
 * own history, its own page in the UI and its own retries. It creates the replace-root-volume task
 * (idempotent through a ClientToken derived from the work: this workflow, the image and the instance,
 * so a retry, a replay or a reset of the run returns the same task) and waits for its end.
 */
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  ROOT_VOLUME_STAGES,
  type RootVolumeReplacementInput,
  type RootVolumeReplacementResult,
} from '../contracts/root-volume-replacement';
import { PIPELINE_TAG } from '../contracts/tags';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import { StageTracker } from './stage-tracker';

const { createRootVolumeTask, waitForRootVolumeTask } = proxyActivities<Activities>(CALL_OPTIONS);

export async function rootVolumeReplacement(input: RootVolumeReplacementInput): Promise<RootVolumeReplacementResult> {
  const stages = new StageTracker(input.pipeline, ROOT_VOLUME_STAGES);
  stages.addResource(input.instanceId);
  // Named among the resources, so that a rollout's listing shows the image each instance ends on (a rollback's is its old one).
  if (patched('replacement-names-its-image')) stages.addResource(input.imageId);
  const { workflowId, runId } = workflowInfo();
  // Not the run ID: a reset starts a new run, which must find the task its earlier run created.
  const idempotencyKey = patched('task-key-from-the-work')
    ? `${workflowId}/${input.imageId}/${input.instanceId}`
    : `${workflowId}/${runId}`;

  const taskId = await stages.run('create-task', async () => {
    const id = await createRootVolumeTask.executeWithOptions(
      { summary: `CreateReplaceRootVolumeTask on ${input.instanceId} from ${input.imageId}` },
      [
        {
          instanceId: input.instanceId,
          imageId: input.imageId,
          idempotencyKey,
          deleteReplacedRootVolume: input.deleteReplacedRootVolume,
          volumeInitializationRate: input.volumeInitializationRate,
          tags: { [PIPELINE_TAG]: input.pipeline },
        },
      ],
    );
    stages.addResource(id);
    stages.note('create-task', id);
    return id;
  });

  await stages.run('wait-task', () =>
    waitForRootVolumeTask.executeWithOptions({ ...pollOptions(input.wait), summary: `wait until ${taskId} succeeds` }, [taskId]),
  );
  return { instanceId: input.instanceId, taskId };
}
