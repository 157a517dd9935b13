import { ApiError } from '../core/errors';
import type { JsonParams } from '../core/json-params';
import type { JsonAction } from '../core/json-service';
import { pingStatus, syncAgents, viewAgent, type AgentView } from './agents';
import { platformType } from './documents';
import { ssmPage } from './pagination';
import { INSTANCE_ID } from './run-command';
import type { SsmState } from './state';

/**
 * DescribeInstanceInformation: the account's managed nodes in the Region, that is every instance whose agent
 * has registered (agents.ts), in launch order; as AWS documents it, not those that are stopped or terminated.
 * Filters (or the legacy InstanceInformationFilterList, not both) narrow the list; naming an instance the
 * account does not have is InvalidInstanceId, while one of its instances that is not managed is left out.
 */

const AGENT_VERSION = '3.3.2746.0';
const NOT_LISTED: ReadonlySet<string> = new Set(['stopped', 'terminated']);
const LEGACY_KEYS = [
  'InstanceIds',
  'AgentVersion',
  'PingStatus',
  'PlatformTypes',
  'ActivationIds',
  'IamRole',
  'ResourceType',
  'AssociationStatus',
];
const MAX_VALUES = 100;

/** What each platform's base image reports about its operating system. */
const OPERATING_SYSTEM = {
  windows: { PlatformName: 'Microsoft Windows Server 2022 Datacenter', PlatformVersion: '10.0.20348' },
  linux: { PlatformName: 'Amazon Linux', PlatformVersion: '2023' },
} as const;

/** Each filter key's test, and the values it accepts (any, unless listed). */
const FILTERS: Record<string, { allowed?: readonly string[]; values(view: AgentView): (string | undefined)[] }> = {
  InstanceIds: { values: (v) => [v.node.id] },
  AgentVersion: { values: () => [AGENT_VERSION] },
  PingStatus: { allowed: ['Online', 'ConnectionLost', 'Inactive'], values: (v) => [pingStatus(v)] },
  PlatformTypes: { allowed: ['Windows', 'Linux', 'MacOS'], values: (v) => [platformType(v.node.platform)] },
  PlatformType: { allowed: ['Windows', 'Linux', 'MacOS'], values: (v) => [platformType(v.node.platform)] },
  ResourceType: { allowed: ['EC2Instance', 'ManagedInstance'], values: () => ['EC2Instance'] },
  SourceIds: { values: (v) => [v.node.id] },
  SourceTypes: { allowed: ['AWS::EC2::Instance', 'AWS::SSM::ManagedInstance', 'AWS::IoT::Thing'], values: () => ['AWS::EC2::Instance'] },
  // EC2 instances have no activation, Quick Setup role or association here.
  ActivationIds: { values: () => [] },
  IamRole: { values: () => [] },
  AssociationStatus: { values: () => [] },
  'tag-key': { values: (v) => [...v.node.tags.keys()] },
};

function filterFor(key: string, values: string[]): { key: string; values: string[]; test: (view: AgentView) => boolean } {
  const tagKey = key.startsWith('tag:') ? key.slice('tag:'.length) : undefined;
  const filter =
    tagKey !== undefined ? { values: (v: AgentView) => [v.node.tags.get(tagKey)] } : Object.hasOwn(FILTERS, key) ? FILTERS[key] : undefined;
  if (!filter) throw new ApiError('InvalidFilterKey', `The filter key ${key} is not valid.`);
  if (values.length < 1 || values.length > MAX_VALUES) {
    throw new ApiError('ValidationException', `A filter takes 1 to ${MAX_VALUES} values (${key}).`);
  }
  const bad = filter.allowed && values.find((value) => !filter.allowed!.includes(value));
  if (bad) throw new ApiError('InvalidInstanceInformationFilterValue', `The filter value ${bad} is not valid for ${key}.`);
  return { key, values, test: (view) => filter.values(view).some((value) => value !== undefined && values.includes(value)) };
}

function readFilters(params: JsonParams) {
  const legacy = params.structList('InstanceInformationFilterList');
  const filters = params.structList('Filters');
  if (legacy.length > 0 && filters.length > 0) {
    throw new ApiError('ValidationException', 'InstanceInformationFilterList and Filters cannot be used together.');
  }
  return [
    ...legacy.map((f) => filterFor(f.requiredString('key', { oneOf: LEGACY_KEYS }), f.stringList('valueSet'))),
    ...filters.map((f) => filterFor(f.requiredString('Key'), f.stringList('Values'))),
  ];
}

function computerName(view: AgentView): string {
  return view.node.platform === 'windows' ? `EC2AMAZ-${view.node.id.slice(-7).toUpperCase()}` : view.node.privateDnsName;
}

const describeInstanceInformation: JsonAction<SsmState> = (params, { state, config }) => {
  const filters = readFilters(params);
  const page = { maxResults: params.int('MaxResults', { min: 5, max: 50 }) ?? 10, nextToken: params.string('NextToken') };
  const nodes = syncAgents(state, config);
  const named = filters.filter((f) => f.key === 'InstanceIds').flatMap((f) => f.values);
  const unknown = named.filter((id) => !INSTANCE_ID.test(id) || !nodes.has(id));
  if (unknown.length > 0) throw new ApiError('InvalidInstanceId', `Instance ids [${unknown.join(', ')}] are not valid for this account.`);

  const now = state.clock.now();
  const managed = [...nodes.values()]
    .map((node) => viewAgent(node, state.ssm.agents.get(node.id)!, now))
    .filter((view) => view.registeredAt !== undefined && !NOT_LISTED.has(view.instanceState))
    .filter((view) => filters.every((f) => f.test(view)));
  const { items, nextToken } = ssmPage(
    managed.map((view) => ({ key: view.node.seq, item: view })),
    page,
    'DescribeInstanceInformation',
  );
  return {
    InstanceInformationList: items.map((view) => ({
      InstanceId: view.node.id,
      PingStatus: pingStatus(view),
      LastPingDateTime: new Date(view.lastPingAt!),
      AgentVersion: AGENT_VERSION,
      IsLatestVersion: true,
      PlatformType: platformType(view.node.platform),
      ...OPERATING_SYSTEM[view.node.platform],
      ResourceType: 'EC2Instance',
      IPAddress: view.node.privateIpAddress,
      ComputerName: computerName(view),
      SourceId: view.node.id,
      SourceType: 'AWS::EC2::Instance',
    })),
    NextToken: nextToken,
  };
};

export const instanceInformationActions: Record<string, JsonAction<SsmState>> = {
  DescribeInstanceInformation: describeInstanceInformation,
};
