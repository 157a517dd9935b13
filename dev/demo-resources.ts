/**
 * The local stack's demo resources (two build instances and a web fleet) and a one-line account of what a
 * restored sandbox holds, both read through the EC2 and AppStream APIs like any client would.
 */
import {
  DescribeImageBuildersCommand,
  paginateDescribeImages as paginateAppStreamImages,
  type AppStreamClient,
} from '@aws-sdk/client-appstream';
import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients, PlacedClients } from '../activities/aws/clients';
import { runInstances } from './launch-instances';

export const WINDOWS_BUILD_TAGS = { Name: 'win-build', role: 'build' };
export const LINUX_BUILD_TAGS = { Name: 'linux-build', role: 'build' };
export const FLEET_TAGS = { fleet: 'web' };
export const FLEET_SIZE = 4;
/** The launch template examples/multi-region.yaml publishes to, and the Regions that have it. */
export const DEMO_LAUNCH_TEMPLATE = 'web';
export const DEMO_TEMPLATE_REGIONS = ['us-east-1', 'us-west-2'];

/** Instances a pipeline can still use: a terminated (or terminating) one is gone for good. */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export interface DemoResources {
  windowsBuild: string;
  linuxBuild: string;
  fleet: string[];
}

async function tagged(ec2: EC2Client, tags: Record<string, string>): Promise<string[]> {
  const filters = [
    ...Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
    { Name: 'instance-state-name', Values: LIVE_STATES },
  ];
  const ids: string[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters })) {
    for (const reservation of page.Reservations ?? []) for (const instance of reservation.Instances ?? []) ids.push(instance.InstanceId!);
  }
  return ids.sort();
}

/**
 * The demo's instances: found by their tags (a restored sandbox has them, with whatever a run did to
 * them), launched where missing (all of them in a freshly seeded sandbox; one the user terminated).
 */
export async function demoResources(ec2: EC2Client): Promise<DemoResources> {
  const one = async (platform: 'windows' | 'linux', tags: Record<string, string>) =>
    (await tagged(ec2, tags))[0] ?? (await runInstances(ec2, platform, 1, tags))[0]!;
  const windowsBuild = await one('windows', WINDOWS_BUILD_TAGS);
  const linuxBuild = await one('linux', LINUX_BUILD_TAGS);
  const fleet = await tagged(ec2, FLEET_TAGS);
  if (fleet.length < FLEET_SIZE) fleet.push(...(await runInstances(ec2, 'windows', FLEET_SIZE - fleet.length, FLEET_TAGS)));
  return { windowsBuild, linuxBuild, fleet: fleet.sort() };
}

/** The demo group: a Windows fleet behind the launch template, for `rollout.autoScalingGroups`. */
export const DEMO_GROUP = 'web-asg';
export const DEMO_ALARM = 'web-5xx';
const WINDOWS_BASE_PARAMETER = '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base';

/** The demo launch template, Auto Scaling group and alarm in each of their Regions, made where missing. */
export async function demoLaunchTemplates(clients: AwsClients): Promise<void> {
  for (const region of DEMO_TEMPLATE_REGIONS) await demoGroupFleet(clients.at({ region }), region);
}

/**
 * In one Region: the launch template on that Region's Windows base image, the group of two instances
 * behind it, and the alarm; each made where missing. The group pins template version 1, as a group that
 * may be rolled back must (AWS rolls back no group on `$Default` or `$Latest`). Tests arrange theirs so too.
 */
export async function demoGroupFleet({ ec2, ssm, autoscaling, cloudwatch }: PlacedClients, region: string): Promise<void> {
  const found = await ec2.send(
    new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'launch-template-name', Values: [DEMO_LAUNCH_TEMPLATE] }] }),
  );
  if (!found.LaunchTemplates?.length) {
    const base = (await ssm.send(new GetParameterCommand({ Name: WINDOWS_BASE_PARAMETER }))).Parameter?.Value;
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: DEMO_LAUNCH_TEMPLATE,
        LaunchTemplateData: { ImageId: base, InstanceType: 'm5.large' },
      }),
    );
  }
  const groups = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [DEMO_GROUP] }));
  if (!groups.AutoScalingGroups?.length) {
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: DEMO_GROUP,
        LaunchTemplate: { LaunchTemplateName: DEMO_LAUNCH_TEMPLATE, Version: '1' },
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: 2,
        AvailabilityZones: [`${region}a`],
      }),
    );
  }
  const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [DEMO_ALARM] }));
  if (!alarms.MetricAlarms?.length) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: DEMO_ALARM,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }
}

async function count<P>(pages: AsyncIterable<P>, items: (page: P) => unknown[] | undefined): Promise<number> {
  let n = 0;
  for await (const page of pages) n += items(page)?.length ?? 0;
  return n;
}

/** The SDK has no paginator for DescribeImageBuilders. */
async function* imageBuilderPages(appstream: AppStreamClient) {
  let NextToken: string | undefined;
  do {
    const page = await appstream.send(new DescribeImageBuildersCommand({ NextToken }));
    yield page;
    NextToken = page.NextToken;
  } while (NextToken);
}

/** "3 AMIs, 7 instances, ...": what the account holds, as its describes list it. */
export async function resourceCounts({ ec2, appstream }: AwsClients): Promise<string> {
  const [amis, instances, snapshots, appStreamImages, builders] = await Promise.all([
    count(paginateDescribeImages({ client: ec2 }, { Owners: ['self'] }), (p) => p.Images),
    count(paginateDescribeInstances({ client: ec2 }, { Filters: [{ Name: 'instance-state-name', Values: LIVE_STATES }] }), (p) =>
      p.Reservations?.flatMap((r) => r.Instances ?? []),
    ),
    count(paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'] }), (p) => p.Snapshots),
    count(paginateAppStreamImages({ client: appstream }, { Type: 'PRIVATE' }), (p) => p.Images),
    count(imageBuilderPages(appstream), (p) => p.ImageBuilders),
  ]);
  return `${amis} AMIs, ${instances} instances, ${snapshots} snapshots, ${appStreamImages} AppStream images, ${builders} image builders`;
}
