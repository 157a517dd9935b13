import { describeAction } from './describe';
import { requireLaunchTemplates } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, iso, tagSetXml } from './render';
import { ApiError, missingParameter } from '../core/errors';
import type { FilterTable } from './filters';
import { newId } from '../core/ids';
import type { XmlObject } from '../core/query-protocol';
import type { Scope, Tags } from '../core/state';
import type { LaunchTemplateData, LaunchTemplateRecord, LaunchTemplateVersionRecord, Ec2State, Ec2Context } from './state';

/**
 * Launch templates: CreateLaunchTemplate and DescribeLaunchTemplates here; their versions and default
 * version in launch-template-versions.ts.
 */

const NAME_PATTERN = /^[a-zA-Z0-9().\-/_]{3,128}$/;

export interface NewLaunchTemplate {
  id?: string;
  name: string;
  imageId?: string;
  instanceType?: string;
  versionDescription?: string;
  tags?: Tags;
  createdAt?: number;
}

export function createLaunchTemplate(state: Ec2State, t: NewLaunchTemplate): LaunchTemplateRecord {
  const createdAt = t.createdAt ?? state.clock.now();
  const template: LaunchTemplateRecord = {
    seq: state.nextSeq(),
    id: t.id ?? newId('lt'),
    name: t.name,
    versions: [],
    defaultVersion: 1,
    tags: new Map(t.tags),
    createdAt,
  };
  addLaunchTemplateVersion(state, template, { imageId: t.imageId, instanceType: t.instanceType }, t.versionDescription, createdAt);
  state.ec2.launchTemplates.set(template.id, template);
  return template;
}

/** The next version of `template`, numbered after its latest. */
export function addLaunchTemplateVersion(
  state: Ec2State,
  template: LaunchTemplateRecord,
  data: LaunchTemplateData,
  description?: string,
  createdAt = state.clock.now(),
): LaunchTemplateVersionRecord {
  const version = { seq: state.nextSeq(), number: template.versions.length + 1, description, data, createdAt };
  template.versions.push(version);
  return version;
}

/** The data the sandbox keeps from a request's LaunchTemplateData; the rest is accepted and dropped. */
export function readLaunchTemplateData(params: Ec2Params): LaunchTemplateData {
  const data = params.struct('LaunchTemplateData');
  if (!data) throw missingParameter('LaunchTemplateData');
  return { imageId: data.string('ImageId'), instanceType: data.string('InstanceType') };
}

function findByName(state: Ec2State, name: string): LaunchTemplateRecord | undefined {
  return [...state.ec2.launchTemplates.values()].find((t) => t.name === name);
}

export function requireLaunchTemplateByName(state: Ec2State, name: string): LaunchTemplateRecord {
  const template = findByName(state, name);
  if (!template) {
    throw new ApiError(
      'InvalidLaunchTemplateName.NotFoundException',
      'At least one of the launch templates specified in the request does not exist.',
    );
  }
  return template;
}

export function launchTemplateXml(t: LaunchTemplateRecord, scope: Scope): XmlObject {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    createTime: iso(t.createdAt),
    createdBy: `arn:aws:iam::${scope.accountId}:root`,
    defaultVersionNumber: t.defaultVersion,
    latestVersionNumber: t.versions.length,
    tagSet: tagSetXml(t.tags),
  };
}

function createLaunchTemplateAction(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const { state } = ctx;
  const name = params.requiredString('LaunchTemplateName');
  if (!NAME_PATTERN.test(name)) {
    throw new ApiError(
      'InvalidLaunchTemplateName.MalformedException',
      `A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _. Got: ${name}`,
    );
  }
  const data = readLaunchTemplateData(params);
  const versionDescription = params.string('VersionDescription');
  const tagSpecs = params.tagSpecifications(['launch-template']);
  dryRunGate(params);
  if (findByName(state, name)) {
    throw new ApiError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use: ${name}`);
  }
  const tags = new Map(tagSpecs.flatMap((spec) => [...spec.tags]));
  const template = createLaunchTemplate(state, { name, ...data, versionDescription, tags });
  return { launchTemplate: launchTemplateXml(template, state.scope) };
}

const LAUNCH_TEMPLATE_FILTERS: FilterTable<LaunchTemplateRecord> = {
  'create-time': (t) => [iso(t.createdAt)],
  'launch-template-name': (t) => [t.name],
};

/** LaunchTemplateName.N: every name must exist, as with IDs. */
function byNames(params: Ec2Params, state: Ec2State): (t: LaunchTemplateRecord) => boolean {
  const names = params.stringList('LaunchTemplateName');
  for (const name of names) requireLaunchTemplateByName(state, name);
  return (t) => names.length === 0 || names.includes(t.name);
}

const describeLaunchTemplates = describeAction<LaunchTemplateRecord>({
  action: 'DescribeLaunchTemplates',
  idParameter: 'LaunchTemplateId',
  // AWS documents no rule against MaxResults with IDs here, unlike DescribeInstances.
  maxResults: { min: 1, max: 200 },
  require: requireLaunchTemplates,
  all: (state) => [...state.ec2.launchTemplates.values()],
  filters: () => LAUNCH_TEMPLATE_FILTERS,
  narrow: byNames,
  render: (items, state) => ({ launchTemplates: items.map((t) => launchTemplateXml(t, state.scope)) }),
});

export const launchTemplateActions = {
  CreateLaunchTemplate: createLaunchTemplateAction,
  DescribeLaunchTemplates: describeLaunchTemplates,
};
