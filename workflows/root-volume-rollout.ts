/**
 * `rootVolumeRollout`: a rollout onto a fleet of any size. `amiPipeline` starts it as a child; it
 * starts one `rootVolumeReplacement` child per instance (see replace-each.ts for the pacing, the
 * failure budget and cancellation), and after INSTANCES_PER_RUN instances it waits for the running
 * ones and continues as new, carrying only the instances still to do and a summary of fixed size.
 *
 * With `canary`, the first instances go first (a failure among them halts the rollout, whatever the
 * budget); then it waits the bake time and, when asked, for `approve` or `reject` (the same Workflow
 * Updates as the pipeline's approval gate). With `onFailure: rollback`, it records the image each
 * instance runs before replacing it, and a rollout that fails (over budget, or a canary rejected) puts
 * every instance it moved back on that image (rollout-rollback.ts) before it fails.
 *
 * Every replacement child is started with ParentClosePolicy ABANDON: whatever happens to this
 * workflow (terminated, timed out, continued as new), a child whose task is with EC2 keeps watching
 * it to the end. The per-instance record is those children: `golden-image status --instances` lists
 * them from Temporal's visibility store, and this workflow answers for the ones it has not started.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  continueAsNew,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_APPROVAL_TIMEOUT } from '../contracts/approval';
import { durationMs } from '../contracts/durations';
import { emptyRolloutSummary, moveInstances, type InstanceRow, type RolloutSummary } from '../contracts/progress';
import {
  INSTANCES_PER_RUN,
  notStartedQuery,
  replacementWorkflowId,
  ROLLOUT_STAGES,
  type RolloutFailure,
  type RootVolumeRolloutInput,
} from '../contracts/root-volume-rollout';
import { CALL_OPTIONS } from './activity-options';
import { ApprovalGate, approvalAsked } from './approval-gate';
import { Notifier } from './notifications';
import { replaceEach, replacementInput, replacementSummary } from './replace-each';
import { rootVolumeReplacement } from './root-volume-replacement';
import { canaryFailedReason, haltedReason, rolloutCancelled, rolloutFailure } from './rollout-outcome';
import { Moved, rollBack } from './rollout-rollback';
import { rolloutTargets } from './rollout-targets';
import { StageTracker } from './stage-tracker';

const { resolveFleet, instanceImages } = proxyActivities<Activities>(CALL_OPTIONS);

type NotStarted = { state: 'pending' | 'skipped' | 'cancelled'; ids: () => string[] };
/** How a run of the rollout ends when it does not fail: done, or to be continued as new. */
type RunEnd = { summary: RolloutSummary } | { continueWith: RootVolumeRolloutInput };

