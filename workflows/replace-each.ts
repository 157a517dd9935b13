/**
 * The heart of a rollout: one `rootVolumeReplacement` child per instance, at most `concurrency` at a
 * time, until the instances run out, the run is cancelled, or more instances have failed than the
 * failure budget allows. Children already running always finish: their tasks are with EC2 and cannot
 * be called back, so the rollout waits to report how each of them ended.
 */
import { ApplicationFailure, CancellationScope, ChildWorkflowFailure, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { RolloutSpec } from '../contracts/ami-pipeline';
import type { WaitSettings } from '../contracts/duration-fields';
import type { InstanceRow } from '../contracts/progress';
import type { RootVolumeReplacementInput } from '../contracts/root-volume-replacement';
import type { rootVolumeReplacement } from './root-volume-replacement';

interface ReplaceEachOptions {
  spec: Pick<RolloutSpec, 'concurrency' | 'failureBudget'>;
  /** Failures counted before these instances (by an earlier run of the same rollout). */
  failuresSoFar: number;
  /** Starts the child for one instance. */
  start: (instanceId: string) => Promise<ChildWorkflowHandle<typeof rootVolumeReplacement>>;
  /**
   * Called once the child has started, not when it was asked for: a child asked for but not yet
   * started never starts if its parent ends first, so until then the instance is still pending.
   */
  started: (instanceId: string) => void;
  ended: (row: InstanceRow) => void;
}

export interface ReplaceEachOutcome {
  /** The instances it never started, in order. */
  notStarted: string[];
  failures: number;
  cancelled: boolean;
  halted: boolean;
}

export async function replaceEach(instanceIds: string[], opts: ReplaceEachOptions): Promise<ReplaceEachOutcome> {
  const runScope = CancellationScope.current();
  let failures = opts.failuresSoFar;
  const stopped = () => runScope.consideredCancelled || failures > opts.spec.failureBudget;

  const replaceOne = async (instanceId: string): Promise<void> => {
    let child: ChildWorkflowHandle<typeof rootVolumeReplacement> | undefined;
    try {
      child = await opts.start(instanceId);
      opts.started(instanceId);
      const { taskId } = await child.result();
      opts.ended({ instanceId, state: 'succeeded', taskId });
    } catch (err) {
      // A child that failed to start moves through running too, so that every count adds up.
      if (!child) opts.started(instanceId);
      failures += 1;
      const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
      const detached = cause instanceof ApplicationFailure && cause.type === 'RootVolumeDetached';
      opts.ended({ instanceId, state: detached ? 'failed-detached' : 'failed', detail: (cause as Error).message });
    }
  };

  let next = 0;
  await CancellationScope.nonCancellable(async () => {
    const running = new Set<Promise<void>>();
    for (; next < instanceIds.length; next++) {
      while (running.size >= opts.spec.concurrency) await Promise.race(running);
      if (stopped()) break;
      const child: Promise<void> = replaceOne(instanceIds[next]!).then(() => void running.delete(child));
      running.add(child);
    }
    await Promise.all(running);
  });
  return {
    notStarted: instanceIds.slice(next),
    failures,
    cancelled: runScope.consideredCancelled,
    halted: failures > opts.spec.failureBudget,
  };
}

/** What one instance's `rootVolumeReplacement` child is given. */
export function replacementInput(
  pipeline: string,
  imageId: string,
  instanceId: string,
  spec: RolloutSpec,
  wait: WaitSettings,
): RootVolumeReplacementInput {
  const { deleteReplacedRootVolume, volumeInitializationRate } = spec;
  return { pipeline, instanceId, imageId, deleteReplacedRootVolume, volumeInitializationRate, wait };
}

/** The child's summary line in the UI. */
export const replacementSummary = (instanceId: string, imageId: string) =>
  `Replace the root volume of \`${instanceId}\` from \`${imageId}\``;
