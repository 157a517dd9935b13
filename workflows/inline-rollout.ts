/**
 * The rollout as runs started before the `rollout-as-child-workflow` patch made it: inside the
 * pipeline's own history, with a row per instance. Kept so that those runs replay and finish as
 * they began; new runs use the `rootVolumeRollout` workflow, whose history stays bounded.
 */
import { startChild, workflowInfo } from '@temporalio/workflow';
import type { RolloutSpec } from '../contracts/ami-pipeline';
import type { WaitSettings } from '../contracts/duration-fields';
import { emptyRolloutSummary, moveInstances, type InstanceRow, type RolloutSummary } from '../contracts/progress';
import { replaceEach, replacementInput, replacementSummary } from './replace-each';
import { rootVolumeReplacement } from './root-volume-replacement';
import { rolloutCancelled, rolloutHalted } from './rollout-outcome';

interface InlineRolloutContext {
  pipeline: string;
  imageId: string;
  wait: WaitSettings;
  /** Called whenever a row changes, to publish the table. */
  onChange: (rows: InstanceRow[]) => void;
}

export async function inlineRollout(targets: string[], spec: RolloutSpec, ctx: InlineRolloutContext): Promise<RolloutSummary> {
  const rows = new Map<string, InstanceRow>(targets.map((instanceId) => [instanceId, { instanceId, state: 'pending' }]));
  const publish = () => ctx.onChange([...rows.values()]);
  const outcome = await replaceEach(targets, {
    spec,
    failuresSoFar: 0,
    started: (instanceId) => {
      rows.get(instanceId)!.state = 'running';
      publish();
    },
    ended: (row) => {
      rows.set(row.instanceId, row);
      publish();
    },
    start: (instanceId) =>
      startChild(rootVolumeReplacement, {
        workflowId: `${workflowInfo().workflowId}/root-volume/${instanceId}`,
        args: [replacementInput(ctx.pipeline, ctx.imageId, instanceId, spec, ctx.wait)],
        staticSummary: replacementSummary(instanceId, ctx.imageId),
      }),
  });

  const why = outcome.cancelled ? 'cancelled' : 'rollout halted';
  for (const instanceId of outcome.notStarted)
    rows.set(instanceId, { instanceId, state: outcome.cancelled ? 'cancelled' : 'skipped', detail: `not started: ${why}` });
  publish();

  const summary = emptyRolloutSummary(targets.length);
  for (const row of rows.values()) moveInstances(summary, 'pending', row);
  if (outcome.cancelled) throw rolloutCancelled();
  if (outcome.halted) throw rolloutHalted(outcome.failures, spec.failureBudget, summary);
  return summary;
}
