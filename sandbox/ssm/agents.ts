import { z } from 'zod';
import type { SandboxConfig } from '../core/config';
import { drawDuration } from '../core/duration-draw';
import { scopeMembers } from '../core/state';
import type { AgentRecord, ManagedNode, SsmState } from './state';

/**
 * The SSM Agent of every instance: Amazon's Windows and Linux AMIs (and images made from them) carry one,
 * which comes online the profile's `ssmAgent` after its instance enters running, and again after each
 * restart. An agent registers the first time it is online; from then on DescribeInstanceInformation lists
 * it, Online while its instance runs and ConnectionLost otherwise, and Run Command accepts commands for it.
 * The admin API can keep an agent offline (`POST /_sandbox/ssm/agents`).
 */

/** An agent together with its instance, seen at one instant. */
export interface AgentView {
  node: ManagedNode;
  agent: AgentRecord;
  /** The instance's state now. */
  instanceState: string;
  /** When the agent first reached SSM, if it has by now. */
  registeredAt?: number;
  /** When the agent came online, if it is online now. */
  onlineSince?: number;
  /** When the agent last reached SSM, if it ever did. */
  lastPingAt?: number;
}

/**
 * Gives every instance SSM has not seen yet its agent, in launch order, each with its own drawn delay; an
 * instance launched after a `next` plan takes the oldest such plan, and its agent never comes online.
 */
export function syncAgents(state: SsmState, config: SandboxConfig): Map<string, ManagedNode> {
  const nodes = state.managedNodes();
  const { agents, agentPlans } = state.ssm;
  for (const node of nodes) {
    if (agents.has(node.id)) continue;
    const planIndex = agentPlans.findIndex((p) => node.seq > p.afterSeq);
    if (planIndex >= 0) agentPlans.splice(planIndex, 1);
    agents.set(node.id, {
      instanceId: node.id,
      delayMs: drawDuration(state, config, 'ssmAgent'),
      ...(planIndex >= 0 && { offlineSince: 0 }),
    });
  }
  return new Map(nodes.map((n) => [n.id, n]));
}

/** The times the instance entered running, and left it, by `now`. */
function runningPeriods(node: ManagedNode, now: number): { from: number; until?: number }[] {
  const periods: { from: number; until?: number }[] = [];
  for (const { state, at } of node.history(now)) {
    const open = periods.at(-1);
    if (state === 'running' && (!open || open.until !== undefined)) periods.push({ from: at });
    else if (state !== 'running' && open && open.until === undefined) open.until = at;
  }
  return periods;
}

export function viewAgent(node: ManagedNode, agent: AgentRecord, now: number): AgentView {
  const history = node.history(now);
  const instanceState = history.at(-1)!.state;
  const reachable = (at: number) => agent.offlineSince === undefined || at < agent.offlineSince;
  // The agent is up from `delayMs` after each boot until the instance stops running.
  const online = runningPeriods(node, now)
    .map((p) => ({ from: p.from + agent.delayMs, until: p.until }))
    .filter((p) => p.from <= now && (p.until === undefined || p.from < p.until) && reachable(p.from));
  const current = online.at(-1);
  const onlineNow = current !== undefined && current.until === undefined && agent.offlineSince === undefined;
  const lastPing = current && (onlineNow ? now : Math.min(current.until ?? now, agent.offlineSince ?? now));
  return {
    node,
    agent,
    instanceState,
    registeredAt: online[0]?.from,
    onlineSince: onlineNow ? current.from : undefined,
    lastPingAt: lastPing,
  };
}

/** PingStatus of a registered agent. */
export function pingStatus(view: AgentView): 'Online' | 'ConnectionLost' {
  return view.onlineSince !== undefined ? 'Online' : 'ConnectionLost';
}

/**
 * `POST /_sandbox/ssm/agents`: an instance's agent stops reaching SSM (`online: false`: ConnectionLost if it
 * had registered, never registered otherwise) or reaches it again (`online: true`); or, with `next: true`,
 * the agent of the next instance launched in the account and Region never comes online.
 */
export const agentSettingSchema = z
  .strictObject({
    instanceId: z
      .string()
      .regex(/^i-[0-9a-f]{8,17}$/, 'an instance ID looks like i-0123456789abcdef0')
      .optional(),
    next: z.literal(true).optional(),
    online: z.boolean(),
    ...scopeMembers,
  })
  .refine((a) => (a.instanceId !== undefined) !== (a.next === true), { message: 'give exactly one of instanceId or next: true' })
  .refine((a) => a.next === undefined || !a.online, { message: 'next: true plans an agent that is never online (online: false)' });

export type AgentSettingInput = z.input<typeof agentSettingSchema>;

/** Applies a setting: `planned` for the next instance, `now` for an existing one; undefined if there is no such instance. */
export function setAgent(
  state: SsmState,
  config: SandboxConfig,
  setting: z.output<typeof agentSettingSchema>,
): 'now' | 'planned' | undefined {
  if (setting.instanceId === undefined) {
    state.ssm.agentPlans.push({ afterSeq: state.nextSeq() });
    return 'planned';
  }
  syncAgents(state, config);
  const agent = state.ssm.agents.get(setting.instanceId);
  if (!agent) return undefined;
  if (setting.online) delete agent.offlineSince;
  else agent.offlineSince ??= state.clock.now();
  return 'now';
}
