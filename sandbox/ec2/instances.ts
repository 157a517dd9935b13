import { applyMappingRequest, readMappingRequests } from './block-devices';
import { describeAction } from './describe';
import { isVisible, newVisibility } from './consistency';
import { ClientTokens } from './idempotency';
import { isInstanceVisible, requireDescribableInstances, requireRegisteredImage } from './lookup';
import {
  networkInterfacesXml,
  privateDnsName,
  publicAddress,
  publicIpFor,
  readAssociatePublicIp,
  readMetadataOptions,
  readSubnet,
} from './instance-details';
import { readLaunchTemplateSpecification } from './launch-template-specification';
import { Ec2Params } from './params';
import { dryRunGate, instanceStateXml, iso, platformDetails, tagSetXml } from './render';
import { createVolume } from './storage';
import { ApiError, invalidParameterValue, missingParameter } from '../core/errors';
import type { FilterTable } from './filters';
import { newId } from '../core/ids';
import type { InstanceState, LaunchTiming, ServiceLaunch } from '../core/cross-service';
import type { XmlObject } from '../core/query-protocol';
import { availabilityZone, type Scope } from '../core/state';
import {
  DEFAULT_SUBNET_ID,
  DEFAULT_VPC_ID,
  type ImageRecord,
  type InstanceRecord,
  type Ec2State,
  type Ec2Context,
  type MetadataOptions,
} from './state';

/**
 * EC2 instances: RunInstances (from an AMI, a launch template, or both) and DescribeInstances; the
 * changes a user asks for later (stop, start, terminate) are in instance-state-changes.ts.
 */

/** Keeps one call from building an unbounded fleet in memory. */
const MAX_INSTANCES_PER_CALL = 1000;

/** The states a user's shutdown leads to, and what EC2 reports for them. */
const SHUT_DOWN: ReadonlySet<InstanceState> = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);
/** The states a user's StopInstances or TerminateInstances enters at once. */
const SHUTDOWN_STARTS: ReadonlySet<InstanceState> = new Set(['stopping', 'shutting-down']);
/** The state each launch (RunInstances, then every StartInstances) enters at once. */
const LAUNCHES: ReadonlySet<InstanceState> = new Set(['pending']);
const USER_SHUTDOWN = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };

/** When the instance last entered one of `states`, by `now`. */
function lastEntered(instance: InstanceRecord, states: ReadonlySet<InstanceState>, now: number): number | undefined {
  return instance.lifecycle
    .history(now)
    .filter((step) => states.has(step.state))
    .at(-1)?.at;
}

/** EC2's StateTransitionReason, from the latest stop or terminate: `User initiated (2024-01-02 03:04:05 GMT)`. */
function transitionReason(instance: InstanceRecord, state: InstanceState, now: number): string {
  if (!SHUT_DOWN.has(state)) return '';
  const at = lastEntered(instance, SHUTDOWN_STARTS, now);
  return at === undefined ? 'User initiated' : `User initiated (${iso(at).slice(0, 19).replace('T', ' ')} GMT)`;
}

function stateReasonXml(state: InstanceState): XmlObject | undefined {
  if (state === 'pending') return { code: 'pending', message: 'pending' };
  return SHUT_DOWN.has(state) ? { ...USER_SHUTDOWN } : undefined;
}

function instanceXml(instance: InstanceRecord, now: number, scope: Scope): XmlObject {
  const state = instance.lifecycle.stateAt(now);
  const metadata = instance.metadataOptions;
  const address = publicAddress(instance, state, scope.region);
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: instanceStateXml(state),
    privateDnsName: privateDnsName(instance, scope.region),
    dnsName: address?.dnsName ?? '',
    reason: transitionReason(instance, state, now),
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    // The last launch: a start sets it again, while the network interface keeps the first (as EC2 documents).
    launchTime: iso(lastEntered(instance, LAUNCHES, now) ?? instance.launchTime),
    placement: { availabilityZone: availabilityZone(scope.region), groupName: '', tenancy: 'default' },
    platform: instance.platform === 'windows' ? 'windows' : undefined,
    monitoring: { state: 'disabled' },
    // A terminated instance has left its subnet: EC2 no longer reports its network.
    subnetId: state === 'terminated' ? undefined : instance.subnetId,
    vpcId: state === 'terminated' ? undefined : DEFAULT_VPC_ID,
    privateIpAddress: state === 'terminated' ? undefined : instance.privateIpAddress,
    ipAddress: address?.ip,
    sourceDestCheck: true,
    groupSet: [],
    stateReason: stateReasonXml(state),
    architecture: instance.architecture,
    rootDeviceType: 'ebs',
    rootDeviceName: instance.rootDeviceName,
    blockDeviceMapping: instance.devices.map((d) => ({
      deviceName: d.deviceName,
      ebs: {
        volumeId: d.volumeId,
        status: state === 'terminated' ? 'detached' : 'attached',
        attachTime: iso(instance.launchTime),
        deleteOnTermination: d.deleteOnTermination,
      },
    })),
    virtualizationType: 'hvm',
    clientToken: instance.clientToken,
    tagSet: tagSetXml(instance.tags),
    hypervisor: 'xen',
    networkInterfaceSet: state === 'terminated' ? [] : networkInterfacesXml(instance, scope, address),
    ebsOptimized: false,
    enaSupport: true,
    // EC2 reports it for every instance; the sandbox launches none configured for hibernation.
    hibernationOptions: { configured: false },
    metadataOptions: {
      state: state === 'pending' ? 'pending' : 'applied',
      httpTokens: metadata.httpTokens,
      httpPutResponseHopLimit: metadata.httpPutResponseHopLimit,
      httpEndpoint: metadata.httpEndpoint,
      httpProtocolIpv6: metadata.httpProtocolIpv6,
      instanceMetadataTags: metadata.instanceMetadataTags,
    },
    ...platformDetails(instance.platform),
  };
}

