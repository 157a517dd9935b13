import { ApiError } from '../core/errors';
import { overrideFor } from './launch-source';
import type { ResolvedTemplate } from './neighbours';
import type { AutoScalingState, GroupMember, GroupRecord, HealthStatus, LaunchSource, RefreshTiming } from './state';

/**
 * A group's instances: launched through EC2 from the group's (or a refresh's) launch source, tagged as
 * Auto Scaling tags them, and seen through EC2's state: Pending while EC2 has them pending, InService once
 * running, Terminating and Terminated as they shut down (then they leave the group), ReplacingRootVolume
 * while a ReplaceRootVolume refresh replaces their root volume.
 */

export type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated' | 'ReplacingRootVolume';

/** Auto Scaling's own tag on every instance it launches. */
export const GROUP_NAME_TAG = 'aws:autoscaling:groupName';

const REPLACING: ReadonlySet<string> = new Set(['pending', 'in-progress', 'failing', 'failing-detached']);

/** The source's launch template at `version`; EC2's refusal if it is gone (a refresh under way then fails). */
export function requireTemplate(state: AutoScalingState, source: LaunchSource, version = source.template.version): ResolvedTemplate {
  const resolved = state.instanceFleet.resolveTemplate({ templateId: source.template.templateId, version });
  if (!resolved) {
    throw new ApiError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${version} for launch template ID ${source.template.templateId}.`,
    );
  }
  return resolved;
}

/**
 * Launches `count` instances of `source` (its template at `version`: the refresh's resolved number, or the
 * group's own) into `group` at `at`. Throws EC2's ApiError if EC2 cannot launch them.
 */
export function launchMembers(
  state: AutoScalingState,
  group: GroupRecord,
  source: LaunchSource,
  version: string,
  count: number,
  at: number,
  timing: RefreshTiming,
): GroupMember[] {
  const fleet = state.instanceFleet;
  const { templateId } = source.template;
  const resolved = requireTemplate(state, source, version);
  const override = overrideFor(source);
  const tags = new Map([
    [GROUP_NAME_TAG, group.name],
    ...group.tags.filter((t) => t.propagateAtLaunch).map((t): [string, string] => [t.key, t.value]),
  ]);
  const launched = fleet.launch({
    templateId,
    version,
    count,
    imageId: override?.imageId,
    instanceType: override?.instanceType,
    tags,
    at,
    runningAfterMs: timing.instanceMs,
    notFoundWindowMs: timing.notFoundWindowMs,
  });
  const members = launched.map((l): GroupMember => ({
    instanceId: l.instanceId,
    instanceType: l.instanceType,
    template: { templateId, templateName: source.template.templateName, versionNumber: resolved.versionNumber },
    imageId: override?.imageId,
  }));
  group.members.push(...members);
  return members;
}

export function findMember(group: GroupRecord, instanceId: string): GroupMember | undefined {
  return group.members.find((m) => m.instanceId === instanceId);
}

export function lifecycleState(state: AutoScalingState, member: GroupMember, now: number): LifecycleState {
  const fleet = state.instanceFleet;
  const task = member.rootVolumeTaskId === undefined ? undefined : fleet.rootVolumeTask(member.rootVolumeTaskId, now);
  if (task !== undefined && REPLACING.has(task)) return 'ReplacingRootVolume';
  switch (fleet.stateOf(member.instanceId, now)) {
    case 'pending':
      return 'Pending';
    case 'running':
    case 'stopping':
    case 'stopped':
      return 'InService';
    case 'shutting-down':
      return 'Terminating';
    default:
      return 'Terminated';
  }
}

/** Unhealthy from its planned failure on, or once EC2 no longer runs it (stopped by someone, say). */
export function healthStatus(state: AutoScalingState, member: GroupMember, now: number): HealthStatus {
  if (member.unhealthySince !== undefined && member.unhealthySince <= now) return 'Unhealthy';
  const ec2 = state.instanceFleet.stateOf(member.instanceId, now);
  return ec2 === 'stopping' || ec2 === 'stopped' ? 'Unhealthy' : 'Healthy';
}

/** Whether the member still counts in the group (it has not finished terminating). */
export function isLive(state: AutoScalingState, instanceId: string, now: number): boolean {
  const ec2 = state.instanceFleet.stateOf(instanceId, now);
  return ec2 !== undefined && ec2 !== 'terminated';
}

/** Terminated instances leave the group. */
export function pruneTerminated(state: AutoScalingState, group: GroupRecord, now: number): void {
  const live = group.members.filter((m) => isLive(state, m.instanceId, now));
  if (live.length !== group.members.length) group.members.splice(0, group.members.length, ...live);
}
