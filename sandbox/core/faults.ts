import { z } from 'zod';
import { scopeMembers, type Scope } from './state';

export const SERVICE_NAMES = ['ec2', 'appstream', 'ssm', 'kms', 'sts', 'autoscaling', 'cloudwatch', 'sns'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const faultSchema = z
  .strictObject({
    service: z.enum(SERVICE_NAMES),
    action: z.string().min(1),
    count: z.number().int().positive().default(1),
    /** Answer with this AWS error instead of running the action. */
    error: z
      .strictObject({
        code: z.string().min(1),
        status: z.number().int().min(400).max(599).default(500),
        message: z.string().default('Injected fault'),
      })
      .optional(),
    /** Never answer; keep the connection open until the client gives up. */
    hang: z.boolean().optional(),
    /** Destroy the connection without an answer. */
    reset: z.boolean().optional(),
    /** Run the action, then destroy the connection: the change is made but its answer is lost. */
    loseAnswer: z.boolean().optional(),
    /** Only calls from this account and/or to this Region; any caller's unless given. */
    ...scopeMembers,
  })
  .refine((f) => [f.error !== undefined, f.hang === true, f.reset === true, f.loseAnswer === true].filter(Boolean).length === 1, {
    message: 'exactly one of error, hang, reset or loseAnswer is required',
  });

export type FaultInput = z.input<typeof faultSchema>;
export type Fault = z.output<typeof faultSchema>;

/** Queued faults for the next N calls of an action; oldest first. */
export class FaultInjector {
  private faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** The fault the next call of this action from `caller` suffers, if any (consumes one use). */
  take(service: ServiceName, action: string, caller: Scope): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.service === service &&
        f.action === action &&
        (f.accountId === undefined || f.accountId === caller.accountId) &&
        (f.region === undefined || f.region === caller.region),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  pending(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }
}
