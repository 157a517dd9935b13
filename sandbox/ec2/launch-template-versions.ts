import { compileFilters, type FilterTable } from './filters';
import { ClientTokens } from './idempotency';
import { addLaunchTemplateVersion, launchTemplateXml, readLaunchTemplateData, requireLaunchTemplateByName } from './launch-templates';
import { requireLaunchTemplates } from './lookup';
import { readEc2Page } from './pagination';
import type { Ec2Params } from './params';
import { dryRunGate, iso } from './render';
import { ApiError, invalidParameterCombination, invalidParameterValue, missingParameter } from '../core/errors';
import { paginate } from '../core/pagination';
import type { XmlObject } from '../core/query-protocol';
import type { Tags } from '../core/state';
import type { Ec2Context, Ec2State, LaunchTemplateRecord, LaunchTemplateVersionRecord } from './state';

/**
 * Launch template versions, as the EC2 API reference has them: CreateLaunchTemplateVersion (numbered in
 * creation order, optionally based on SourceVersion), ModifyLaunchTemplate (the default version) and
 * DescribeLaunchTemplateVersions.
 */

/** The template named by LaunchTemplateId or LaunchTemplateName: one of them, not both. */
function readTemplate(params: Ec2Params, state: Ec2State): LaunchTemplateRecord | undefined {
  const id = params.string('LaunchTemplateId');
  const name = params.string('LaunchTemplateName');
  if (id !== undefined && name !== undefined) {
    throw invalidParameterCombination('Specify either the launch template ID or the launch template name, but not both.');
  }
  if (id !== undefined) return requireLaunchTemplates(state, [id])[0]!;
  if (name !== undefined) return requireLaunchTemplateByName(state, name);
  return undefined;
}

export function requireTemplate(params: Ec2Params, state: Ec2State): LaunchTemplateRecord {
  const template = readTemplate(params, state);
  if (!template) throw missingParameter('LaunchTemplateId or LaunchTemplateName');
  return template;
}

function versionNotFound(template: LaunchTemplateRecord, version: string): ApiError {
  return new ApiError(
    'InvalidLaunchTemplateId.VersionNotFound',
    `Could not find launch template version ${version} for launch template ID ${template.id}.`,
  );
}

/** A version as requests name it: `$Latest`, `$Default`, or its number. */
export function resolveVersion(template: LaunchTemplateRecord, version: string): LaunchTemplateVersionRecord {
  if (version === '$Latest') return template.versions.at(-1)!;
  if (version === '$Default') return template.versions[template.defaultVersion - 1]!;
  if (!/^\d+$/.test(version))
    throw invalidParameterValue(`Invalid launch template version '${version}'. Specify $Latest, $Default, or a version number.`);
  const found = template.versions[Number(version) - 1];
  if (!found) throw versionNotFound(template, version);
  return found;
}

interface VersionItem {
  seq: number;
  template: LaunchTemplateRecord;
  version: LaunchTemplateVersionRecord;
  /** Filters such as `tag:` look at the template's tags. */
  tags: Tags;
}

const item = (template: LaunchTemplateRecord, version: LaunchTemplateVersionRecord): VersionItem => ({
  seq: version.seq,
  template,
  version,
  tags: template.tags,
});

function versionXml({ template, version }: VersionItem, state: Ec2State): XmlObject {
  return {
    launchTemplateId: template.id,
    launchTemplateName: template.name,
    versionNumber: version.number,
    versionDescription: version.description,
    createTime: iso(version.createdAt),
    createdBy: `arn:aws:iam::${state.scope.accountId}:root`,
    defaultVersion: version.number === template.defaultVersion,
    launchTemplateData: { imageId: version.data.imageId, instanceType: version.data.instanceType },
  };
}

