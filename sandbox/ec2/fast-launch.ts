import { isVisible, newVisibility } from './consistency';
import { describeAction } from './describe';
import { imageState } from './images';
import { requireLaunchTemplateByName } from './launch-templates';
import { requireLaunchTemplates, requireRegisteredImage, requireVisibleImages } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, iso } from './render';
import { ApiError, invalidParameterCombination, invalidParameterValue } from '../core/errors';
import type { FailureReason } from '../core/failures';
import type { FilterTable } from './filters';
import type { XmlObject } from '../core/query-protocol';
import type { FastLaunchRecord, FastLaunchState, ImageRecord, Ec2State, Ec2Context } from './state';

/** Windows fast launch: EnableFastLaunch, DisableFastLaunch, DescribeFastLaunchImages. */

const MIN_PARALLEL_LAUNCHES = 6;
// AWS documents no defaults for omitted settings; these are the smallest sensible values.
const DEFAULT_TARGET_RESOURCE_COUNT = 5;
const DEFAULT_MAX_PARALLEL_LAUNCHES = MIN_PARALLEL_LAUNCHES;
const LAUNCH_TEMPLATE_VERSIONS = ['$Latest', '$Default', '1'];

/** The reasons EC2 reports for transitions the user started and for ones that simply completed. */
const USER_INITIATED = 'Client.UserInitiated';
const LIFECYCLE_TRANSITION = 'Client.UserInitiated - Lifecycle state transition';

/** A disabled image is no longer a fast-launch image at all, so describes leave it out. */
function isEnabled(record: FastLaunchRecord, now: number): boolean {
  return record.lifecycle.stateAt(now) !== 'disabled';
}

/** What describes see: enabled settings past the consistency window. */
function isListed(record: FastLaunchRecord, now: number): boolean {
  return isEnabled(record, now) && isVisible(record, now);
}

export function transitionReason(record: FastLaunchRecord, state: FastLaunchState): string {
  return record.reasons[state] ?? (state === 'enabling' || state === 'disabling' ? USER_INITIATED : LIFECYCLE_TRANSITION);
}

function fastLaunchXml(record: FastLaunchRecord, now: number): XmlObject {
  const state = record.lifecycle.stateAt(now);
  const template = record.launchTemplate;
  return {
    imageId: record.imageId,
    resourceType: 'snapshot',
    snapshotConfiguration: { targetResourceCount: record.targetResourceCount },
    launchTemplate: template && { launchTemplateId: template.id, launchTemplateName: template.name, version: template.version },
    maxParallelLaunches: record.maxParallelLaunches,
    ownerId: record.ownerId,
    state,
    stateTransitionReason: transitionReason(record, state),
    stateTransitionTime: iso(record.lifecycle.plannedAt(state) ?? now),
  };
}

/**
 * Makes fast launch fail: a transition under way ends in its failed state, and
 * an image already enabled becomes enabled-failed (pre-provisioning broke later).
 * False if there is nothing to fail.
 */
export function failFastLaunch(state: Ec2State, imageId: string, reason: FailureReason): boolean {
  const record = state.ec2.fastLaunch.get(imageId);
  if (!record) return false;
  const now = state.clock.now();
  let failed: FastLaunchState;
  if (!record.lifecycle.isSettled(now)) {
    failed =
      record.lifecycle.finalState() === 'disabled' || record.lifecycle.finalState() === 'disabling-failed'
        ? 'disabling-failed'
        : 'enabling-failed';
    record.lifecycle.setFinalState(failed);
  } else if (record.lifecycle.stateAt(now) === 'enabled') {
    failed = 'enabled-failed';
    record.lifecycle.replan(now, [{ state: failed, afterMs: 0 }]);
  } else {
    return false;
  }
  record.reasons[failed] = reason.message;
  return true;
}

