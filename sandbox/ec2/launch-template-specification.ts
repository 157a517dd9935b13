import { requireTemplate, resolveVersion } from './launch-template-versions';
import type { Ec2Params } from './params';
import type { Tags } from '../core/state';
import type { Ec2State, LaunchTemplateData } from './state';

/**
 * RunInstances' LaunchTemplate (a LaunchTemplateSpecification): the template by ID or name, and its
 * version (`$Default` when omitted, `$Latest`, or a number). The version's data stands in for what the
 * request leaves out, and EC2 tags every instance launched this way with the template and the version.
 */

export interface TemplateLaunch {
  data: LaunchTemplateData;
  /** `aws:ec2launchtemplate:id` and `aws:ec2launchtemplate:version` (the resolved version number). */
  systemTags: Tags;
}

export function readLaunchTemplateSpecification(params: Ec2Params, state: Ec2State): TemplateLaunch | undefined {
  const spec = params.struct('LaunchTemplate');
  if (!spec) return undefined;
  const template = requireTemplate(spec, state);
  const version = resolveVersion(template, spec.string('Version') ?? '$Default');
  return {
    data: version.data,
    systemTags: new Map([
      ['aws:ec2launchtemplate:id', template.id],
      ['aws:ec2launchtemplate:version', String(version.number)],
    ]),
  };
}
