import { timestamp, type JsonObject } from '../core/structure-protocol';
import { LATEST_AGENT_VERSION, type AppStreamFailure, type AppStreamImageRecord, type FleetRecord, type ImageBuilderRecord } from './state';

/** Images, image builders and fleets as AppStream's JSON shapes them (member names as in the SDK's Image, ImageBuilder and Fleet). */

const SUPPORTED_INSTANCE_FAMILIES = ['GENERAL_PURPOSE', 'COMPUTE_OPTIMIZED', 'MEMORY_OPTIMIZED'];

function latestAgentFlag(agentVersion: string): 'TRUE' | 'FALSE' {
  return agentVersion === LATEST_AGENT_VERSION ? 'TRUE' : 'FALSE';
}

/** StateChangeReason and the error list appear only once the resource has failed. */
function failureMembers(failure: AppStreamFailure | undefined, failedAt: number | undefined, errorListName: string): JsonObject {
  if (!failure || failedAt === undefined) return {};
  return {
    StateChangeReason: { Code: failure.stateChangeCode, Message: failure.message },
    [errorListName]: [{ ErrorCode: failure.errorCode, ErrorMessage: failure.message, ErrorTimestamp: timestamp(failedAt) }],
  };
}

/**
 * `viewer` is the calling account: another account's private image is SHARED to it, with the
 * ImagePermissions its owner granted it.
 */
export function imageJson(image: AppStreamImageRecord, now: number, viewer: string): JsonObject {
  const state = image.lifecycle.stateAt(now);
  const failedAt = state === 'FAILED' ? image.lifecycle.plannedAt('FAILED') : undefined;
  const sharedToViewer = image.visibility === 'PRIVATE' && image.ownerId !== viewer ? image.sharedWith.get(viewer) : undefined;
  return {
    Name: image.name,
    Arn: image.arn,
    BaseImageArn: image.baseImageArn,
    DisplayName: image.displayName,
    State: state,
    Visibility: sharedToViewer ? 'SHARED' : image.visibility,
    ImageBuilderSupported: true,
    Platform: image.platform,
    Description: image.description,
    Applications: [],
    CreatedTime: timestamp(image.createdAt),
    PublicBaseImageReleasedDate: timestamp(image.baseReleasedAt),
    AppstreamAgentVersion: image.agentVersion,
    // What a shared image grants the account it is shared with; the owner reads its grants with DescribeImagePermissions.
    ImagePermissions: sharedToViewer && { ...sharedToViewer },
    LatestAppstreamAgentVersion: latestAgentFlag(image.agentVersion),
    SupportedInstanceFamilies: SUPPORTED_INSTANCE_FAMILIES,
    DynamicAppProvidersEnabled: 'DISABLED',
    ImageSharedWithOthers: image.ownerId === viewer && image.sharedWith.size > 0 ? 'TRUE' : 'FALSE',
    ...failureMembers(image.failure, failedAt, 'ImageErrors'),
  };
}

export function builderJson(builder: ImageBuilderRecord, now: number): JsonObject {
  const state = builder.lifecycle.stateAt(now);
  const failedAt = state === 'FAILED' ? builder.lifecycle.plannedAt('FAILED') : undefined;
  return {
    Name: builder.name,
    Arn: builder.arn,
    ImageArn: builder.imageArn,
    Description: builder.description,
    DisplayName: builder.displayName,
    VpcConfig: builder.vpcConfig,
    InstanceType: builder.instanceType,
    Platform: builder.platform,
    IamRoleArn: builder.iamRoleArn,
    State: state,
    CreatedTime: timestamp(builder.createdAt),
    EnableDefaultInternetAccess: builder.enableDefaultInternetAccess ?? false,
    AppstreamAgentVersion: builder.agentVersion,
    LatestAppstreamAgentVersion: latestAgentFlag(builder.agentVersion),
    ...failureMembers(builder.failure, failedAt, 'ImageBuilderErrors'),
  };
}

/**
 * A RUNNING fleet has its desired instances running and none in use (the sandbox streams to no one);
 * otherwise none run. An Elastic fleet has no instances to count.
 */
function capacityStatus(fleet: FleetRecord, state: string): JsonObject {
  const desired = fleet.desiredInstances ?? 0;
  const running = state === 'RUNNING' ? desired : 0;
  return { Desired: desired, Running: running, InUse: 0, Available: running };
}

export function fleetJson(fleet: FleetRecord, now: number): JsonObject {
  const state = fleet.lifecycle.stateAt(now);
  // A failed start's errors appear when it has ended STOPPED.
  const errors = fleet.lifecycle.isSettled(now) ? fleet.errors : [];
  return {
    Arn: fleet.arn,
    Name: fleet.name,
    DisplayName: fleet.displayName,
    Description: fleet.description,
    ImageName: fleet.image?.name,
    ImageArn: fleet.image?.arn,
    InstanceType: fleet.instanceType,
    FleetType: fleet.fleetType,
    ComputeCapacityStatus: capacityStatus(fleet, state),
    MaxUserDurationInSeconds: fleet.maxUserDurationInSeconds,
    DisconnectTimeoutInSeconds: fleet.disconnectTimeoutInSeconds,
    State: state,
    VpcConfig: fleet.vpcConfig,
    CreatedTime: timestamp(fleet.createdAt),
    FleetErrors: errors.length > 0 ? errors.map((e) => ({ ErrorCode: e.errorCode, ErrorMessage: e.message })) : undefined,
    EnableDefaultInternetAccess: fleet.enableDefaultInternetAccess,
    IdleDisconnectTimeoutInSeconds: fleet.idleDisconnectTimeoutInSeconds,
    IamRoleArn: fleet.iamRoleArn,
    StreamView: fleet.streamView,
    Platform: fleet.platform,
    MaxConcurrentSessions: fleet.maxConcurrentSessions,
  };
}
