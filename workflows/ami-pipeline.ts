/**
 * `amiPipeline`: bake an AMI from a build instance and wait until it is available.
 * Stages: create → wait-available. Each stage shows in the UI (current details, search attributes,
 * activity summaries) and in the `progress` query.
 */
import { ApplicationFailure, CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import { amiPipelineInput, PIPELINE_TAG, RUN_TAG, type AmiPipelineInput, type AmiPipelineResult } from './ami-pipeline-input';
import { durationMs } from './durations';
import { resolveImageName } from './image-name';
import { InvalidInputError, parseInput } from './input-validation';
import { StageTracker } from './stage-tracker';

const { describeBuildInstance, createImage, waitForImageAvailable, discardImage } = proxyActivities<Activities>(CALL_OPTIONS);

export const AMI_STAGES = ['create', 'wait-available'] as const;

export async function amiPipeline(raw: unknown): Promise<AmiPipelineResult> {
  const input = validated(raw);
  const stages = new StageTracker(input.name, AMI_STAGES);
  const { runId, startTime } = workflowInfo();
  const imageName = resolveImageName(input.imageName, { pipeline: input.name, runId, time: startTime });

  const imageId = await stages.run('create', async () => {
    await describeBuildInstance.executeWithOptions({ summary: `check build instance ${input.instanceId}` }, [input.instanceId]);
    // Once CreateImage is sent it must finish, so that the run always knows the ID of what it made.
    const created = await CancellationScope.nonCancellable(() =>
      createImage.executeWithOptions({ summary: `CreateImage ${imageName} from ${input.instanceId}` }, [
        {
          instanceId: input.instanceId,
          name: imageName,
          description: input.description,
          noReboot: input.noReboot,
          blockDeviceMappings: input.blockDeviceMappings,
          tags: { ...input.tags, [PIPELINE_TAG]: input.name, [RUN_TAG]: runId },
          ownershipTag: RUN_TAG,
        },
      ]),
    );
    stages.addResource(created.imageId);
    stages.note('create', `${created.adopted ? 'adopted' : 'created'} ${created.imageId}`);
    return created.imageId;
  });

  try {
    await stages.run('wait-available', () =>
      waitForImageAvailable.executeWithOptions(
        { ...pollOptions(input.waits.image), summary: `wait until ${imageId} is available` },
        [{ imageId, notFoundGraceUntil: new Date(Date.now() + durationMs(input.waits.notFoundGrace)).toISOString() }],
      ),
    );
  } catch (err) {
    if (!input.keepUnfinishedImage) {
      await discardUnfinished(imageId);
      stages.note('wait-available', `deregistered ${imageId}`);
    }
    throw err;
  }

  return { pipeline: input.name, imageId, imageName, timings: stages.timings() };
}

function validated(raw: unknown): AmiPipelineInput {
  try {
    return parseInput(amiPipelineInput, raw);
  } catch (err) {
    if (err instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
    throw err;
  }
}

/** Runs even when the run is being cancelled: an unfinished image must not be left behind. */
function discardUnfinished(imageId: string): Promise<unknown> {
  return CancellationScope.nonCancellable(() =>
    discardImage.executeWithOptions({ summary: `deregister unfinished ${imageId} and its snapshots` }, [imageId]),
  );
}
