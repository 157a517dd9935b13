import type { InstanceState } from '../core/cross-service';
import { ApiError, invalidParameterCombination, invalidParameterValue } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import type { Scope } from '../core/state';
import type { Ec2Params } from './params';
import { iso } from './render';
import { DEFAULT_SUBNET_ID, DEFAULT_VPC_ID, type ImageRecord, type InstanceRecord, type MetadataOptions } from './state';

/** An instance's network and instance-metadata settings: what RunInstances reads and DescribeInstances reports. */

/** The request's primary network interface: NetworkInterface.N with DeviceIndex 0. */
function primaryInterface(interfaces: Ec2Params[]): Ec2Params | undefined {
  return interfaces.find((i) => (i.int('DeviceIndex') ?? 0) === 0);
}

/**
 * SubnetId, or the subnet of the primary network interface (NetworkInterface.N with DeviceIndex 0).
 * The sandbox has the default VPC's one subnet; any other ID does not exist.
 */
export function readSubnet(params: Ec2Params): string {
  const subnetId = params.string('SubnetId');
  const interfaces = params.structList('NetworkInterface');
  if (subnetId !== undefined && interfaces.length > 0) {
    throw invalidParameterCombination('Network interfaces and an instance-level subnet ID may not be specified on the same request');
  }
  const requested = subnetId ?? primaryInterface(interfaces)?.string('SubnetId') ?? DEFAULT_SUBNET_ID;
  if (requested !== DEFAULT_SUBNET_ID) throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${requested}' does not exist`);
  return requested;
}

function oneOf<T extends string>(params: Ec2Params, name: string, allowed: readonly T[], fallback: T): T {
  const value = params.string(name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidParameterValue(`Value (${value}) for parameter ${name} is invalid. Valid values are ${allowed.join(', ')}`);
  }
  return value as T;
}

/**
 * Whether the instance gets a public IPv4 address: the default subnet maps one on launch unless the primary
 * network interface says AssociatePublicIpAddress=false. EC2 refuses the parameter alongside a second interface.
 */
export function readAssociatePublicIp(params: Ec2Params): boolean {
  const interfaces = params.structList('NetworkInterface');
  const requested = primaryInterface(interfaces)?.bool('AssociatePublicIpAddress');
  if (requested !== undefined && interfaces.length > 1) {
    throw invalidParameterCombination(
      'The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.',
    );
  }
  return requested ?? true;
}

/** The pool public addresses come from: 3.80.0.0/12, less its first and last address. */
const PUBLIC_POOL_START = 3 * 2 ** 24 + 80 * 2 ** 16 + 1;
const PUBLIC_POOL_SIZE = 2 ** 20 - 2;

/**
 * The public IPv4 address of the resource created `seq`-th. The sequence is shared by every account and Region,
 * so no two instances anywhere in the sandbox hold the same address (until the pool's million addresses wrap round).
 */
export function publicIpFor(seq: number): string {
  const n = PUBLIC_POOL_START + ((seq - 1) % PUBLIC_POOL_SIZE);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * EC2 gives the public DNS name once the instance is running (the run-instances CLI example shows a pending
 * instance with neither) and releases the public address when the instance stops or terminates.
 */
const HOLDS_PUBLIC_ADDRESS: ReadonlySet<InstanceState> = new Set(['running', 'stopping', 'shutting-down']);

export interface PublicAddress {
  ip: string;
  dnsName: string;
}

/**
 * The public address an instance in `state` holds, with its DNS name: `ec2-3-80-0-1.compute-1.amazonaws.com`
 * in us-east-1, `ec2-3-80-0-1.<region>.compute.amazonaws.com` elsewhere.
 */
export function publicAddress(instance: InstanceRecord, state: InstanceState, region: string): PublicAddress | undefined {
  const ip = instance.publicIpAddress;
  if (ip === undefined || !HOLDS_PUBLIC_ADDRESS.has(state)) return undefined;
  const domain = region === 'us-east-1' ? 'compute-1.amazonaws.com' : `${region}.compute.amazonaws.com`;
  return { ip, dnsName: `ec2-${ip.replaceAll('.', '-')}.${domain}` };
}

const ON_OFF = ['enabled', 'disabled'] as const;

/**
 * MetadataOptions, defaulting as EC2 does: an AMI with ImdsSupport v2.0 launches with IMDSv2 required
 * and a hop limit of 2; any other with tokens optional and a hop limit of 1.
 */
export function readMetadataOptions(params: Ec2Params, image: ImageRecord): MetadataOptions {
  const imdsV2 = image.imdsSupport === 'v2.0';
  const options = params.struct('MetadataOptions');
  const hopLimit = options?.int('HttpPutResponseHopLimit') ?? (imdsV2 ? 2 : 1);
  if (hopLimit < 1 || hopLimit > 64) {
    throw invalidParameterValue(`Value (${hopLimit}) for parameter HttpPutResponseHopLimit is invalid. It must be between 1 and 64.`);
  }
  const read = <T extends string>(name: string, allowed: readonly T[], fallback: T): T =>
    options ? oneOf(options, name, allowed, fallback) : fallback;
  return {
    httpTokens: read('HttpTokens', ['optional', 'required'], imdsV2 ? 'required' : 'optional'),
    httpPutResponseHopLimit: hopLimit,
    httpEndpoint: read('HttpEndpoint', ON_OFF, 'enabled'),
    httpProtocolIpv6: read('HttpProtocolIpv6', ON_OFF, 'disabled'),
    instanceMetadataTags: read('InstanceMetadataTags', ON_OFF, 'disabled'),
  };
}

/** EC2's private DNS name: `ec2.internal` in us-east-1, `<region>.compute.internal` elsewhere. */
export function privateDnsName(instance: InstanceRecord, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${instance.privateIpAddress.replaceAll('.', '-')}.${domain}`;
}

/**
 * The primary network interface every instance has, named after the instance so it needs no state of its own.
 * A public address shows as its association (and its primary private address's), owned by `amazon` as EC2 reports it.
 */
export function networkInterfacesXml(instance: InstanceRecord, scope: Scope, address: PublicAddress | undefined): XmlObject[] {
  const suffix = instance.id.slice('i-'.length);
  const dnsName = privateDnsName(instance, scope.region);
  const mac = `0e:${(suffix.slice(-10).match(/../g) ?? []).join(':')}`;
  const association = address && { ipOwnerId: 'amazon', publicDnsName: address.dnsName, publicIp: address.ip };
  return [
    {
      association,
      attachment: {
        attachTime: iso(instance.launchTime),
        attachmentId: `eni-attach-${suffix}`,
        deleteOnTermination: true,
        deviceIndex: 0,
        status: 'attached',
        networkCardIndex: 0,
      },
      description: '',
      groupSet: [],
      ipv6AddressesSet: [],
      macAddress: mac,
      networkInterfaceId: `eni-${suffix}`,
      ownerId: scope.accountId,
      privateDnsName: dnsName,
      privateIpAddress: instance.privateIpAddress,
      privateIpAddressesSet: [{ association, primary: true, privateDnsName: dnsName, privateIpAddress: instance.privateIpAddress }],
      sourceDestCheck: true,
      status: 'in-use',
      subnetId: instance.subnetId,
      vpcId: DEFAULT_VPC_ID,
      interfaceType: 'interface',
    },
  ];
}
