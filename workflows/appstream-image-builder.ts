/**
 * `appStreamImageBuilder`: one action on an AppStream 2.0 image builder, then the wait until the
 * builder arrives in the state that action leads to (create and start: RUNNING, stop: STOPPED,
 * delete: gone). Two stages, named after the action and the wait, with the same UI observability
 * as every other pipeline.
 */
import { ActivityCancellationType, CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import { BUILDER_GOALS, builderStages, type BuilderStage } from '../contracts/appstream-builder-actions';
import type { AppStreamImageBuilderInput, AppStreamImageBuilderResult } from '../contracts/appstream-image-builder';
import { runIdentity } from './run-identity';
import { PIPELINE_TAG, RUN_TAG } from '../contracts/tags';
import { Notifier, notificationsEnabled } from './notifications';
import { StageTracker } from './stage-tracker';
import { validatedInput } from './validated-input';

const { createImageBuilder, changeImageBuilder, waitForImageBuilder, removeOwnImageBuilder } = proxyActivities<Activities>(CALL_OPTIONS);

export async function appStreamImageBuilder(raw: unknown): Promise<AppStreamImageBuilderResult> {
  // Before the input check, for the reason given in amiPipeline.
  const runId = runIdentity();
  const notifying = notificationsEnabled();
  const input = await validatedInput('appstream-builder', raw);
  const stages = new StageTracker(input.name, builderStages(input.action));
  stages.addResource(input.name);
  const notifier = new Notifier(notifying, input.name, input.notify, (text) => stages.note(stages.stage, text));
  return notifier.around(
    () => stages.stage,
    () => actAndWait(input, runId, stages),
    (result) => notifier.send('completed', { summary: `image builder ${result.builder} is ${result.state} (${result.action})` }),
  );
}

async function actAndWait(
  input: AppStreamImageBuilderInput,
  runId: string,
  stages: StageTracker<BuilderStage>,
): Promise<AppStreamImageBuilderResult> {
  const goal = BUILDER_GOALS[input.action];
  const waitStage = builderStages(input.action)[1];
  try {
    const call = await stages.run(input.action, () => act(input, runId));
    stages.note(input.action, call.alreadyDone ? `already ${call.state}` : call.state);
    const arrival = await stages.run(waitStage, () =>
      waitForImageBuilder.executeWithOptions(
        { ...pollOptions(input.waits.builder), summary: `wait until image builder ${input.name} is ${goal}` },
        [input.name, goal],
      ),
    );
    stages.note(waitStage, goal);
    return { builder: input.name, action: input.action, state: goal, arn: arrival.arn ?? call.arn, timings: stages.timings() };
  } catch (err) {
    // A cancelled create removes the builder it made: a builder left running is billed by the hour.
    if (input.action === 'create' && isCancellation(err) && patched('remove-builder-of-cancelled-create')) {
      const outcome = await CancellationScope.nonCancellable(() =>
        removeOwnImageBuilder.executeWithOptions(
          { ...pollOptions(input.waits.builder), summary: `stop and delete image builder ${input.name}, made by this cancelled run` },
          [input.name, { tag: RUN_TAG, value: runId }],
        ),
      );
      stages.note(stages.stage, `clean-up: ${outcome}`);
    }
    throw err;
  }
}

function act(input: AppStreamImageBuilderInput, runId: string) {
  if (input.action !== 'create') {
    return changeImageBuilder.executeWithOptions({ summary: `${input.action} image builder ${input.name}` }, [input.name, input.action]);
  }
  const tags = { ...input.tags, [PIPELINE_TAG]: input.name, [RUN_TAG]: runId };
  return createImageBuilder.executeWithOptions(
    {
      summary: `CreateImageBuilder ${input.name} (${input.instanceType}) from ${input.imageName}`,
      // A cancel waits for a create already sent to end, so the clean-up never looks before the builder exists.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    },
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