function createLaunchTemplateVersion(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const template = requireTemplate(params, state);
  const sourceVersion = params.string('SourceVersion');
  const source = sourceVersion === undefined ? undefined : resolveVersion(template, sourceVersion);
  const given = readLaunchTemplateData(params);
  const description = params.string('VersionDescription');
  params.bool('ResolveAlias');
  const clientToken = params.string('ClientToken');
  const tokens = new ClientTokens(state.ec2.launchTemplateVersionsByClientToken);
  dryRunGate(params);

  const previous = tokens.previousResult(clientToken, params);
  if (previous !== undefined) {
    const [templateId, number] = previous.split(':');
    const earlier = state.ec2.launchTemplates.get(templateId!);
    if (earlier) return { launchTemplateVersion: versionXml(item(earlier, earlier.versions[Number(number) - 1]!), state) };
  }
  // With SourceVersion the new version inherits its data, and what the request gives overrides it.
  const data = { ...source?.data };
  if (given.imageId !== undefined) data.imageId = given.imageId;
  if (given.instanceType !== undefined) data.instanceType = given.instanceType;
  const version = addLaunchTemplateVersion(state, template, data, description);
  tokens.remember(clientToken, params, `${template.id}:${version.number}`);
  return { launchTemplateVersion: versionXml(item(template, version), state) };
}

function modifyLaunchTemplate(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const template = requireTemplate(params, state);
  const defaultVersion = params.string('SetDefaultVersion');
  const chosen = defaultVersion === undefined ? undefined : resolveVersion(template, defaultVersion);
  dryRunGate(params);
  if (chosen) template.defaultVersion = chosen.number;
  return { launchTemplate: launchTemplateXml(template, state.scope) };
}

const VERSION_FILTERS: FilterTable<VersionItem> = {
  'create-time': (v) => [iso(v.version.createdAt)],
  'image-id': (v) => [v.version.data.imageId],
  'instance-type': (v) => [v.version.data.instanceType],
  'is-default-version': (v) => [String(v.version.number === v.template.defaultVersion)],
  // Documented filters on template data the sandbox does not keep: they match no version.
  ...Object.fromEntries(
    [
      'ebs-optimized',
      'http-endpoint',
      'http-protocol-ipv4',
      'host-resource-group-arn',
      'http-tokens',
      'iam-instance-profile',
      'kernel-id',
      'license-configuration-arn',
      'network-card-index',
      'ram-disk-id',
    ].map((name) => [name, () => []]),
  ),
};

/** MinVersion / MaxVersion: a version number each, bounds included. */
function versionRange(params: Ec2Params): (v: VersionItem) => boolean {
  const min = params.int('MinVersion');
  const max = params.int('MaxVersion');
  return (v) => (min === undefined || v.version.number >= min) && (max === undefined || v.version.number <= max);
}

/**
 * With a template: the versions named (`$Latest`, `$Default`, numbers), or all of them. Without one:
 * every template's latest and/or default version, and numbers are refused.
 */
function candidates(params: Ec2Params, state: Ec2State): VersionItem[] {
  const template = readTemplate(params, state);
  const versions = params.stringList('LaunchTemplateVersion');
  if (template) {
    const chosen = versions.length === 0 ? template.versions : versions.map((v) => resolveVersion(template, v));
    return [...new Set(chosen)].map((v) => item(template, v));
  }
  if (versions.length === 0) throw missingParameter('LaunchTemplateId or LaunchTemplateName');
  const bad = versions.find((v) => v !== '$Latest' && v !== '$Default');
  if (bad !== undefined) {
    throw invalidParameterValue(
      `Version ${bad} is not valid without a launch template: only $Latest and $Default describe every template's versions.`,
    );
  }
  return [...state.ec2.launchTemplates.values()].flatMap((t) =>
    [...new Set(versions.map((v) => resolveVersion(t, v)))].map((v) => item(t, v)),
  );
}

function describeLaunchTemplateVersions(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const all = candidates(params, state);
  const inRange = versionRange(params);
  const matches = compileFilters(params.filters(), VERSION_FILTERS);
  params.bool('ResolveAlias');
  params.bool('IncludeManagedResources');
  const page = readEc2Page(params, { min: 1, max: 200, idParameter: '', idsGiven: false });
  dryRunGate(params);
  const ordered = all.filter((v) => inRange(v) && matches(v)).sort((a, b) => a.seq - b.seq);
  const { items, nextToken } = paginate(ordered, page, 'DescribeLaunchTemplateVersions');
  return { launchTemplateVersionSet: items.map((v) => versionXml(v, state)), nextToken };
}

export const launchTemplateVersionActions = {
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  ModifyLaunchTemplate: modifyLaunchTemplate,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
};
