/**
 * `rootVolumeRollout`: a rollout onto a fleet of any size. `amiPipeline` starts it as a child; it
 * starts one `rootVolumeReplacement` child per instance (see replace-each.ts for the pacing, the
 * failure budget and cancellation), and after INSTANCES_PER_RUN instances it waits for the running
 * ones and continues as new, carrying only the instances still to do and a summary of fixed size.
 *
 * Every replacement child is started with ParentClosePolicy ABANDON: whatever happens to this
 * workflow (terminated, timed out, continued as new), a child whose task is with EC2 keeps watching
 * it to the end. The per-instance record is those children: `golden-image status --instances` lists
 * them from Temporal's visibility store, and this workflow answers for the ones it has not started.
 */
import { continueAsNew, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { emptyRolloutSummary, moveInstances, type InstanceRow, type RolloutSummary } from '../contracts/progress';
import {
  INSTANCES_PER_RUN,
  notStartedQuery,
  replacementWorkflowId,
  ROLLOUT_STAGES,
  type RootVolumeRolloutInput,
} from '../contracts/root-volume-rollout';
import { CALL_OPTIONS } from './activity-options';
import { replaceEach, replacementInput, replacementSummary } from './replace-each';
import { rootVolumeReplacement } from './root-volume-replacement';
import { rolloutCancelled, rolloutHalted } from './rollout-outcome';
import { rolloutTargets } from './rollout-targets';
import { StageTracker } from './stage-tracker';

const { resolveFleet } = proxyActivities<Activities>(CALL_OPTIONS);

export async function rootVolumeRollout(input: RootVolumeRolloutInput): Promise<RolloutSummary> {
  const { workflowId } = workflowInfo();
  const { spec } = input;
  const stages = new StageTracker(input.pipeline, ROLLOUT_STAGES);
  stages.addResource(input.imageId);

  const { summary, rest } = await stages.run('rollout', async () => {
    // Resolved once, by the first run: the fleet may change during a long rollout, but its targets do not.
    const targets =
      input.remaining ??
      spec.instanceIds ??
      (await resolveFleet.executeWithOptions({ summary: `find running ${rolloutTargets(spec)}` }, [
        { tags: spec.tags, launchTemplate: spec.launchTemplate, platform: input.platform, architecture: input.architecture },
      ]));
    const summary = input.summary ?? emptyRolloutSummary(targets.length, workflowId);
    const batch = targets.slice(0, input.instancesPerRun ?? INSTANCES_PER_RUN);
    const running = new Map<string, InstanceRow>();
    const started = new Set<string>();
    let notStarted: { state: 'pending' | 'skipped' | 'cancelled'; ids: () => string[] } = {
      state: 'pending',
      ids: () => targets.filter((id) => !started.has(id)),
    };
    setHandler(notStartedQuery, ({ offset, limit }) => {
      const ids = notStarted.ids();
      return { state: notStarted.state, instanceIds: ids.slice(offset, offset + limit), total: ids.length };
    });
    const publish = () => stages.setInstances([...running.values(), ...summary.failed], summary);
    publish();

    const outcome = await replaceEach(batch, {
      spec,
      failuresSoFar: summary.counts.failed + summary.counts['failed-detached'],
      started: (instanceId) => {
        started.add(instanceId);
        running.set(instanceId, { instanceId, state: 'running' });
        moveInstances(summary, 'pending', 'running');
        publish();
      },
      ended: (row) => {
        running.delete(row.instanceId);
        moveInstances(summary, 'running', row);
        publish();
      },
      start: (instanceId) =>
        startChild(rootVolumeReplacement, {
          workflowId: replacementWorkflowId(workflowId, instanceId),
          args: [replacementInput(input.pipeline, input.imageId, instanceId, spec, input.wait)],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: replacementSummary(instanceId, input.imageId),
        }),
    });

    const rest = [...outcome.notStarted, ...targets.slice(batch.length)];
    if (outcome.cancelled || outcome.halted) {
      const state = outcome.cancelled ? 'cancelled' : 'skipped';
      moveInstances(summary, 'pending', state, rest.length);
      notStarted = { state, ids: () => rest };
      publish();
      throw outcome.cancelled ? rolloutCancelled() : rolloutHalted(outcome.failures, spec.failureBudget, summary);
    }
    return { summary, rest };
  });
  // Outside the stage: continuing as new ends this run, and is no failure of the stage.
  if (rest.length) return continueAsNew<typeof rootVolumeRollout>({ ...input, remaining: rest, summary });
  return summary;
}
