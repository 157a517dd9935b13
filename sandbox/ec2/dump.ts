import { transitionReason } from './fast-launch';
import type { SandboxState } from '../core/state';
import type { Timeline } from '../core/timeline';

/**
 * Launch templates, fast-launch settings and replace-root-volume tasks in
 * `GET /_sandbox/state`. Times are wall-clock epoch ms; `readyAt` is null while
 * a transition is under way, so benchmarks can measure detection lag from it.
 */

export interface LaunchTemplateDump {
  id: string;
  name: string;
  imageId?: string;
  instanceType?: string;
  tags: Record<string, string>;
}

export interface FastLaunchDump {
  imageId: string;
  state: string;
  /** StateTransitionReason; an injected failure's message once failed. */
  reason: string;
  launchTemplateId?: string;
  maxParallelLaunches: number;
  targetResourceCount: number;
  readyAt: number | null;
}

export interface ReplaceRootVolumeTaskDump {
  id: string;
  instanceId: string;
  state: string;
  clientToken: string;
  imageId?: string;
  snapshotId?: string;
  /** The replacement root volume, once the task has succeeded. */
  newVolumeId?: string;
  failure?: { code: string; message: string };
  readyAt: number | null;
}

function readyAt<S extends string>(lifecycle: Timeline<S>, state: SandboxState): number | null {
  if (!lifecycle.isSettled(state.clock.now())) return null;
  return lifecycle.reachedAtWall(lifecycle.finalState(), state.clock) ?? null;
}

export function dumpLaunchTemplates(state: SandboxState): LaunchTemplateDump[] {
  return [...state.launchTemplates.values()].map((t) => ({
    id: t.id,
    name: t.name,
    imageId: t.imageId,
    instanceType: t.instanceType,
    tags: Object.fromEntries(t.tags),
  }));
}

export function dumpFastLaunch(state: SandboxState): FastLaunchDump[] {
  const now = state.clock.now();
  return [...state.fastLaunch.values()].map((r) => {
    const current = r.lifecycle.stateAt(now);
    return {
      imageId: r.imageId,
      state: current,
      reason: transitionReason(r, current),
      launchTemplateId: r.launchTemplate?.id,
      maxParallelLaunches: r.maxParallelLaunches,
      targetResourceCount: r.targetResourceCount,
      readyAt: readyAt(r.lifecycle, state),
    };
  });
}

export function dumpReplaceRootVolumeTasks(state: SandboxState): ReplaceRootVolumeTaskDump[] {
  const now = state.clock.now();
  return [...state.replaceRootVolumeTasks.values()].map((t) => ({
    id: t.id,
    instanceId: t.instanceId,
    state: t.lifecycle.stateAt(now),
    clientToken: t.clientToken,
    imageId: t.imageId,
    snapshotId: t.snapshotId,
    newVolumeId: t.newVolumeId,
    failure: t.failure,
    readyAt: readyAt(t.lifecycle, state),
  }));
}
