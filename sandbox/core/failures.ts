import { z } from 'zod';
import { scopeKey, scopeMembers, type Scope } from './state';

/**
 * Resource kinds that can be made to end in their failed state; and `snapshotDeletion`: a DeregisterImage
 * with DeleteAssociatedSnapshots leaves the snapshot in place and reports `code` as its return code.
 */
export const FAILURE_KINDS = ['image', 'fastLaunch', 'replaceRootVolumeTask', 'appStreamImage', 'builder', 'snapshotDeletion'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The DeleteSnapshotResults return codes of a snapshot DeregisterImage could not delete, as the EC2 API documents them. */
export const SNAPSHOT_DELETION_ERRORS = ['missing-permissions', 'internal-error', 'client-error'] as const;

/** Where an injected failure sends an image builder: FAILED (terminal) or UPDATING_AGENT (a detour before RUNNING). */
export const BUILDER_FAILURE_STATES = ['FAILED', 'UPDATING_AGENT'] as const;
export type BuilderFailureState = (typeof BUILDER_FAILURE_STATES)[number];
const isBuilderFailureState = (state?: string): state is BuilderFailureState =>
  (BUILDER_FAILURE_STATES as readonly string[]).includes(state ?? '');

export const failureSchema = z
  .strictObject({
    kind: z.enum(FAILURE_KINDS),
    /** The resource that fails; or use `next` for the next one created. */
    id: z.string().min(1).optional(),
    next: z.boolean().optional(),
    code: z.string().min(1).default('Client.InternalError'),
    message: z.string().default('Injected failure'),
    /** replaceRootVolumeTask only: the next task created for this instance fails (a `next` scoped to one instance). */
    instanceId: z.string().min(1).optional(),
    /**
     * replaceRootVolumeTask: `failed` keeps the original root volume attached; `failed-detached` leaves none.
     * builder: FAILED (the default) or UPDATING_AGENT.
     */
    state: z.enum(['failed', 'failed-detached', ...BUILDER_FAILURE_STATES]).optional(),
    /** The account and Region the resource is (or will be) in: the default account and Region unless given. */
    ...scopeMembers,
  })
  .refine((f) => (f.id !== undefined) !== (f.next === true || f.instanceId !== undefined), {
    message: 'give exactly one of id, or next: true and/or instanceId',
  })
  .refine((f) => f.kind === 'replaceRootVolumeTask' || (f.instanceId === undefined && (f.state === undefined || f.kind === 'builder')), {
    message: 'instanceId and state apply only to kind replaceRootVolumeTask (and state to builder)',
  })
  .refine((f) => f.state === undefined || isBuilderFailureState(f.state) === (f.kind === 'builder'), {
    message: 'state is failed or failed-detached for replaceRootVolumeTask, FAILED or UPDATING_AGENT for builder',
  })
  .refine((f) => f.kind !== 'snapshotDeletion' || (SNAPSHOT_DELETION_ERRORS as readonly string[]).includes(f.code), {
    message: `code is one of ${SNAPSHOT_DELETION_ERRORS.join(', ')} for snapshotDeletion`,
  })
  // Builder states travel in their own field, so `state` keeps the type the EC2 resources expect.
  .transform(({ state, ...rest }) =>
    isBuilderFailureState(state) ? { ...rest, state: undefined, builderState: state } : { ...rest, state, builderState: undefined },
  );

export type FailureInput = z.input<typeof failureSchema>;
export type Failure = z.output<typeof failureSchema>;

export interface FailureReason {
  code: string;
  message: string;
  /** The failed state to end in, for resources that have more than one. */
  state?: 'failed' | 'failed-detached';
  /** builder only: FAILED, or UPDATING_AGENT for an agent-update detour. */
  builderState?: BuilderFailureState;
}

/**
 * Planned failures in one account and Region. Failures for an existing resource are applied by the
 * resource's module right away; these plans cover resources not created yet.
 */
export class FailurePlans {
  private readonly next = new Map<FailureKind, FailureReason[]>();
  private readonly byId = new Map<string, FailureReason>();
  private readonly nextForInstance = new Map<string, FailureReason[]>();

  add(failure: Failure): void {
    const reason: FailureReason = {
      code: failure.code,
      message: failure.message,
      ...(failure.state && { state: failure.state }),
      ...(failure.builderState && { builderState: failure.builderState }),
    };
    if (failure.id !== undefined) {
      this.byId.set(`${failure.kind}:${failure.id}`, reason);
    } else if (failure.instanceId !== undefined) {
      const key = `${failure.kind}:${failure.instanceId}`;
      this.nextForInstance.set(key, [...(this.nextForInstance.get(key) ?? []), reason]);
    } else {
      this.next.set(failure.kind, [...(this.next.get(failure.kind) ?? []), reason]);
    }
  }

  /**
   * The failure planned for a resource being created now, if any (consumed).
   * `instanceId` names the instance the resource belongs to, for plans scoped to one.
   */
  takeForNew(kind: FailureKind, id: string, instanceId?: string): FailureReason | undefined {
    const key = `${kind}:${id}`;
    const planned = this.byId.get(key);
    if (planned) {
      this.byId.delete(key);
      return planned;
    }
    const forInstance = instanceId === undefined ? undefined : this.nextForInstance.get(`${kind}:${instanceId}`)?.shift();
    return forInstance ?? this.next.get(kind)?.shift();
  }

  clear(): void {
    this.next.clear();
    this.byId.clear();
    this.nextForInstance.clear();
  }
}

/** Planned failures per account and Region: a plan applies only to resources created there. */
export class ScopedFailurePlans {
  private readonly plans = new Map<string, FailurePlans>();

  in(scope: Scope): FailurePlans {
    const key = scopeKey(scope);
    let plans = this.plans.get(key);
    if (!plans) {
      plans = new FailurePlans();
      this.plans.set(key, plans);
    }
    return plans;
  }

  clear(): void {
    this.plans.clear();
  }
}
