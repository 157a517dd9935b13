import { randomUUID } from 'node:crypto';
import { ApiError } from '../core/errors';
import { validationError as memberValidationError } from '../core/json-params';
import type { MemberReader } from '../core/member-reader';
import { availabilityZone } from '../core/state';
import type { JsonObject } from '../core/structure-protocol';
import { validationError } from './errors';
import { launchSourceMembers, readLaunchSource } from './launch-source';
import { healthStatus, launchMembers, lifecycleState } from './members';
import { readPage, pageOf } from './pagination';
import { refreshTiming, type AutoScalingContext, type AutoScalingState, type GroupRecord, type GroupTag } from './state';

/**
 * Auto Scaling groups: CreateAutoScalingGroup (from a launch template or a mixed instances policy; it
 * launches DesiredCapacity instances through EC2 at once) and DescribeAutoScalingGroups (by names, tag
 * filters, paged). The sandbox keeps the group at its size only through instance refreshes: it does no
 * scaling and replaces no unhealthy instance on its own.
 */

const NAME = { maxLength: 255 };
const DEFAULT_COOLDOWN = 300;

export function groupNotFound(name: string): ApiError {
  return validationError(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
}

export function requireGroup(state: AutoScalingState, name: string): GroupRecord {
  const group = state.autoScaling.groups.get(name);
  if (!group) throw groupNotFound(name);
  return group;
}

function requiredInt(params: MemberReader, name: string): number {
  const value = params.int(name);
  if (value === undefined) throw memberValidationError(params.path(name), undefined, 'Member must not be null', 'ValidationError');
  return value;
}

function readTags(params: MemberReader, groupName: string): GroupTag[] {
  return params.structList('Tags').map((t) => {
    const resourceType = t.string('ResourceType');
    const resourceId = t.string('ResourceId');
    if ((resourceType !== undefined && resourceType !== 'auto-scaling-group') || (resourceId !== undefined && resourceId !== groupName)) {
      throw validationError(`Tags of a new group must name it: ResourceType auto-scaling-group and ResourceId ${groupName}.`);
    }
    return {
      key: t.requiredString('Key', { maxLength: 128 }),
      value: t.string('Value', { maxLength: 256 }) ?? '',
      propagateAtLaunch: t.bool('PropagateAtLaunch') ?? false,
    };
  });
}

/** The Availability Zones given, or those of the subnets given: the sandbox has one zone, and one subnet in it, per Region. */
function readPlacement(params: MemberReader, region: string): { availabilityZones: string[]; vpcZoneIdentifier?: string } {
  const zones = params.stringList('AvailabilityZones');
  const vpcZoneIdentifier = params.string('VPCZoneIdentifier', { maxLength: 5000 });
  if (zones.length === 0 && vpcZoneIdentifier === undefined)
    throw validationError('At least one Availability Zone or VPC Subnet is required.');
  const zone = availabilityZone(region);
  for (const z of zones) if (z !== zone) throw validationError(`The availability zone ${z} is not legal`);
  return { availabilityZones: [zone], vpcZoneIdentifier };
}

function createAutoScalingGroup(params: MemberReader, { state, config }: AutoScalingContext): JsonObject {
  const name = params.requiredString('AutoScalingGroupName', NAME);
  const minSize = requiredInt(params, 'MinSize');
  const maxSize = requiredInt(params, 'MaxSize');
  const desiredCapacity = params.int('DesiredCapacity') ?? minSize;
  if (minSize < 0 || maxSize < minSize)
    throw validationError(`Max bound, ${maxSize}, must be greater than or equal to min bound, ${minSize}`);
  if (desiredCapacity < minSize || desiredCapacity > maxSize) {
    throw validationError(`Desired capacity:${desiredCapacity} must be between the specified min size:${minSize} and max size:${maxSize}`);
  }
  if (params.string('LaunchConfigurationName') !== undefined || params.string('InstanceId') !== undefined) {
    throw validationError('The sandbox supports launch templates and mixed instances policies only, not launch configurations.');
  }
  const launch = readLaunchSource(params, state.instanceFleet);
  if (!launch) {
    throw validationError(
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
    );
  }
  const placement = readPlacement(params, state.scope.region);
  const healthCheckType = params.string('HealthCheckType', { maxLength: 32 }) ?? 'EC2';
  const healthCheckGracePeriod = params.int('HealthCheckGracePeriod', { min: 0 }) ?? 0;
  const defaultInstanceWarmup = params.int('DefaultInstanceWarmup');
  const tags = readTags(params, name);
  if (state.autoScaling.groups.has(name)) {
    throw new ApiError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
  }
  const now = state.clock.now();
  const { scope } = state;
  const group: GroupRecord = {
    seq: state.nextSeq(),
    name,
    arn: `arn:aws:autoscaling:${scope.region}:${scope.accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
    createdAt: now,
    minSize,
    maxSize,
    desiredCapacity,
    launch,
    ...placement,
    healthCheckType,
    healthCheckGracePeriod,
    defaultInstanceWarmup: defaultInstanceWarmup === undefined || defaultInstanceWarmup < 0 ? undefined : defaultInstanceWarmup,
    tags,
    members: [],
  };
  // EC2 refusing the launch (an AMI not available) refuses the group: the sandbox has no failed scaling activities.
  if (desiredCapacity > 0) launchMembers(state, group, launch, launch.template.version, desiredCapacity, now, refreshTiming(config));
  state.autoScaling.groups.set(name, group);
  return {};
}

function memberMembers(state: AutoScalingState, group: GroupRecord, now: number): JsonObject[] {
  return group.members.map((m) => ({
    InstanceId: m.instanceId,
    InstanceType: m.instanceType,
    AvailabilityZone: group.availabilityZones[0],
    LifecycleState: lifecycleState(state, m, now),
    HealthStatus: healthStatus(state, m, now),
    LaunchTemplate: {
      LaunchTemplateId: m.template.templateId,
      LaunchTemplateName: m.template.templateName,
      Version: String(m.template.versionNumber),
    },
    // The AMI of its current root volume, from EC2: a replacement under way has not changed it yet.
    ImageId: m.imageId === undefined ? undefined : state.instanceFleet.imageOf(m.instanceId),
    ProtectedFromScaleIn: false,
  }));
}

export function groupMembers(state: AutoScalingState, group: GroupRecord, includeInstances: boolean): JsonObject {
  const now = state.clock.now();
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    ...launchSourceMembers(group.launch),
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: DEFAULT_COOLDOWN,
    AvailabilityZones: group.availabilityZones,
    LoadBalancerNames: [],
    TargetGroupARNs: [],
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: includeInstances ? memberMembers(state, group, now) : undefined,
    CreatedTime: new Date(group.createdAt),
    SuspendedProcesses: [],
    VPCZoneIdentifier: group.vpcZoneIdentifier,
    EnabledMetrics: [],
    Tags: group.tags.map((t) => ({
      ResourceId: group.name,
      ResourceType: 'auto-scaling-group',
      Key: t.key,
      Value: t.value,
      PropagateAtLaunch: t.propagateAtLaunch,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${state.scope.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    DefaultInstanceWarmup: group.defaultInstanceWarmup,
    TrafficSources: [],
  };
}

/** The tag filters DescribeAutoScalingGroups takes: tag-key, tag-value and tag:<key>, values ORed, filters ANDed. */
function matchesFilter(group: GroupRecord, name: string, values: string[]): boolean {
  if (name === 'tag-key') return group.tags.some((t) => values.includes(t.key));
  if (name === 'tag-value') return group.tags.some((t) => values.includes(t.value));
  if (name.startsWith('tag:')) return group.tags.some((t) => t.key === name.slice(4) && values.includes(t.value));
  throw validationError(`Filter name ${name} is not valid for DescribeAutoScalingGroups.`);
}

function describeAutoScalingGroups(params: MemberReader, { state }: AutoScalingContext): JsonObject {
  const names = params.stringList('AutoScalingGroupNames');
  const page = readPage(params);
  // At most 50 names, or MaxRecords names, as the API reference says.
  if (names.length > Math.max(50, page.maxResults)) {
    throw validationError(`The number of group names, ${names.length}, exceeds the limit of ${Math.max(50, page.maxResults)}.`);
  }
  const includeInstances = params.bool('IncludeInstances') ?? true;
  const filters = params.structList('Filters').map((f) => ({ name: f.requiredString('Name'), values: f.stringList('Values') }));
  const groups = [...state.autoScaling.groups.values()].filter(
    (g) => (names.length === 0 || names.includes(g.name)) && filters.every((f) => matchesFilter(g, f.name, f.values)),
  );
  const { items, nextToken } = pageOf(groups, page, 'DescribeAutoScalingGroups');
  return { AutoScalingGroups: items.map((g) => groupMembers(state, g, includeInstances)), NextToken: nextToken };
}

export const groupActions = {
  CreateAutoScalingGroup: createAutoScalingGroup,
  DescribeAutoScalingGroups: describeAutoScalingGroups,
};
