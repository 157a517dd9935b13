import { z } from 'zod';

/** Resource kinds that can be made to end in their failed state. */
export const FAILURE_KINDS = ['image', 'fastLaunch', 'replaceRootVolumeTask', 'appStreamImage', 'builder'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export const failureSchema = z
  .strictObject({
    kind: z.enum(FAILURE_KINDS),
    /** The resource that fails; or use `next` for the next one created. */
    id: z.string().min(1).optional(),
    next: z.boolean().optional(),
    code: z.string().min(1).default('Client.InternalError'),
    message: z.string().default('Injected failure'),
  })
  .refine((f) => (f.id !== undefined) !== (f.next === true), { message: 'give exactly one of id or next: true' });

export type FailureInput = z.input<typeof failureSchema>;
export type Failure = z.output<typeof failureSchema>;

export interface FailureReason {
  code: string;
  message: string;
}

/**
 * Planned failures. Failures for an existing resource are applied by the
 * resource's module right away; these plans cover resources not created yet.
 */
export class FailurePlans {
  private readonly next = new Map<FailureKind, FailureReason[]>();
  private readonly byId = new Map<string, FailureReason>();

  add(failure: Failure): void {
    const reason = { code: failure.code, message: failure.message };
    if (failure.id !== undefined) {
      this.byId.set(`${failure.kind}:${failure.id}`, reason);
    } else {
      this.next.set(failure.kind, [...(this.next.get(failure.kind) ?? []), reason]);
    }
  }

  /** The failure planned for a resource being created now, if any (consumed). */
  takeForNew(kind: FailureKind, id: string): FailureReason | undefined {
    const key = `${kind}:${id}`;
    const planned = this.byId.get(key);
    if (planned) {
      this.byId.delete(key);
      return planned;
    }
    return this.next.get(kind)?.shift();
  }

  clear(): void {
    this.next.clear();
    this.byId.clear();
  }
}