function readLaunchTemplate(params: Ec2Params, state: Ec2State): FastLaunchRecord['launchTemplate'] {
  const spec = params.struct('LaunchTemplate');
  if (!spec) return undefined;
  const id = spec.string('LaunchTemplateId');
  const name = spec.string('LaunchTemplateName');
  const version = spec.requiredString('Version');
  if ((id === undefined) === (name === undefined)) {
    throw invalidParameterCombination('Specify either LaunchTemplate.LaunchTemplateId or LaunchTemplate.LaunchTemplateName, but not both.');
  }
  const template = id !== undefined ? requireLaunchTemplates(state, [id])[0]! : requireLaunchTemplateByName(state, name!);
  if (!LAUNCH_TEMPLATE_VERSIONS.includes(version)) {
    throw new ApiError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${version} for launch template ${template.id}.`,
    );
  }
  return { id: template.id, name: template.name, version };
}

interface EnableRequest {
  targetResourceCount: number;
  maxParallelLaunches: number;
  launchTemplate: FastLaunchRecord['launchTemplate'];
}

function readEnableRequest(params: Ec2Params, state: Ec2State): EnableRequest {
  const resourceType = params.string('ResourceType');
  if (resourceType !== undefined && resourceType !== 'snapshot') {
    throw invalidParameterValue(`Value (${resourceType}) for parameter resourceType is invalid. Valid values: snapshot`);
  }
  const targetResourceCount = params.struct('SnapshotConfiguration')?.int('TargetResourceCount') ?? DEFAULT_TARGET_RESOURCE_COUNT;
  if (targetResourceCount < 1) {
    throw invalidParameterValue(`Value (${targetResourceCount}) for parameter targetResourceCount is invalid. It must be at least 1.`);
  }
  const maxParallelLaunches = params.int('MaxParallelLaunches') ?? DEFAULT_MAX_PARALLEL_LAUNCHES;
  if (maxParallelLaunches < MIN_PARALLEL_LAUNCHES) {
    throw invalidParameterValue(
      `Value (${maxParallelLaunches}) for parameter maxParallelLaunches is invalid. It must be ${MIN_PARALLEL_LAUNCHES} or greater.`,
    );
  }
  return { targetResourceCount, maxParallelLaunches, launchTemplate: readLaunchTemplate(params, state) };
}

/** Only an available Windows AMI of the caller's account qualifies. */
function checkEligible(image: ImageRecord, now: number, caller: string): void {
  if (image.platform !== 'windows') {
    throw new ApiError('InvalidParameter', `Windows fast launch is only supported for Windows AMIs; ${image.id} is a Linux/UNIX AMI.`);
  }
  if (image.ownerId !== caller) {
    throw new ApiError(
      'UnauthorizedOperation',
      `You are not authorized to enable fast launch for ${image.id}; it is owned by ${image.ownerId}.`,
      403,
    );
  }
  const state = imageState(image, now);
  if (state !== 'available') {
    throw new ApiError('IncorrectState', `Image ${image.id} is in state ${state}; fast launch needs an available image.`);
  }
}

function enableFastLaunch(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state } = ctx;
  const image = requireRegisteredImage(state, params.requiredString('ImageId'));
  const request = readEnableRequest(params, state);
  dryRunGate(params);
  const now = state.clock.now();
  checkEligible(image, now, state.scope.accountId);

  const existing = state.ec2.fastLaunch.get(image.id);
  const current = existing?.lifecycle.stateAt(now);
  // A repeated enable answers with the current settings, which keeps retries and replays harmless.
  if (existing && (current === 'enabling' || current === 'enabled')) return fastLaunchXml(existing, now);
  if (current === 'disabling') {
    throw new ApiError('IncorrectState', `Fast launch for ${image.id} is being disabled; enable it again once it is disabled.`);
  }
  const record: FastLaunchRecord = {
    seq: state.nextSeq(),
    imageId: image.id,
    ownerId: image.ownerId,
    ...request,
    lifecycle: state.timeline<FastLaunchState>('enabling', now).then('enabled', ctx.config.durations.fastLaunch),
    visibility: newVisibility(state, ctx.config.notFoundWindowMs),
    reasons: {},
  };
  state.ec2.fastLaunch.set(image.id, record);
  const plannedFailure = ctx.failures.takeForNew('fastLaunch', image.id);
  if (plannedFailure) failFastLaunch(state, image.id, plannedFailure);
  return fastLaunchXml(record, now);
}

function disableFastLaunch(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state } = ctx;
  const image = requireRegisteredImage(state, params.requiredString('ImageId'));
  // Force makes AWS ignore errors while it cleans up; the sandbox's cleanup cannot fail.
  params.bool('Force');
  dryRunGate(params);
  const now = state.clock.now();
  const record = state.ec2.fastLaunch.get(image.id);
  if (!record || !isEnabled(record, now)) {
    throw new ApiError('InvalidParameter', `Windows fast launch is not enabled for image ${image.id}.`);
  }
  if (record.lifecycle.stateAt(now) !== 'disabling') {
    record.lifecycle.replan(now, [
      { state: 'disabling', afterMs: 0 },
      { state: 'disabled', afterMs: ctx.config.durations.fastLaunchDisable },
    ]);
  }
  return fastLaunchXml(record, now);
}

const FAST_LAUNCH_FILTERS = (now: number): FilterTable<FastLaunchRecord> => ({
  'resource-type': () => ['snapshot'],
  'owner-id': (r) => [r.ownerId],
  state: (r) => [r.lifecycle.stateAt(now)],
});

/** ImageId.N must name existing images; an image without fast launch is simply not listed. */
function requireFastLaunchImages(state: Ec2State, ids: string[]): FastLaunchRecord[] {
  const now = state.clock.now();
  return requireVisibleImages(state, ids)
    .map((image) => state.ec2.fastLaunch.get(image.id))
    .filter((record): record is FastLaunchRecord => record !== undefined && isListed(record, now));
}

const describeFastLaunchImages = describeAction<FastLaunchRecord>({
  action: 'DescribeFastLaunchImages',
  idParameter: 'ImageId',
  maxResults: { min: 0, max: 200 },
  require: requireFastLaunchImages,
  all: (state, now) => [...state.ec2.fastLaunch.values()].filter((r) => isListed(r, now)),
  filters: (_state, now) => FAST_LAUNCH_FILTERS(now),
  render: (items, _state, now) => ({ fastLaunchImageSet: items.map((r) => fastLaunchXml(r, now)) }),
});

export const fastLaunchActions = {
  EnableFastLaunch: enableFastLaunch,
  DisableFastLaunch: disableFastLaunch,
  DescribeFastLaunchImages: describeFastLaunchImages,
};
