/**
 * Baking from a base image (issue 15): the build instance launched from the source, provisioned step by
 * step with SSM Run Command, stopped for CreateImage; and the test instance launched from the new image
 * and run through its steps. Every instance a run launches carries the run's tag and its role, and is
 * terminated by `terminateInstances` in the run's non-cancellable clean-up, whatever happened: found by
 * its tags, so even one whose RunInstances answer never arrived.
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AmiPipelineInput } from '../contracts/ami-pipeline';
import type { AmiStage } from '../contracts/ami-stages';
import type { StepSpec } from '../contracts/bake';
import { durationMs } from '../contracts/durations';
import { INSTANCE_ROLE_TAG, PIPELINE_TAG, RUN_TAG } from '../contracts/tags';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import type { StageTracker } from './stage-tracker';

const { launchInstance, waitForInstance, stopInstance, terminateRunInstances, sendStep, waitForStep, waitForAgent } =
  proxyActivities<Activities>(CALL_OPTIONS);

export type InstanceRole = 'build' | 'test';

export interface BakeContext {
  workflowId: string;
  runId: string;
  input: AmiPipelineInput;
  stages: StageTracker<AmiStage>;
}

const instanceTags = (ctx: BakeContext, role: InstanceRole) => ({
  ...ctx.input.tags,
  [PIPELINE_TAG]: ctx.input.name,
  [RUN_TAG]: ctx.runId,
  [INSTANCE_ROLE_TAG]: role,
  Name: `golden-image ${role}: ${ctx.input.name}`,
});

/** Launches the instance for `role` from `imageId` and waits until it runs; ready for steps once its agent is online. */
export async function launchFor(role: InstanceRole, imageId: string, ctx: BakeContext, stage: AmiStage): Promise<string> {
  const { build, test } = ctx.input;
  // A test takes what it does not set from the build; a pipeline without a build names its own instance type.
  const settings = role === 'test' ? { ...build, ...definedOnly(test!) } : build!;
  const timeout = role === 'build' ? build!.timeout : test!.timeout;
  // Once asked for, the launch must come back with its ID: the clean-up finds the instance by tag in any case.
  const instanceId = await CancellationScope.nonCancellable(() =>
    launchInstance.executeWithOptions({ summary: `RunInstances: ${role} instance from ${imageId}` }, [
      {
        imageId,
        instanceType: settings.instanceType!,
        subnetId: settings.subnetId,
        securityGroupIds: settings.securityGroupIds,
        instanceProfile: settings.instanceProfile,
        blockDeviceMappings: role === 'build' ? build!.blockDeviceMappings : [],
        tags: instanceTags(ctx, role),
        workKey: `${ctx.workflowId}/${role}/${imageId}`,
      },
    ]),
  );
  ctx.stages.addResource(instanceId);
  ctx.stages.note(stage, `${role} instance ${instanceId}`);
  const wait = { ...pollOptions({ interval: ctx.input.waits.bake.interval, timeout }) };
  await waitForInstance.executeWithOptions({ ...wait, summary: `wait until ${instanceId} is running` }, [instanceId, 'running']);
  await waitForAgent.executeWithOptions({ ...wait, summary: `wait until the SSM agent on ${instanceId} is online` }, [instanceId]);
  return instanceId;
}

/** Runs the steps in order, each once (see activities/ssm/run-command.ts); a failed step fails the stage with its exit code and output. */
export async function runSteps(stage: 'provision' | 'test', instanceId: string, steps: StepSpec[], ctx: BakeContext): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const label = `${stage} step ${i + 1}/${steps.length}`;
    const started = Date.now();
    const handle = await sendStep.executeWithOptions({ summary: `${label}: ${step.document} on ${instanceId}` }, [
      {
        instanceId,
        document: step.document,
        parameters: step.parameters,
        timeoutSeconds: Math.round(durationMs(step.timeout) / 1000),
        workKey: `${ctx.workflowId}/${stage}/${i}`,
        label,
      },
    ]);
    // The step's own timeout, plus time for SSM to report it.
    const timeout = `${Math.round(durationMs(step.timeout) / 1000) + 300}s`;
    await waitForStep.executeWithOptions(
      { ...pollOptions({ interval: ctx.input.waits.bake.interval, timeout }), summary: `wait for ${label}: ${step.document}` },
      [{ ...handle, document: step.document, label }],
    );
    ctx.stages.note(stage, `step ${i + 1} ${step.document}: Success in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}

/** Stops the build instance and waits until it is stopped, so that its image is consistent, as Packer and Image Builder do. */
export async function stopBuild(instanceId: string, ctx: BakeContext): Promise<void> {
  await stopInstance.executeWithOptions({ summary: `StopInstances ${instanceId}` }, [instanceId]);
  await waitForInstance.executeWithOptions(
    {
      ...pollOptions({ interval: ctx.input.waits.bake.interval, timeout: ctx.input.build!.timeout }),
      summary: `wait until ${instanceId} is stopped`,
    },
    [instanceId, 'stopped'],
  );
}

/** Terminates every instance of this run in `role` (none is left running, whatever happened); notes which. */
export async function terminateInstances(role: InstanceRole, ctx: BakeContext, stage: AmiStage): Promise<void> {
  const ended = await CancellationScope.nonCancellable(() =>
    terminateRunInstances.executeWithOptions({ summary: `terminate the ${role} instance` }, [
      { [RUN_TAG]: ctx.runId, [INSTANCE_ROLE_TAG]: role },
    ]),
  );
  if (ended.length) ctx.stages.note(stage, `terminated ${role} instance ${ended.join(', ')}`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
