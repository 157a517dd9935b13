/**
 * `amiPipeline`: bake an AMI from a build instance and bring it into service.
 * Stages: create → wait-available → fast-launch → approval → rollout → retention; all but the first
 * two are optional. Each shows in the UI (current details, search attributes, activity summaries)
 * and in the `progress` query.
 */
import { ApplicationFailure, CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import { AMI_STAGES, amiPipelineInput, type AmiPipelineInput, type AmiPipelineResult, type AmiStage } from '../contracts/ami-pipeline';
import { durationMs } from '../contracts/durations';
import { imageNameForThisRun } from '../contracts/image-name';
import { workflowInput } from '../contracts/input-validation';
import { PIPELINE_TAG, RUN_TAG } from '../contracts/tags';
import { ApprovalGate } from './approval-gate';
import { retireOldImages } from './image-retention';
import { incidents, rollOut } from './root-volume-rollout';
import { StageTracker } from './stage-tracker';

const {
  describeBuildInstance,
  checkLaunchTemplate,
  resolveFleet,
  createImage,
  waitForImageAvailable,
  enableFastLaunch,
  waitForFastLaunch,
  deregisterImage,
} = proxyActivities<Activities>(CALL_OPTIONS);

export async function amiPipeline(raw: unknown): Promise<AmiPipelineResult> {
  const input = workflowInput(amiPipelineInput, raw);
  const stages = new StageTracker(input.name, AMI_STAGES);
  const gate = new ApprovalGate();
  const { runId } = workflowInfo();
  const imageName = imageNameForThisRun(input.imageName, input.name);
  const optional = { 'fast-launch': input.fastLaunch, approval: input.approval, rollout: input.rollout, retention: input.retention };
  for (const [stage, spec] of Object.entries(optional)) if (!spec) stages.skip(stage as AmiStage, 'not configured');

  const { imageId, build } = await stages.run('create', async () => {
    const build = await preflight(input);
    // Once CreateImage is sent it must finish, so that the run always knows the ID of what it made.
    const created = await CancellationScope.nonCancellable(() =>
      createImage.executeWithOptions({ summary: `CreateImage ${imageName} from ${build.instanceId}` }, [
        {
          instanceId: build.instanceId,
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
    return { imageId: created.imageId, build };
  });

  // Until the image reaches the fleet, a run that does not finish removes it (unless told to keep it).
  let decision: AmiPipelineResult['approval'];
  try {
    await stages.run('wait-available', () =>
      waitForImageAvailable.executeWithOptions({ ...pollOptions(input.waits.image), summary: `wait until ${imageId} is available` }, [
        { imageId, notFoundGraceUntil: new Date(Date.now() + durationMs(input.waits.notFoundGrace)).toISOString() },
      ]),
    );
    if (input.fastLaunch) {
      const spec = input.fastLaunch;
      await stages.run('fast-launch', async () => {
        const state = await enableFastLaunch.executeWithOptions({ summary: `EnableFastLaunch on ${imageId}` }, [imageId, spec]);
        stages.note('fast-launch', state);
        await waitForFastLaunch.executeWithOptions(
          { ...pollOptions(input.waits.fastLaunch), summary: `wait until fast launch on ${imageId} is enabled` },
          [imageId, 'enabled'],
        );
        stages.note('fast-launch', 'enabled');
      });
    }
    if (input.approval) {
      const { timeout } = input.approval;
      decision = await stages.run('approval', async () => {
        stages.note('approval', `waiting up to ${timeout} for approve or reject`);
        const answer = await gate.wait(timeout);
        stages.note('approval', `approved${answer.by ? ` by ${answer.by}` : ''}${answer.comment ? `: ${answer.comment}` : ''}`);
        return answer;
      });
    }
  } catch (err) {
    if (!input.keepUnfinishedImage) {
      await CancellationScope.nonCancellable(() =>
        deregisterImage.executeWithOptions({ summary: `deregister unfinished ${imageId} and its snapshots` }, [imageId]),
      );
      stages.note(stages.progress().stage, `deregistered ${imageId}`);
    }
    throw err;
  }

  const rollout = input.rollout
    ? await stages.run('rollout', async () => {
        const spec = input.rollout!;
        // Tags are resolved again here: the fleet may have changed while the image was being built and approved.
        const targets =
          spec.instanceIds ??
          (await resolveFleet.executeWithOptions({ summary: `find running instances tagged ${JSON.stringify(spec.tags)}` }, [
            { tags: spec.tags, platform: build.platform, architecture: build.architecture },
          ]));
        const rows = await rollOut(targets, spec, {
          pipeline: input.name,
          imageId,
          wait: input.waits.rootVolume,
          onChange: (r) => stages.setInstances(r),
        });
        const incident = incidents(rows);
        if (incident) stages.note('rollout', incident);
        return rows;
      })
    : undefined;

  const retired = input.retention
    ? await stages.run('retention', () => retireOldImages(input.name, imageId, input.retention!.keep, input.waits.fastLaunch))
    : undefined;
  if (retired) stages.note('retention', retired.length ? `retired ${retired.join(', ')}` : 'nothing to retire');

  return { pipeline: input.name, imageId, imageName, timings: stages.timings(), approval: decision, rollout, retired };
}

/**
 * Everything that can be known to be wrong is checked before the image is created: the build
 * instance, fast launch on a non-Windows image, the launch template, and the rollout's targets.
 */
async function preflight(input: AmiPipelineInput) {
  const build = await describeBuildInstance.executeWithOptions(
    { summary: `check build instance ${input.instanceId ?? JSON.stringify(input.instanceTags)}` },
    [input.instanceId ? { instanceIds: [input.instanceId] } : { tags: input.instanceTags }],
  );
  if (input.fastLaunch && build.platform !== 'windows') {
    throw ApplicationFailure.nonRetryable(
      `fast launch needs a Windows AMI, but build instance ${build.instanceId} runs ${build.platform}`,
      'InvalidInput',
    );
  }
  if (input.fastLaunch?.launchTemplate) {
    const template = input.fastLaunch.launchTemplate;
    await checkLaunchTemplate.executeWithOptions({ summary: `check launch template ${template.id ?? template.name}` }, [template]);
  }
  if (input.rollout) {
    await resolveFleet.executeWithOptions({ summary: 'check rollout targets' }, [
      { instanceIds: input.rollout.instanceIds, tags: input.rollout.tags, platform: build.platform, architecture: build.architecture },
    ]);
  }
  return build;
}
