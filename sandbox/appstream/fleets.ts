import { fleetArn } from './arn';
import { APPSTREAM_NAME_PATTERN } from './images';
import { readImageRef, requireUsableImage } from './image-use';
import { findFleet, liveFleets, requireFleet } from './lookup';
import { pageOf } from './pagination';
import { fleetJson } from './render';
import {
  FLEET_PLATFORMS,
  FLEET_TYPES,
  type AppStreamContext,
  type AppStreamImageRecord,
  type AppStreamState,
  type FleetPlatform,
  type FleetRecord,
  type FleetState,
  type FleetType,
} from './state';
import { readTags } from './tags';
import { ApiError } from '../core/errors';
import type { JsonParams } from '../core/json-params';
import type { JsonObject } from '../core/structure-protocol';

/**
 * AppStream fleets: CreateFleet, DescribeFleets, UpdateFleet, StartFleet, StopFleet, DeleteFleet.
 *
 * As the UpdateFleet reference and the guide's "Update a fleet" have it: a STOPPED fleet can take any
 * change; a RUNNING Always-On or On-Demand fleet can take a new image of the same operating system
 * (IncompatibleImageException for another one), and its display name and capacity; a fleet that is
 * STARTING or STOPPING cannot be updated. An Elastic fleet has no image. A call in a passing state gets
 * ConcurrentModificationException, which every fleet operation declares ("wait a few minutes and try
 * again"); StartFleet of a RUNNING fleet is OperationNotPermittedException. AWS documents no answer for
 * StopFleet of a STOPPED fleet (it declares no error that fits), so the sandbox takes it as done.
 */

/** AWS's documented defaults: a 16-hour session limit and 15 minutes to reconnect. */
const DEFAULT_MAX_USER_DURATION_S = 57_600;
const DEFAULT_DISCONNECT_TIMEOUT_S = 900;
const STREAM_VIEWS = ['APP', 'DESKTOP'] as const;
/** AppStream does not document DescribeFleets' page size; the sandbox pages it like its other describes. */
const FLEETS_PAGE = 25;

function passing(fleet: FleetRecord, state: FleetState, action: string): ApiError {
  return new ApiError(
    'ConcurrentModificationException',
    `The fleet ${fleet.name} is ${state}. It cannot be ${action} until it is settled.`,
  );
}

function readCapacity(params: JsonParams): number | undefined {
  return params.struct('ComputeCapacity')?.int('DesiredInstances', { min: 0 });
}

function readVpcConfig(params: JsonParams): FleetRecord['vpcConfig'] {
  const vpc = params.struct('VpcConfig');
  return vpc && { SubnetIds: vpc.stringList('SubnetIds'), SecurityGroupIds: vpc.stringList('SecurityGroupIds') };
}

function fleetImage(state: AppStreamState, ref: { name: string } | { arn: string }): AppStreamImageRecord {
  return requireUsableImage(state, ref, 'allowFleet');
}

/** A transition: a fresh timeline from now, so each state appears once in it. */
function transition(state: AppStreamState, fleet: FleetRecord, first: FleetState, last: FleetState, ms: number): void {
  fleet.lifecycle = state.timeline<FleetState>(first).then(last, ms);
}

