import type { MemberReader } from '../core/member-reader';
import type { JsonObject } from '../core/structure-protocol';
import { validationError } from './errors';
import type { InstanceFleet, ResolvedTemplate } from './neighbours';
import type { LaunchSource, TemplateOverride, TemplateRef } from './state';

/**
 * Where instances come from, as CreateAutoScalingGroup and StartInstanceRefresh's DesiredConfiguration
 * give it: a LaunchTemplate (a LaunchTemplateSpecification: ID or name, Version `$Default` unless given),
 * or a MixedInstancesPolicy (its launch template and Overrides, whose ImageId is what a ReplaceRootVolume
 * refresh puts on instances). Templates are checked against EC2 when given.
 */

const STRING_255 = { maxLength: 255 };
const TEMPLATE_NAME = { maxLength: 128, pattern: /^[a-zA-Z0-9().\-/_]+$/ };

/** The InstancesDistribution members and the defaults DescribeAutoScalingGroups shows for those not given. */
const DISTRIBUTION_DEFAULTS: Record<string, string | number> = {
  OnDemandAllocationStrategy: 'prioritized',
  OnDemandBaseCapacity: 0,
  OnDemandPercentageAboveBaseCapacity: 100,
  SpotAllocationStrategy: 'lowest-price',
  SpotInstancePools: 2,
};

export interface ReadTemplate {
  ref: TemplateRef;
  resolved: ResolvedTemplate;
}

/** A LaunchTemplateSpecification, resolved through EC2. */
export function readTemplateSpecification(spec: MemberReader, fleet: InstanceFleet): ReadTemplate {
  const templateId = spec.string('LaunchTemplateId', STRING_255);
  const templateName = spec.string('LaunchTemplateName', TEMPLATE_NAME);
  const version = spec.string('Version', STRING_255) ?? '$Default';
  if ((templateId === undefined) === (templateName === undefined)) {
    throw validationError('Valid requests must contain either LaunchTemplateId or LaunchTemplateName, but not both.');
  }
  const resolved = fleet.resolveTemplate({ templateId, templateName, version });
  if (!resolved) {
    throw validationError(
      `You must use a valid fully-formed launch template. The launch template ${templateId ?? templateName} with version ${version} does not exist.`,
    );
  }
  return { ref: { templateId: resolved.templateId, templateName: resolved.templateName, version }, resolved };
}

function readOverride(o: MemberReader, fleet: InstanceFleet): TemplateOverride {
  const imageId = o.string('ImageId', STRING_255);
  if (imageId !== undefined && !fleet.image(imageId))
    throw validationError(`The AMI ${imageId} in the overrides does not exist or is not available.`);
  return { instanceType: o.string('InstanceType', STRING_255), imageId, weightedCapacity: o.string('WeightedCapacity', { maxLength: 32 }) };
}

function readDistribution(d: MemberReader | undefined): Record<string, string | number> | undefined {
  if (!d) return undefined;
  const given: Record<string, string | number | undefined> = {
    OnDemandAllocationStrategy: d.string('OnDemandAllocationStrategy'),
    OnDemandBaseCapacity: d.int('OnDemandBaseCapacity'),
    OnDemandPercentageAboveBaseCapacity: d.int('OnDemandPercentageAboveBaseCapacity', { min: 0, max: 100 }),
    SpotAllocationStrategy: d.string('SpotAllocationStrategy'),
    SpotInstancePools: d.int('SpotInstancePools'),
    SpotMaxPrice: d.string('SpotMaxPrice', STRING_255),
  };
  return Object.fromEntries(Object.entries(given).filter((e): e is [string, string | number] => e[1] !== undefined));
}

/** LaunchTemplate or MixedInstancesPolicy from `params` (one of them, not both), or undefined if neither is given. */
export function readLaunchSource(params: MemberReader, fleet: InstanceFleet): LaunchSource | undefined {
  const template = params.struct('LaunchTemplate');
  const mixed = params.struct('MixedInstancesPolicy');
  if (template && mixed) throw validationError('You can specify either LaunchTemplate or MixedInstancesPolicy, but not both.');
  if (template) return { template: readTemplateSpecification(template, fleet).ref };
  if (!mixed) return undefined;
  const launchTemplate = mixed.struct('LaunchTemplate');
  const specification = launchTemplate?.struct('LaunchTemplateSpecification');
  if (!launchTemplate || !specification)
    throw validationError('A MixedInstancesPolicy must contain a LaunchTemplate with a LaunchTemplateSpecification.');
  return {
    template: readTemplateSpecification(specification, fleet).ref,
    overrides: launchTemplate.structList('Overrides').map((o) => readOverride(o, fleet)),
    distribution: readDistribution(mixed.struct('InstancesDistribution')),
  };
}

export function templateMembers(ref: TemplateRef): JsonObject {
  return { LaunchTemplateId: ref.templateId, LaunchTemplateName: ref.templateName, Version: ref.version };
}

/** LaunchTemplate or MixedInstancesPolicy, as DescribeAutoScalingGroups and DescribeInstanceRefreshes answer them. */
export function launchSourceMembers(source: LaunchSource): JsonObject {
  if (!source.overrides) return { LaunchTemplate: templateMembers(source.template) };
  return {
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: templateMembers(source.template),
        Overrides: source.overrides.map((o) => ({
          InstanceType: o.instanceType,
          ImageId: o.imageId,
          WeightedCapacity: o.weightedCapacity,
        })),
      },
      InstancesDistribution: { ...DISTRIBUTION_DEFAULTS, ...source.distribution },
    },
  };
}

/** The override an instance of `instanceType` falls under: its own type's, else the first (the highest priority). */
export function overrideFor(source: LaunchSource, instanceType?: string): TemplateOverride | undefined {
  return source.overrides?.find((o) => o.instanceType === instanceType) ?? source.overrides?.[0];
}

/** A source whose every override names an AMI: what a ReplaceRootVolume refresh needs. */
export function hasImageOverrides(source: LaunchSource): boolean {
  return source.overrides !== undefined && source.overrides.length > 0 && source.overrides.every((o) => o.imageId !== undefined);
}

/** Whether the version is a number: a rollback can return only to a numbered version. */
export function isNumberedVersion(ref: TemplateRef): boolean {
  return /^\d+$/.test(ref.version);
}
