import { randomUUID } from 'node:crypto';
import { ApiError } from '../core/errors';
import type { MemberReader } from '../core/member-reader';
import type { JsonObject } from '../core/structure-protocol';
import { requireGroup } from './groups';
import { validationError } from './errors';
import { hasImageOverrides, isNumberedVersion, readLaunchSource } from './launch-source';
import { isLive } from './members';
import { readPreferences } from './refresh-preferences';
import {
  ACTIVE_REFRESH_STATUSES,
  refreshTiming,
  type AutoScalingContext,
  type AutoScalingState,
  type GroupMember,
  type GroupRecord,
  type LaunchSource,
  type RefreshRecord,
  type RefreshStrategy,
} from './state';

/**
 * StartInstanceRefresh. It takes no client token: a second start while one is under way is refused with
 * InstanceRefreshInProgress. The refresh covers the group's instances at the start; with SkipMatching those
 * already on the desired configuration (Rolling: its launch template version and instance types;
 * ReplaceRootVolume: its AMIs) are left alone. ReplaceRootVolume is refused where the user guide says it
 * cannot run: a group without a mixed instances policy whose overrides all name an ImageId, a desired
 * configuration without such a policy, an AMI with more than one volume, or instances not on the group's
 * launch template version. AutoRollback needs a desired configuration (AWS's own wording) and a group on a
 * numbered launch template version, the only kind a rollback can return to.
 */

const STRATEGIES = ['Rolling', 'ReplaceRootVolume'] as const;

export function activeRefresh(state: AutoScalingState, groupName: string): RefreshRecord | undefined {
  return [...state.autoScaling.refreshes.values()].find((r) => r.groupName === groupName && ACTIVE_REFRESH_STATUSES.has(r.status));
}

function checkReplaceRootVolume(state: AutoScalingState, group: GroupRecord, desired: LaunchSource | undefined, now: number): void {
  if (!group.launch.overrides) {
    throw validationError(
      `The ReplaceRootVolume strategy needs an Auto Scaling group with a mixed instances policy; ${group.name} has a launch template.`,
    );
  }
  if (!hasImageOverrides(group.launch)) {
    throw validationError(
      `The ReplaceRootVolume strategy needs every override of the mixed instances policy of ${group.name} to specify an ImageId.`,
    );
  }
  if (!desired || !hasImageOverrides(desired)) {
    throw validationError(
      'The ReplaceRootVolume strategy needs a desired configuration with a mixed instances policy whose overrides each specify an ImageId.',
    );
  }
  for (const { imageId } of desired.overrides!) {
    const volumes = state.instanceFleet.image(imageId!)?.volumes;
    if (volumes !== 1)
      throw validationError(`The ReplaceRootVolume strategy needs AMIs with a single root volume; ${imageId} has ${volumes} volumes.`);
  }
  const version = state.instanceFleet.resolveTemplate(group.launch.template)?.versionNumber;
  const stray = group.members.find(
    (m) =>
      isLive(state, m.instanceId, now) &&
      (m.template.templateId !== group.launch.template.templateId || m.template.versionNumber !== version),
  );
  if (stray) {
    throw validationError(
      `The ReplaceRootVolume strategy needs every instance to match the group's launch template; ${stray.instanceId} does not.`,
    );
  }
}

/** Whether SkipMatching leaves the instance as it is. */
function matches(
  state: AutoScalingState,
  member: GroupMember,
  refresh: Pick<RefreshRecord, 'strategy' | 'target' | 'targetVersionNumber'>,
): boolean {
  const { target } = refresh;
  if (refresh.strategy === 'ReplaceRootVolume') {
    const image = state.instanceFleet.imageOf(member.instanceId);
    return target.overrides!.some((o) => o.imageId === image);
  }
  const types = (target.overrides ?? []).flatMap((o) => (o.instanceType ? [o.instanceType] : []));
  return (
    member.template.templateId === target.template.templateId &&
    member.template.versionNumber === refresh.targetVersionNumber &&
    (types.length === 0 || types.includes(member.instanceType))
  );
}

function startInstanceRefresh(params: MemberReader, { state, config }: AutoScalingContext): JsonObject {
  const name = params.requiredString('AutoScalingGroupName', { maxLength: 255 });
  const strategy = (params.string('Strategy', { oneOf: STRATEGIES }) ?? 'Rolling') as RefreshStrategy;
  const desiredParams = params.struct('DesiredConfiguration');
  const desired = desiredParams && readLaunchSource(desiredParams, state.instanceFleet);
  const preferences = readPreferences(params, state.alarmBoard);
  const group = requireGroup(state, name);
  const now = state.clock.now();
  if (preferences.autoRollback && !desired) {
    throw validationError(
      "The request isn't valid. The AutoRollback parameter cannot be set to true when the DesiredConfiguration parameter is empty. " +
        'Set AutoRollback to false or specify a desired configuration and try again.',
    );
  }
  if (preferences.autoRollback && !isNumberedVersion(group.launch.template)) {
    throw validationError(
      `The AutoRollback parameter cannot be set to true when the Auto Scaling group uses the launch template version ${group.launch.template.version}: ` +
        'a rollback needs a numbered version to return to.',
    );
  }
  if (strategy === 'ReplaceRootVolume') checkReplaceRootVolume(state, group, desired, now);
  if (activeRefresh(state, name)) {
    throw new ApiError(
      'InstanceRefreshInProgress',
      'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.',
    );
  }
  const target = structuredClone(desired ?? group.launch);
  const resolved = state.instanceFleet.resolveTemplate(target.template);
  if (!resolved)
    throw validationError(`The launch template ${target.template.templateName} version ${target.template.version} no longer exists.`);
  const timing = refreshTiming(config);
  const selector = { strategy, target, targetVersionNumber: resolved.versionNumber };
  const live = group.members.filter((m) => isLive(state, m.instanceId, now));
  const skipped = preferences.skipMatching ? live.filter((m) => matches(state, m, selector)) : [];
  const refresh: RefreshRecord = {
    seq: state.nextSeq(),
    id: randomUUID(),
    groupName: name,
    ...selector,
    status: 'Pending',
    startedAt: now,
    desired: desired && structuredClone(desired),
    previous: structuredClone(group.launch),
    preferences,
    timing,
    total: live.length,
    skipped: skipped.length,
    pending: live.filter((m) => !skipped.includes(m)).map((m) => m.instanceId),
    updated: [],
    restored: [],
    previousImages: {},
    nextCheckpoint: 0,
    course: 'forward',
    actedAt: now,
    wake: state.timeline<'waiting' | 'due'>('waiting', now).then('due', timing.startMs),
  };
  state.autoScaling.refreshes.set(refresh.id, refresh);
  return { InstanceRefreshId: refresh.id };
}

export const refreshStartActions = { StartInstanceRefresh: startInstanceRefresh };