function createFleet(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const name = params.requiredString('Name', { pattern: APPSTREAM_NAME_PATTERN });
  const instanceType = params.requiredString('InstanceType');
  const fleetType = (params.string('FleetType', { oneOf: FLEET_TYPES }) as FleetType | undefined) ?? 'ON_DEMAND';
  const platform = params.string('Platform', { oneOf: FLEET_PLATFORMS }) as FleetPlatform | undefined;
  const ref = readImageRef(params);
  const desiredInstances = readCapacity(params);
  const maxConcurrentSessions = params.int('MaxConcurrentSessions', { min: 1 });
  const tags = readTags(params, 'Tags');
  const base = {
    displayName: params.string('DisplayName', { maxLength: 100 }),
    description: params.string('Description', { maxLength: 256 }),
    maxUserDurationInSeconds: params.int('MaxUserDurationInSeconds') ?? DEFAULT_MAX_USER_DURATION_S,
    disconnectTimeoutInSeconds: params.int('DisconnectTimeoutInSeconds') ?? DEFAULT_DISCONNECT_TIMEOUT_S,
    idleDisconnectTimeoutInSeconds: params.int('IdleDisconnectTimeoutInSeconds'),
    enableDefaultInternetAccess: params.bool('EnableDefaultInternetAccess') ?? false,
    streamView: (params.string('StreamView', { oneOf: STREAM_VIEWS }) as FleetRecord['streamView'] | undefined) ?? 'APP',
    iamRoleArn: params.string('IamRoleArn'),
    vpcConfig: readVpcConfig(params),
  };

  let image: AppStreamImageRecord | undefined;
  if (fleetType === 'ELASTIC') {
    // Elastic fleets stream applications from app blocks on a platform, not from an image.
    if (ref) throw new ApiError('InvalidParameterCombinationException', 'Elastic fleets do not use an image: omit ImageName and ImageArn.');
    if (desiredInstances !== undefined) {
      throw new ApiError(
        'InvalidParameterCombinationException',
        'ComputeCapacity is not allowed for Elastic fleets; use MaxConcurrentSessions.',
      );
    }
    if (!platform) throw new ApiError('InvalidParameterCombinationException', 'Platform is required for Elastic fleets.');
  } else {
    if (!ref) throw new ApiError('InvalidParameterCombinationException', 'Specify either ImageName or ImageArn.');
    if (desiredInstances === undefined) {
      throw new ApiError('InvalidParameterCombinationException', 'ComputeCapacity is required for Always-On and On-Demand fleets.');
    }
    image = fleetImage(state, ref);
  }
  if (findFleet(state, name)) throw new ApiError('ResourceAlreadyExistsException', `The fleet ${name} already exists.`);

  const now = state.clock.now();
  const fleet: FleetRecord = {
    seq: state.nextSeq(),
    name,
    arn: fleetArn(name, state.scope),
    fleetType,
    image: image && { name: image.name, arn: image.arn },
    platform: image?.platform ?? platform!,
    instanceType,
    desiredInstances,
    maxConcurrentSessions: fleetType === 'ELASTIC' ? maxConcurrentSessions : undefined,
    ...base,
    createdAt: now,
    createdWallAt: Date.now(),
    tags,
    // AWS creates a fleet STOPPED: StartFleet brings it up.
    lifecycle: state.timeline<FleetState>('STOPPED', now),
    errors: [],
  };
  state.appStream.fleets.set(name, fleet);
  return { Fleet: fleetJson(fleet, now) };
}

function describeFleets(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const names = params.stringList('Names');
  const nextToken = params.string('NextToken');
  const now = state.clock.now();
  const selected = names.length > 0 ? [...new Set(names)].map((name) => requireFleet(state, name)) : liveFleets(state);
  const page = pageOf(selected, { maxResults: FLEETS_PAGE, nextToken: nextToken || undefined }, 'DescribeFleets');
  return { Fleets: page.items.map((f) => fleetJson(f, now)), NextToken: page.nextToken };
}

function updateImage(state: AppStreamState, fleet: FleetRecord, current: FleetState, ref: { name: string } | { arn: string }): void {
  if (fleet.fleetType === 'ELASTIC') {
    throw new ApiError('OperationNotPermittedException', `The fleet ${fleet.name} is an Elastic fleet, which has no image.`);
  }
  const image = fleetImage(state, ref);
  if (image.platform !== fleet.platform && current !== 'STOPPED') {
    throw new ApiError(
      'IncompatibleImageException',
      `The image ${image.name} runs ${image.platform} and the fleet ${fleet.name} ${fleet.platform}: stop the fleet to change its operating system.`,
    );
  }
  fleet.image = { name: image.name, arn: image.arn };
  fleet.platform = image.platform;
}

