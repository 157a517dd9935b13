/**
 * `onFailure: rollback`: the instances a rollout moved to its image, by the image each ran before, and
 * the way back: each one's root volume replaced again from its old image by a `rootVolumeReplacement`
 * child of its own (ID `<rollout>-rollback/<instance>`), as many at a time as the rollout's concurrency.
 * A rollback never halts: every instance is tried, and one that cannot be put back is an incident.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { RolloutSpec } from '../contracts/ami-pipeline';
import type { WaitSettings } from '../contracts/duration-fields';
import type { InstanceRow } from '../contracts/progress';
import { rollbackWorkflowId, type MovedInstances } from '../contracts/root-volume-rollout';
import { replaceEach, replacementInput, type ReplaceEachOutcome } from './replace-each';
import { rootVolumeReplacement } from './root-volume-replacement';

/** The moved instances, kept grouped by their old image so that continue-as-new carries little. */
export class Moved {
  private readonly byImage: MovedInstances;

  constructor(carried: MovedInstances = {}) {
    this.byImage = Object.fromEntries(Object.entries(carried).map(([imageId, ids]) => [imageId, [...ids]]));
  }

  add(instanceId: string, previousImageId: string): void {
    (this.byImage[previousImageId] ??= []).push(instanceId);
  }

  get size(): number {
    return Object.values(this.byImage).reduce((n, ids) => n + ids.length, 0);
  }

  /** Takes up to `count` instances out, each with the image to put it back on. */
  take(count: number): Map<string, string> {
    const taken = new Map<string, string>();
    for (const [imageId, ids] of Object.entries(this.byImage)) {
      for (const instanceId of ids.splice(0, count - taken.size)) taken.set(instanceId, imageId);
      if (!ids.length) delete this.byImage[imageId];
    }
    return taken;
  }

  /** What continue-as-new carries. */
  carried(): MovedInstances {
    return Object.fromEntries(Object.entries(this.byImage).map(([imageId, ids]) => [imageId, [...ids]]));
  }
}

interface RollbackContext {
  /** The rollout's workflow ID: rollbacks live beside its replacements. */
  rolloutId: string;
  pipeline: string;
  /** The image the rollout put on, which an instance keeps when its rollback fails. */
  imageId: string;
  spec: RolloutSpec;
  wait: WaitSettings;
  started: (row: InstanceRow) => void;
  ended: (row: InstanceRow) => void;
}

/** Puts each instance back on the image it ran before; `back` maps instance to that image. */
export function rollBack(back: Map<string, string>, ctx: RollbackContext): Promise<ReplaceEachOutcome> {
  return replaceEach([...back.keys()], {
    spec: { concurrency: ctx.spec.concurrency, failureBudget: Infinity },
    failuresSoFar: 0,
    started: (instanceId) => ctx.started({ instanceId, state: 'rolling-back', imageId: back.get(instanceId) }),
    ended: (row) => {
      const previous = back.get(row.instanceId)!;
      if (row.state === 'succeeded') return ctx.ended({ ...row, state: 'rolled-back', imageId: previous });
      const detail = `rollback to ${previous}: ${row.detail ?? 'failed'}`;
      // `failed`: the volume from the new image is still attached; `failed-detached`: no root volume at all.
      ctx.ended(
        row.state === 'failed-detached'
          ? { ...row, detail }
          : { instanceId: row.instanceId, state: 'rollback-failed', imageId: ctx.imageId, detail },
      );
    },
    start: (instanceId) =>
      startChild(rootVolumeReplacement, {
        workflowId: rollbackWorkflowId(ctx.rolloutId, instanceId),
        args: [replacementInput(ctx.pipeline, back.get(instanceId)!, instanceId, ctx.spec, ctx.wait)],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `Roll \`${instanceId}\` back: replace its root volume from \`${back.get(instanceId)!}\``,
      }),
  });
}
