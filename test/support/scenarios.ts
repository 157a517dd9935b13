/**
 * Arranging reliability scenarios on the sandbox: earlier images for retention to retire, AppStream
 * updates, and waiting until a given call has reached the sandbox.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { CreateImageCommand, EnableFastLaunchCommand } from '@aws-sdk/client-ec2';
import type { WorkflowHandle } from '@temporalio/client';
import { FAST_LAUNCH_TEMPLATE_NAME, type SandboxAdmin, type CallCounts, type FaultInput, type Durations } from '@golden-image/aws-sandbox';
import type { AmiPipelineConfig } from '../../contracts/ami-pipeline';
import { PIPELINE_TAG, RELEASED_TAG } from '../../contracts/tags';
import type { PipelineProgress } from '../../contracts/progress';
import { pendingWork, waitForProgress } from './runs';
import type { OwnSandbox } from './own-sandbox';

/** Short polls for every wait, so a scenario's run moves as fast as the sandbox lets it. */
export const FAST_WAIT = { interval: '100ms', timeout: '5m' };
export const FAST_WAITS = { image: FAST_WAIT, copy: FAST_WAIT, fastLaunch: FAST_WAIT, rootVolume: FAST_WAIT };

/** An amiPipeline run held in one stage when something happens to it (its worker killed, a cancel). */
export interface StageScenario {
  stage: string;
  config: Partial<AmiPipelineConfig>;
  /** Sandbox durations that hold the run in the stage. */
  durations?: Partial<Durations>;
  fault?: FaultInput;
  /** Earlier images of the pipeline, with fast launch on, for retention to retire. */
  earlierImages?: number;
  /** Where the run must be: its progress, and the calls that have reached the sandbox. */
  at: { progress: (p: PipelineProgress) => boolean; calls?: (c: CallCounts) => boolean };
}

/** Sets a scenario up: four fleet instances tagged fleet=web for a rollout, earlier images, durations, fresh counts, the fault. */
export async function arrangeStage(
  sandbox: OwnSandbox,
  scenario: StageScenario,
  pipeline: string,
  buildInstance: string,
): Promise<{ fleet: string[]; earlier: string[] }> {
  const fleet = scenario.config.rollout ? await sandbox.launchInstances('windows', 4, { fleet: 'web' }) : [];
  const earlier = scenario.earlierImages ? await seedPipelineImages(sandbox, pipeline, buildInstance, scenario.earlierImages, true) : [];
  if (scenario.durations) await sandbox.admin.configure({ durations: scenario.durations });
  await sandbox.admin.resetCalls();
  if (scenario.fault) await sandbox.admin.fault(scenario.fault);
  return { fleet, earlier };
}

/** Waits until the run is where the scenario says; returns the time it got there. */
export async function untilStage(handle: WorkflowHandle, admin: SandboxAdmin, at: StageScenario['at']): Promise<number> {
  await waitForProgress(handle, at.progress, 60_000);
  try {
    return (await untilCalls(admin, at.calls ?? (() => true))).at;
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${await pendingWork(handle)}`);
  }
}

/** The sandbox's switch for "AWS has updates for this image". */
export async function setAppStreamUpdateAvailable(sandboxUrl: string, imageName: string): Promise<void> {
  const response = await fetch(`${sandboxUrl}/_sandbox/appstream/updates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imageName, available: true }),
  });
  assert.equal(response.status, 200);
}

/** Polls the sandbox's call counts until `predicate` holds; returns the counts and when it held. */
export async function untilCalls(
  admin: SandboxAdmin,
  predicate: (calls: CallCounts) => boolean,
  timeoutMs = 60_000,
): Promise<{ calls: CallCounts; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const calls = await admin.calls();
    if (predicate(calls)) return { calls, at: Date.now() };
    if (Date.now() > deadline) throw new Error(`call condition not met within ${timeoutMs} ms: ${JSON.stringify(calls)}`);
    await sleep(50);
  }
}

export const ec2Count = (calls: CallCounts, action: string, field: 'total' | 'throttled' | 'faulted' = 'total') =>
  calls.ec2[action]?.[field] ?? 0;
export const appStreamCount = (calls: CallCounts, action: string, field: 'total' | 'throttled' | 'faulted' = 'total') =>
  calls.appstream[action]?.[field] ?? 0;

/**
 * Images an earlier, finished run of `pipeline` would have left (image and snapshots tagged, the image
 * released), available, and with fast launch enabled when asked, for retention to retire. Made through the SDK, like a user would.
 */
export async function seedPipelineImages(
  stack: Pick<OwnSandbox, 'ec2' | 'admin'>,
  pipeline: string,
  instanceId: string,
  count: number,
  fastLaunch = false,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const tags = [{ Key: PIPELINE_TAG, Value: pipeline }];
    const out = await stack.ec2.send(
      new CreateImageCommand({
        InstanceId: instanceId,
        Name: `${pipeline}-earlier-${i}`,
        NoReboot: true,
        TagSpecifications: [
          { ResourceType: 'image', Tags: [...tags, { Key: RELEASED_TAG, Value: '2026-01-01T00:00:00.000Z' }] },
          { ResourceType: 'snapshot', Tags: tags },
        ],
      }),
    );
    ids.push(out.ImageId!);
    // Distinct creation dates, so retention's newest-first order is well defined.
    await sleep(20);
  }
  await stack.admin.advance();
  if (fastLaunch) {
    for (const ImageId of ids) {
      await stack.ec2.send(
        new EnableFastLaunchCommand({ ImageId, LaunchTemplate: { LaunchTemplateName: FAST_LAUNCH_TEMPLATE_NAME, Version: '$Default' } }),
      );
    }
    await stack.admin.advance();
  }
  return ids;
}

/**
 * The run's result, or a failure after `timeoutMs` that says what the run was waiting on (its pending
 * activities with attempt and last failure), so a run stuck on a fault shows why.
 */
export async function resultWithin<R>(handle: WorkflowHandle, timeoutMs: number): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void pendingWork(handle).then(
        (pending) => reject(new Error(`still running after ${timeoutMs} ms: ${pending}`)),
        (err: unknown) => reject(err as Error),
      );
    }, timeoutMs);
  });
  try {
    return (await Promise.race([handle.result(), expired])) as R;
  } finally {
    clearTimeout(timer);
  }
}