function updateFleet(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const name = params.string('Name');
  if (name === undefined) throw new ApiError('InvalidParameterCombinationException', 'Name is required.');
  const ref = readImageRef(params);
  const desiredInstances = readCapacity(params);
  const displayName = params.string('DisplayName', { maxLength: 100 });
  const description = params.string('Description', { maxLength: 256 });
  const instanceType = params.string('InstanceType');
  const maxConcurrentSessions = params.int('MaxConcurrentSessions', { min: 1 });
  const fleet = requireFleet(state, name);
  const current = fleet.lifecycle.stateAt(state.clock.now());
  if (current === 'STARTING' || current === 'STOPPING') throw passing(fleet, current, 'updated');
  // A RUNNING fleet takes only its display name, capacity, image and timeouts (of these members).
  if (current === 'RUNNING' && (instanceType !== undefined || description !== undefined)) {
    throw new ApiError(
      'OperationNotPermittedException',
      `The fleet ${fleet.name} is RUNNING: stop it to change its instance type or description.`,
    );
  }
  if (desiredInstances !== undefined && fleet.fleetType === 'ELASTIC') {
    throw new ApiError(
      'InvalidParameterCombinationException',
      'ComputeCapacity is not allowed for Elastic fleets; use MaxConcurrentSessions.',
    );
  }
  if (ref) updateImage(state, fleet, current, ref);
  if (desiredInstances !== undefined) fleet.desiredInstances = desiredInstances;
  if (maxConcurrentSessions !== undefined && fleet.fleetType === 'ELASTIC') fleet.maxConcurrentSessions = maxConcurrentSessions;
  if (displayName !== undefined) fleet.displayName = displayName;
  if (description !== undefined) fleet.description = description;
  if (instanceType !== undefined) fleet.instanceType = instanceType;
  return { Fleet: fleetJson(fleet, state.clock.now()) };
}

/** STOPPED → STARTING → RUNNING; or back to STOPPED with FleetErrors when the admin API planned a failure. */
function startFleet(params: JsonParams, { state, config }: AppStreamContext): JsonObject {
  const fleet = requireFleet(state, params.requiredString('Name'));
  const current = fleet.lifecycle.stateAt(state.clock.now());
  if (current === 'RUNNING') throw new ApiError('OperationNotPermittedException', `The fleet ${fleet.name} is already RUNNING.`);
  if (current !== 'STOPPED') throw passing(fleet, current, 'started');
  fleet.errors = [];
  transition(state, fleet, 'STARTING', 'RUNNING', config.durations.fleetStart);
  if (fleet.startFailure) failStart(fleet, fleet.startFailure);
  return {};
}

/** The start under way ends STOPPED with `error` in FleetErrors. */
export function failStart(fleet: FleetRecord, error: FleetRecord['errors'][number]): void {
  fleet.errors = [error];
  fleet.startFailure = undefined;
  fleet.lifecycle.setFinalState('STOPPED');
}

function stopFleet(params: JsonParams, { state, config }: AppStreamContext): JsonObject {
  const fleet = requireFleet(state, params.requiredString('Name'));
  const current = fleet.lifecycle.stateAt(state.clock.now());
  if (current === 'STOPPED') return {};
  if (current !== 'RUNNING') throw passing(fleet, current, 'stopped');
  transition(state, fleet, 'STOPPING', 'STOPPED', config.durations.fleetStop);
  return {};
}

/** Only a STOPPED fleet can be deleted; a running one is in use. */
function deleteFleet(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const fleet = requireFleet(state, params.requiredString('Name'));
  const current = fleet.lifecycle.stateAt(state.clock.now());
  if (current === 'RUNNING')
    throw new ApiError('ResourceInUseException', `The fleet ${fleet.name} is RUNNING. Stop it before deleting it.`);
  if (current !== 'STOPPED') throw passing(fleet, current, 'deleted');
  fleet.lifecycle = state.timeline<FleetState>('DELETED');
  return {};
}

export const appStreamFleetActions = {
  CreateFleet: createFleet,
  DescribeFleets: describeFleets,
  UpdateFleet: updateFleet,
  StartFleet: startFleet,
  StopFleet: stopFleet,
  DeleteFleet: deleteFleet,
};
