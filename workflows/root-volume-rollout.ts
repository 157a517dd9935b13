/**
 * The rollout stage: one `rootVolumeReplacement` child per instance, at most `concurrency` at a time.
 * When more instances fail than the failure budget allows, no new child starts and the stage fails.
 * Cancelling the run stops new children but lets running ones finish: their tasks are already with
 * EC2 and cannot be called back, so the run reports how each of them ended.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  executeChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { RolloutSpec } from '../contracts/ami-pipeline';
import type { WaitSettings } from '../contracts/durations';
import type { InstanceRow } from '../contracts/progress';
import { rootVolumeReplacement } from './root-volume-replacement';

interface RolloutContext {
  pipeline: string;
  imageId: string;
  wait: WaitSettings;
  /** Called whenever a row changes, to publish the table. */
  onChange: (rows: InstanceRow[]) => void;
}

export async function rollOut(targets: string[], spec: RolloutSpec, ctx: RolloutContext): Promise<InstanceRow[]> {
  const rows: InstanceRow[] = targets.map((instanceId) => ({ instanceId, state: 'pending' }));
  const runScope = CancellationScope.current();
  let failures = 0;

  const replace = async (row: InstanceRow): Promise<void> => {
    row.state = 'running';
    ctx.onChange(rows);
    try {
      const { taskId } = await executeChild(rootVolumeReplacement, {
        workflowId: `${workflowInfo().workflowId}/root-volume/${row.instanceId}`,
        args: [
          {
            pipeline: ctx.pipeline,
            instanceId: row.instanceId,
            imageId: ctx.imageId,
            deleteReplacedRootVolume: spec.deleteReplacedRootVolume,
            volumeInitializationRate: spec.volumeInitializationRate,
            wait: ctx.wait,
          },
        ],
        staticSummary: `Replace the root volume of \`${row.instanceId}\` from \`${ctx.imageId}\``,
      });
      Object.assign(row, { state: 'succeeded', taskId });
    } catch (err) {
      failures += 1;
      const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
      const detached = cause instanceof ApplicationFailure && cause.type === 'RootVolumeDetached';
      Object.assign(row, { state: detached ? 'failed-detached' : 'failed', detail: (cause as Error).message });
    }
    ctx.onChange(rows);
  };

  await CancellationScope.nonCancellable(async () => {
    const running = new Set<Promise<void>>();
    for (const row of rows) {
      while (running.size >= spec.concurrency) await Promise.race(running);
      if (runScope.consideredCancelled || failures > spec.failureBudget) break;
      const child: Promise<void> = replace(row).then(() => void running.delete(child));
      running.add(child);
    }
    await Promise.all(running);
  });

  const why = runScope.consideredCancelled ? 'cancelled' : 'rollout halted';
  for (const row of rows.filter((r) => r.state === 'pending'))
    Object.assign(row, { state: runScope.consideredCancelled ? 'cancelled' : 'skipped', detail: `not started: ${why}` });
  ctx.onChange(rows);

  if (runScope.consideredCancelled) throw new CancelledFailure('rollout cancelled; running replacements were allowed to finish');
  if (failures > spec.failureBudget) {
    const incident = incidents(rows);
    throw ApplicationFailure.nonRetryable(
      `rollout halted: ${failures} of ${rows.length} instances failed, over the failure budget of ${spec.failureBudget}${incident ? `; ${incident}` : ''}`,
      'RolloutHalted',
      rows,
    );
  }
  return rows;
}

/** Instances left without a root volume (`failed-detached`) need a person; say so loudly. */
export function incidents(rows: InstanceRow[]): string | undefined {
  const detached = rows.filter((r) => r.state === 'failed-detached').map((r) => r.instanceId);
  return detached.length ? `INCIDENT: ${detached.join(', ')} left without a root volume; needs a person` : undefined;
}