function reservationsXml(instances: InstanceRecord[], now: number, scope: Scope): XmlObject[] {
  const byReservation = new Map<string, InstanceRecord[]>();
  for (const i of instances) {
    const members = byReservation.get(i.reservationId);
    if (members) members.push(i);
    else byReservation.set(i.reservationId, [i]);
  }
  return [...byReservation].map(([reservationId, members]) => ({
    reservationId,
    ownerId: scope.accountId,
    groupSet: [],
    instancesSet: members.map((i) => instanceXml(i, now, scope)),
  }));
}

function launchInstance(state: Ec2State, timing: LaunchTiming, image: ImageRecord, launch: Launch, index: number): InstanceRecord {
  const now = timing.at;
  const id = newId('i');
  const instanceTags = launch.tags.get('instance') ?? new Map<string, string>();
  const devices = image.blockDeviceMappings.map((mapping) => {
    const device = applyMappingRequest(
      mapping,
      launch.mappings.find((m) => m.deviceName === mapping.deviceName),
    );
    const volume = createVolume(state, {
      size: device.volumeSize,
      volumeType: device.volumeType,
      snapshotId: mapping.snapshotId,
      volumeInitializationRate: device.volumeInitializationRate,
      tags: new Map(launch.tags.get('volume')),
      attachment: { instanceId: id, device: device.deviceName, deleteOnTermination: device.deleteOnTermination, attachTime: now },
    });
    return { deviceName: device.deviceName, volumeId: volume.id, deleteOnTermination: device.deleteOnTermination };
  });
  const seq = state.nextSeq();
  const instance: InstanceRecord = {
    seq,
    id,
    reservationId: launch.reservationId,
    imageId: image.id,
    instanceType: launch.instanceType,
    platform: image.platform,
    architecture: image.architecture,
    rootDeviceName: image.rootDeviceName,
    launchTime: now,
    amiLaunchIndex: index,
    privateIpAddress: `10.0.${Math.floor(state.ec2.instances.size / 250) % 250}.${(state.ec2.instances.size % 250) + 4}`,
    publicIpAddress: launch.associatePublicIp ? publicIpFor(seq) : undefined,
    subnetId: launch.subnetId,
    metadataOptions: { ...launch.metadataOptions },
    clientToken: launch.clientToken,
    tags: new Map(instanceTags),
    devices,
    lifecycle: state.timeline<InstanceState>('pending', now).then('running', timing.runningAfterMs),
    visibility: newVisibility(state, timing.notFoundWindowMs, now),
  };
  state.ec2.instances.set(id, instance);
  return instance;
}

interface Launch {
  reservationId: string;
  instanceType: string;
  clientToken?: string;
  subnetId: string;
  associatePublicIp: boolean;
  metadataOptions: MetadataOptions;
  mappings: ReturnType<typeof readMappingRequests>;
  tags: Map<string, Map<string, string>>;
}

function requiredCount(params: Ec2Params, name: string): number {
  const value = params.int(name);
  if (value === undefined) throw missingParameter(name);
  if (value < 1 || value > MAX_INSTANCES_PER_CALL) throw invalidParameterValue(`Value (${value}) for parameter ${name} is invalid.`);
  return value;
}

