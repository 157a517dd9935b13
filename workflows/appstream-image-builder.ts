/**
 * `appStreamImageBuilder`: one action on an AppStream 2.0 image builder, then the wait until the
 * builder arrives in the state that action leads to (create and start: RUNNING, stop: STOPPED,
 * delete: gone). Two stages, named after the action and the wait, with the same UI observability
 * as every other pipeline.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import {
  appStreamImageBuilderInput,
  BUILDER_GOALS,
  builderStages,
  type AppStreamImageBuilderInput,
  type AppStreamImageBuilderResult,
} from '../contracts/appstream-image-builder';
import { workflowInput } from '../contracts/input-validation';
import { PIPELINE_TAG, RUN_TAG } from '../contracts/tags';
import { StageTracker } from './stage-tracker';

const { createImageBuilder, changeImageBuilder, waitForImageBuilder } = proxyActivities<Activities>(CALL_OPTIONS);

export async function appStreamImageBuilder(raw: unknown): Promise<AppStreamImageBuilderResult> {
  const input = workflowInput(appStreamImageBuilderInput, raw);
  const goal = BUILDER_GOALS[input.action];
  const stageList = builderStages(input.action);
  const waitStage = stageList[1];
  const stages = new StageTracker(input.name, stageList);
  stages.addResource(input.name);

  const call = await stages.run(input.action, () => act(input));
  stages.note(input.action, call.alreadyDone ? `already ${call.state}` : call.state);

  const arrival = await stages.run(waitStage, () =>
    waitForImageBuilder.executeWithOptions(
      { ...pollOptions(input.waits.builder), summary: `wait until image builder ${input.name} is ${goal}` },
      [input.name, goal],
    ),
  );
  stages.note(waitStage, goal);
  return { builder: input.name, action: input.action, state: goal, arn: arrival.arn ?? call.arn, timings: stages.timings() };
}

function act(input: AppStreamImageBuilderInput) {
  if (input.action !== 'create') {
    return changeImageBuilder.executeWithOptions({ summary: `${input.action} image builder ${input.name}` }, [input.name, input.action]);
  }
  const tags = { ...input.tags, [PIPELINE_TAG]: input.name, [RUN_TAG]: workflowInfo().runId };
  return createImageBuilder.executeWithOptions(
    { summary: `CreateImageBuilder ${input.name} (${input.instanceType}) from ${input.imageName}` },
    [
      {
        name: input.name,
        imageName: input.imageName!,
        instanceType: input.instanceType!,
        description: input.description,
        tags,
        ownershipTag: RUN_TAG,
      },
    ],
  );
}
