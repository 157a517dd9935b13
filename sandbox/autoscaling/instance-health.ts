import { z } from 'zod';
import { scopeMembers } from '../core/state';
import { findMember } from './members';
import type { AutoScalingState, GroupRecord } from './state';

/**
 * The admin API's failed health checks (`POST /_sandbox/autoscaling/unhealthy`): an instance of a group
 * fails its health check from now on, or (`next: true`) the next instance an instance refresh launches or
 * gives a new root volume (in `group`, or in any group) does once it is in service. An instance refresh fails
 * when an instance it updated is unhealthy (its rollback, when one it restored is).
 */

export const unhealthySchema = z
  .strictObject({
    instanceId: z.string().min(1).optional(),
    next: z.boolean().optional(),
    /** The group the instance is in, or whose next instance fails. */
    group: z.string().min(1).optional(),
    ...scopeMembers,
  })
  .refine((u) => (u.instanceId !== undefined) !== (u.next === true), { message: 'give exactly one of instanceId or next: true' });

export type UnhealthyInput = z.input<typeof unhealthySchema>;

export interface UnhealthyResult {
  applied: 'now' | 'planned';
  instanceId?: string;
  group?: string;
}

/** Undefined when there is no such group, or no such instance in it (or in any group). */
export function markUnhealthy(state: AutoScalingState, input: z.output<typeof unhealthySchema>): UnhealthyResult | undefined {
  const groups = [...state.autoScaling.groups.values()].filter((g) => input.group === undefined || g.name === input.group);
  if (input.group !== undefined && groups.length === 0) return undefined;
  if (input.instanceId === undefined) {
    state.autoScaling.unhealthyPlans.push({ group: input.group });
    return { applied: 'planned', group: input.group };
  }
  for (const group of groups) {
    const member = findMember(group, input.instanceId);
    if (!member) continue;
    member.unhealthySince = Math.min(member.unhealthySince ?? Infinity, state.clock.now());
    return { applied: 'now', instanceId: member.instanceId, group: group.name };
  }
  return undefined;
}

/** Whether a failure is planned for the next instance a refresh puts in service in `group` (consumed if so). */
export function takeUnhealthyPlan(state: AutoScalingState, group: GroupRecord): boolean {
  const plans = state.autoScaling.unhealthyPlans;
  const index = plans.findIndex((p) => p.group === undefined || p.group === group.name);
  if (index < 0) return false;
  plans.splice(index, 1);
  return true;
}