export async function rootVolumeRollout(input: RootVolumeRolloutInput): Promise<RolloutSummary> {
  // The gate's handlers first, before anything awaits, so that an answer sent early is refused with its reason.
  const gate = new ApprovalGate();
  const { workflowId } = workflowInfo();
  const { spec } = input;
  const rollback = spec.onFailure === 'rollback';
  const stages = new StageTracker(input.pipeline, ROLLOUT_STAGES);
  stages.addResource(input.imageId);
  // Given only by pipelines that notify (after patched('notifications')), so runs begun before replay without it.
  const notifier = new Notifier(input.notify !== undefined, input.pipeline, input.notify, (text) => stages.note('rollout', text));

  const next = await stages.run('rollout', async (): Promise<RunEnd> => {
    const firstRun = input.remaining === undefined;
    // Resolved once, by the first run: the fleet may change during a long rollout, but its targets do not.
    const targets =
      input.remaining ??
      spec.instanceIds ??
      (await resolveFleet.executeWithOptions({ summary: `find running ${rolloutTargets(spec)}` }, [
        { tags: spec.tags, launchTemplate: spec.launchTemplate, platform: input.platform, architecture: input.architecture },
      ]));
    if (firstRun && spec.canary && spec.canary.instances >= targets.length) {
      throw ApplicationFailure.nonRetryable(
        `canary.instances: must be fewer than the ${targets.length} instances of the rollout (got ${spec.canary.instances})`,
        'InvalidInput',
      );
    }
    const summary = input.summary ?? emptyRolloutSummary(targets.length, workflowId);
    const moved = new Moved(input.moved);
    let canaryLeft = input.canaryLeft ?? (firstRun ? (spec.canary?.instances ?? 0) : 0);
    let room = input.instancesPerRun ?? INSTANCES_PER_RUN;
    const running = new Map<string, InstanceRow>();
    const started = new Set<string>();
    let notStarted: NotStarted = input.rollingBack
      ? { state: 'skipped', ids: () => targets }
      : { state: 'pending', ids: () => targets.filter((id) => !started.has(id)) };
    setHandler(notStartedQuery, ({ offset, limit }) => {
      const ids = notStarted.ids();
      return { state: notStarted.state, instanceIds: ids.slice(offset, offset + limit), total: ids.length };
    });
    const publish = () => stages.setInstances([...running.values(), ...summary.failed], summary);
    publish();
    const stop = (state: 'skipped' | 'cancelled', rest: string[]) => {
      moveInstances(summary, 'pending', state, rest.length);
      notStarted = { state, ids: () => rest };
      publish();
    };

    /** Puts moved instances back, as many as this run has room for; the rest after continuing as new. */
    const rollBackAndFail = async (failure: RolloutFailure, notStartedIds: string[]): Promise<RunEnd> => {
      const back = moved.take(room);
      room -= back.size;
      const outcome = await rollBack(back, {
        rolloutId: workflowId,
        pipeline: input.pipeline,
        imageId: input.imageId,
        spec,
        wait: input.wait,
        started: (row) => {
          running.set(row.instanceId, row);
          moveInstances(summary, 'succeeded', 'rolling-back');
          publish();
        },
        ended: (row) => {
          running.delete(row.instanceId);
          moveInstances(summary, 'rolling-back', row);
          publish();
        },
      });
      if (outcome.cancelled) {
        const left = outcome.notStarted.length + moved.size;
        throw new CancelledFailure(`rollout cancelled while rolling back; ${left} instances not rolled back, still on ${input.imageId}`);
      }
      if (moved.size)
        return { continueWith: { ...input, remaining: notStartedIds, summary, moved: moved.carried(), rollingBack: failure } };
      throw rolloutFailure(failure, summary, true);
    };

    const fail = (failure: RolloutFailure, rest: string[]) => {
      stop('skipped', rest);
      if (!rollback) throw rolloutFailure(failure, summary);
      stages.note('rollout', `${failure.reason}; rolling back ${moved.size} instances`);
      return rollBackAndFail(failure, rest);
    };

    /** After the canary: its bake time, then (when asked) an approval. A rejection or no answer in time is a failure. */
    const canaryWait = async (rest: string[]): Promise<RolloutFailure | undefined> => {
      const { instances, bakeTime, approval: ask } = spec.canary!;
      stages.note('rollout', `canary: ${instances} succeeded${durationMs(bakeTime) ? `; waiting ${bakeTime} bake time` : ''}`);
      try {
        if (durationMs(bakeTime)) await sleep(durationMs(bakeTime));
        if (!ask) return undefined;
        // Without a pipeline policy: anyone, as long as a pipeline's own gate waits by default.
        const policy = input.approval ?? { timeout: DEFAULT_APPROVAL_TIMEOUT };
        stages.note('rollout', `waiting for approval of the canary${policy.approvers ? ` (${approvalAsked(policy)})` : ''}`);
        const canary = `the canary of ${input.imageId} (${instances} instance${instances === 1 ? '' : 's'})`;
        notifier.approvalNeeded(
          policy,
          { summary: `${input.pipeline}: ${canary} waits for approval`, stage: 'rollout', images: [{ image: input.imageId }] },
          'canary',
        );
        await gate.wait(policy, (line) => stages.note('rollout', `canary ${line}`));
        return undefined;
      } catch (err) {
        if (isCancellation(err)) {
          stop('cancelled', rest);
          throw rolloutCancelled();
        }
        if (err instanceof ApplicationFailure && err.type === 'Rejected')
          return { type: 'CanaryRejected', reason: `canary ${err.message}` };
        if (err instanceof ApplicationFailure && err.type === 'ApprovalTimeout')
          return { type: 'ApprovalTimeout', reason: `canary: ${err.message}` };
        throw err;
      } finally {
        // The approval-needed notification is not left behind, however the wait ended (one activity, bounded by its retries).
        await notifier.settle();
      }
    };

    if (input.rollingBack) return rollBackAndFail(input.rollingBack, targets);

    let queue = targets;
    while (queue.length && room > 0) {
      // The canary is a batch of its own: it ends where the canary does, and allows no failure.
      const inCanary = canaryLeft > 0;
      const batch = queue.slice(0, inCanary ? Math.min(room, canaryLeft) : room);
      queue = queue.slice(batch.length);
      room -= batch.length;
      // Recorded before any of them is replaced: the image a rollback puts each one back on.
      const before = rollback
        ? await instanceImages.executeWithOptions({ summary: `record the images of ${batch.length} instances` }, [batch])
        : {};
      const outcome = await replaceEach(batch, {
        spec: inCanary ? { concurrency: spec.concurrency, failureBudget: 0 } : spec,
        failuresSoFar: summary.counts.failed + summary.counts['failed-detached'],
        started: (instanceId) => {
          started.add(instanceId);
          running.set(instanceId, { instanceId, state: 'running' });
          moveInstances(summary, 'pending', 'running');
          publish();
        },
        ended: (row) => {
          running.delete(row.instanceId);
          const previous = before[row.instanceId];
          if (row.state === 'succeeded' && previous) moved.add(row.instanceId, previous);
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

      const rest = [...outcome.notStarted, ...queue];
      if (outcome.cancelled) {
        stop('cancelled', rest);
        throw rolloutCancelled();
      }
      if (outcome.halted) {
        return fail(
          inCanary
            ? canaryFailedReason(outcome.failures, spec.canary!.instances)
            : haltedReason(outcome.failures, spec.failureBudget, summary),
          rest,
        );
      }
      if (inCanary) {
        canaryLeft -= batch.length;
        const failure = canaryLeft ? undefined : await canaryWait(queue);
        if (failure) return fail(failure, queue);
      }
    }
    if (queue.length) {
      const carried = { ...(canaryLeft && { canaryLeft }), ...(rollback && { moved: moved.carried() }) };
      return { continueWith: { ...input, remaining: queue, summary, ...carried } };
    }
    return { summary };
  });
  // Outside the stage: continuing as new ends this run, and is no failure of the stage.
  if ('continueWith' in next) return continueAsNew<typeof rootVolumeRollout>(next.continueWith);
  return next.summary;
}