function runInstances(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state } = ctx;
  const clientToken = params.string('ClientToken');
  const tokens = new ClientTokens(state.ec2.reservationsByClientToken);
  // A retry gets its reservation back, with every parameter compared, even if its image or template has gone since.
  const previous = tokens.previousResult(clientToken, params);
  if (previous !== undefined) {
    dryRunGate(params);
    const instances = [...state.ec2.instances.values()].filter((i) => i.reservationId === previous);
    return reservationsXml(instances, state.clock.now(), state.scope)[0]!;
  }
  // What the request gives overrides the launch template's version.
  const fromTemplate = readLaunchTemplateSpecification(params, state);
  const imageId = params.string('ImageId') ?? fromTemplate?.data.imageId;
  if (!imageId) throw missingParameter('ImageId');
  const minCount = requiredCount(params, 'MinCount');
  const maxCount = requiredCount(params, 'MaxCount');
  if (minCount > maxCount) throw invalidParameterValue(`MinCount (${minCount}) must not be greater than MaxCount (${maxCount})`);
  const tagSpecs = params.tagSpecifications(['instance', 'volume']);
  const mappings = readMappingRequests(params);
  const subnetId = readSubnet(params);
  const associatePublicIp = readAssociatePublicIp(params);
  const image = requireRegisteredImage(state, imageId);
  const metadataOptions = readMetadataOptions(params, image);
  dryRunGate(params);

  const now = state.clock.now();
  requireLaunchable(image, now);
  const tags = new Map<string, Map<string, string>>();
  for (const spec of tagSpecs) tags.set(spec.resourceType, new Map([...(tags.get(spec.resourceType) ?? []), ...spec.tags]));
  if (fromTemplate) tags.set('instance', new Map([...(tags.get('instance') ?? []), ...fromTemplate.systemTags]));
  const launch: Launch = {
    reservationId: newId('r'),
    instanceType: params.string('InstanceType') ?? fromTemplate?.data.instanceType ?? 'm5.large',
    clientToken,
    subnetId,
    associatePublicIp,
    metadataOptions,
    mappings,
    tags,
  };
  const timing = { at: now, runningAfterMs: ctx.config.durations.instance, notFoundWindowMs: ctx.config.notFoundWindowMs };
  const instances = Array.from({ length: maxCount }, (_, index) => launchInstance(state, timing, image, launch, index));
  tokens.remember(clientToken, params, launch.reservationId);
  return reservationsXml(instances, now, state.scope)[0]!;
}

function requireLaunchable(image: ImageRecord, now: number): void {
  if (image.lifecycle.stateAt(now) !== 'available' || image.disabled) {
    throw new ApiError('InvalidAMIID.Unavailable', `The image id '[${image.id}]' is not available for launch`);
  }
}

/**
 * Launches instances for another service at `at` (which may lie before now: the service catches up with
 * what it would have done by then), into the default subnet, as RunInstances with that LaunchTemplate would.
 */
export function launchForService(state: Ec2State, request: ServiceLaunch): InstanceRecord[] {
  const spec = new Ec2Params({ LaunchTemplate: { LaunchTemplateId: request.templateId, Version: request.version } });
  const fromTemplate = readLaunchTemplateSpecification(spec, state)!;
  const imageId = request.imageId ?? fromTemplate.data.imageId;
  if (!imageId) throw missingParameter('ImageId');
  const image = requireRegisteredImage(state, imageId);
  requireLaunchable(image, request.at);
  const launch: Launch = {
    reservationId: newId('r'),
    instanceType: request.instanceType ?? fromTemplate.data.instanceType ?? 'm5.large',
    subnetId: DEFAULT_SUBNET_ID,
    associatePublicIp: true,
    metadataOptions: readMetadataOptions(spec, image),
    mappings: [],
    tags: new Map([['instance', new Map([...request.tags, ...fromTemplate.systemTags])]]),
  };
  return Array.from({ length: request.count }, (_, index) => launchInstance(state, request, image, launch, index));
}

const INSTANCE_FILTERS = (now: number, region: string): FilterTable<InstanceRecord> => ({
  'instance-id': (i) => [i.id],
  'instance-state-name': (i) => [i.lifecycle.stateAt(now)],
  'instance-state-code': (i) => [String(instanceStateXml(i.lifecycle.stateAt(now)).code)],
  'image-id': (i) => [i.imageId],
  'instance-type': (i) => [i.instanceType],
  'reservation-id': (i) => [i.reservationId],
  platform: (i) => [i.platform === 'windows' ? 'windows' : undefined],
  architecture: (i) => [i.architecture],
  'client-token': (i) => [i.clientToken],
  'availability-zone': () => [availabilityZone(region)],
  'root-device-name': (i) => [i.rootDeviceName],
  'block-device-mapping.volume-id': (i) => i.devices.map((d) => d.volumeId),
  'vpc-id': () => [DEFAULT_VPC_ID],
  'subnet-id': (i) => [i.subnetId],
  'private-ip-address': (i) => [i.privateIpAddress],
  'ip-address': (i) => [publicAddress(i, i.lifecycle.stateAt(now), region)?.ip],
  'dns-name': (i) => [publicAddress(i, i.lifecycle.stateAt(now), region)?.dnsName],
  'metadata-options.http-tokens': (i) => [i.metadataOptions.httpTokens],
});

const describeInstances = describeAction<InstanceRecord>({
  action: 'DescribeInstances',
  idParameter: 'InstanceId',
  maxResults: { min: 5, max: 1000, exclusiveWithIds: 'instanceIds' },
  require: requireDescribableInstances,
  all: (state, now) => [...state.ec2.instances.values()].filter((i) => isInstanceVisible(i, now) && isVisible(i, now)),
  filters: (state, now) => INSTANCE_FILTERS(now, state.scope.region),
  render: (items, state, now) => ({ reservationSet: reservationsXml(items, now, state.scope) }),
});

export const instanceActions = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
};
