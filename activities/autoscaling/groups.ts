/**
 * The preflight of a rollout onto Auto Scaling groups, with describes only: each group exists in its
 * Region, launches from a launch template (whose ID the run needs), has no refresh running, and can take
 * the strategy asked for; each alarm exists. Every problem comes back at once, in one error.
 */
import {
  DescribeAutoScalingGroupsCommand,
  paginateDescribeInstanceRefreshes,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { RolloutSpec } from '../../contracts/ami-pipeline';
import { awsCall } from '../aws/call';
import { refuseInput } from '../input-validation';

export interface GroupCheck {
  name: string;
  region: string;
  /** The clients of the group's Region. */
  autoscaling: AutoScalingClient;
  cloudwatch: CloudWatchClient;
}

export interface CheckedGroup {
  name: string;
  region: string;
  launchTemplateId: string;
  launchTemplateName: string;
}

const ACTIVE = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);

function launchTemplateOf(group: AutoScalingGroup) {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}

async function checkOne(check: GroupCheck, spec: RolloutSpec, index: number): Promise<CheckedGroup | string> {
  const path = `rollout.autoScalingGroups[${index}]`;
  const out = await awsCall(`DescribeAutoScalingGroups (${check.name})`, () =>
    check.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [check.name] })),
  );
  const group = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === check.name);
  if (!group) return `${path}.name: no Auto Scaling group ${check.name} in ${check.region}`;
  const template = launchTemplateOf(group);
  if (!template?.LaunchTemplateId)
    return `${path}.name: group ${check.name} does not launch from a launch template (a launch configuration cannot take a new image version)`;
  if (spec.strategy === 'replace-root-volume' && !group.MixedInstancesPolicy) {
    return `${path}.name: the replace-root-volume strategy needs a mixed instances policy whose overrides name an ImageId, and group ${check.name} has none`;
  }
  const running = await awsCall(`DescribeInstanceRefreshes (${check.name})`, async () => {
    for await (const page of paginateDescribeInstanceRefreshes(
      { client: check.autoscaling, pageSize: 100 },
      { AutoScalingGroupName: check.name },
    )) {
      const active = page.InstanceRefreshes?.find((r) => ACTIVE.has(r.Status ?? ''));
      if (active) return active;
    }
    return undefined;
  });
  if (running) return `${path}.name: group ${check.name} has an instance refresh running (${running.InstanceRefreshId}, ${running.Status})`;
  return {
    name: check.name,
    region: check.region,
    launchTemplateId: template.LaunchTemplateId,
    launchTemplateName: template.LaunchTemplateName ?? '',
  };
}

async function missingAlarms(cloudwatch: CloudWatchClient, names: string[]): Promise<string[]> {
  const out = await awsCall('DescribeAlarms', () =>
    cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 })),
  );
  const found = new Set((out.MetricAlarms ?? []).map((a) => a.AlarmName).concat((out.CompositeAlarms ?? []).map((a) => a.AlarmName)));
  return names.filter((name) => !found.has(name));
}

export async function checkAutoScalingGroups(checks: GroupCheck[], spec: RolloutSpec): Promise<CheckedGroup[]> {
  const results = await Promise.all(checks.map((check, i) => checkOne(check, spec, i)));
  const problems = results.filter((r): r is string => typeof r === 'string');
  // Alarms are the groups' Regions' own: each Region is asked once.
  const regions = [...new Map(checks.map((c) => [c.region, c.cloudwatch])).entries()];
  for (const [region, cloudwatch] of spec.alarms ? regions : []) {
    for (const name of await missingAlarms(cloudwatch, spec.alarms!))
      problems.push(`rollout.alarms: no CloudWatch alarm ${name} in ${region}`);
  }
  if (problems.length) throw refuseInput(problems);
  return results as CheckedGroup[];
}
