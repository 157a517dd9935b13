import { z } from 'zod';
import type { SandboxConfig } from '../core/config';
import { drawDuration } from '../core/duration-draw';
import { scopeMembers } from '../core/state';
import type { OutcomePlan, PlannedRun, SsmState } from './state';

/**
 * What a command's run does on an instance is the script's business, so the admin API says it:
 * `POST /_sandbox/ssm/command-outcomes` plans how the next `count` invocations of a document (on one
 * instance, and/or whose parameters contain a string) end: Success or Failed with an exit code and
 * output, or Execution Timed Out, after `durationMs` (the profile's `command` duration unless given).
 * Plans are kept per account and Region, oldest first, until used or cleared; an invocation no plan
 * matches succeeds with exit code 0 and no output.
 */

export const commandOutcomeSchema = z
  .strictObject({
    documentName: z.string().min(1),
    instanceId: z
      .string()
      .regex(/^i-[0-9a-f]{8,17}$/, 'an instance ID looks like i-0123456789abcdef0')
      .optional(),
    /** Matches a command one of whose parameters (its lines joined by newlines) contains this. */
    parametersContain: z.string().min(1).optional(),
    status: z.enum(['Success', 'Failed', 'TimedOut']),
    /** Failed only (default 1): Success exits 0, and a timed-out run reports the agent's stop code. */
    exitCode: z.number().int().optional(),
    stdout: z.string().default(''),
    stderr: z.string().default(''),
    durationMs: z.number().int().min(0).optional(),
    count: z.number().int().positive().default(1),
    ...scopeMembers,
  })
  .refine((o) => o.exitCode === undefined || (o.status === 'Failed' && o.exitCode !== 0), {
    message: 'exitCode applies to status Failed, and is not 0',
  });

export type CommandOutcomeInput = z.input<typeof commandOutcomeSchema>;

export function listOutcomes(state: SsmState): { outcomes: OutcomePlan[] } {
  return { outcomes: state.ssm.outcomePlans.map((p) => ({ ...p })) };
}

export function addOutcome(state: SsmState, input: z.output<typeof commandOutcomeSchema>): { outcomes: OutcomePlan[] } {
  const { accountId: _account, region: _region, ...plan } = input;
  state.ssm.outcomePlans.push(plan);
  return listOutcomes(state);
}

export function clearOutcomes(state: SsmState): void {
  state.ssm.outcomePlans.splice(0);
}

interface Invocation {
  documentName: string;
  instanceId: string;
  parameters: Record<string, string[]>;
}

function matches(plan: OutcomePlan, invocation: Invocation): boolean {
  const contain = plan.parametersContain;
  return (
    plan.documentName === invocation.documentName &&
    (plan.instanceId === undefined || plan.instanceId === invocation.instanceId) &&
    (contain === undefined || Object.values(invocation.parameters).some((values) => values.join('\n').includes(contain)))
  );
}

/** How an invocation being sent will run: the oldest plan it matches (using it up), or a silent success. */
export function takeRun(state: SsmState, config: SandboxConfig, invocation: Invocation): PlannedRun {
  const plans = state.ssm.outcomePlans;
  const index = plans.findIndex((p) => matches(p, invocation));
  const plan = plans[index];
  const runMs = plan?.durationMs ?? drawDuration(state, config, 'command');
  if (!plan) return { status: 'Success', exitCode: 0, stdout: '', stderr: '', runMs };
  plan.count -= 1;
  if (plan.count === 0) plans.splice(index, 1);
  return {
    status: plan.status,
    exitCode: plan.exitCode ?? (plan.status === 'Failed' ? 1 : 0),
    stdout: plan.stdout,
    stderr: plan.stderr,
    runMs,
  };
}
