/**
 * The Auto Scaling world of the `--groups` scenario, made through the SDK as a user's account would have
 * it: groups of 2–4 instances in the build Region, each launching from a launch template of its own (its
 * version 1 pinned, as a group that may be rolled back must), which publish writes a new version of.
 *
 * Time runs 8x faster than AWS's for the refreshes (one refresh-second is 125 ms), so that a refresh
 * spans several of the refresh wait's 30 s polls, as AWS's do, and the whole scenario fits in minutes:
 * AWS starts a refresh within about 30 s (here 3.75 s), and each instance takes its launch plus the
 * 5-minute warm-up (0.5 + 37.5 s), one instance at a time at 90 % minimum healthy. A group of 4 with a
 * checkpoint at 50 % (1 minute, here 7.5 s) settles after about 160 s, one of 2 after about 90 s, at
 * different points between two polls. AWS's refreshes change less often between polls: a real instance
 * takes a dozen polls, not one and a quarter.
 * Every image takes 15 s, so that all the refreshes start together in either shape of the scenario.
 */
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, type SandboxAdmin, type SandboxConfigOverrides } from '@golden-image/aws-sandbox';
import type { PlacedClients } from '../activities/aws/clients';
import type { RolloutSpec } from '../contracts/ami-pipeline';
import { pollUntil } from './bounded';
import { BENCH_SANDBOX } from './sandbox-setup';
import { BENCH_REGION } from './stack';

export const GROUPS_SANDBOX: SandboxConfigOverrides = {
  ...BENCH_SANDBOX,
  durations: { ...BENCH_SANDBOX.durations, instanceRefreshStart: 3_750, instanceRefreshSecond: 125 },
  durationRanges: { ...BENCH_SANDBOX.durationRanges, image: [15_000, 15_000] },
};

/** The refresh preferences every group gets: one instance at a time, a 5-minute warm-up, a pause halfway. */
export const REFRESH_PREFERENCES = {
  minHealthyPercentage: 90,
  instanceWarmup: '5m',
  checkpoints: [50, 100],
  checkpointDelay: '1m',
} satisfies Partial<RolloutSpec>;

/** Auto Scaling's mutating bucket is 20 deep: more groups than that could not be made, or started, at once. */
export const MAX_GROUPS = 20;

export interface BenchGroup {
  name: string;
  /** The launch template it launches from, its own. */
  template: string;
  size: number;
}

export async function makeGroups({ ec2, autoscaling }: Pick<PlacedClients, 'ec2' | 'autoscaling'>, admin: SandboxAdmin, count: number) {
  const groups: BenchGroup[] = Array.from({ length: count }, (_, i) => ({
    name: `bench-asg-${i}`,
    template: `bench-web-${i}`,
    size: 2 + (i % 3),
  }));
  for (const { name, template, size } of groups) {
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: template,
        LaunchTemplateData: { ImageId: LINUX_BASE_AMI_ID, InstanceType: 'm5.large' },
      }),
    );
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateName: template, Version: '1' },
        MinSize: 1,
        MaxSize: 2 * size,
        DesiredCapacity: size,
        AvailabilityZones: [`${BENCH_REGION}a`],
      }),
    );
  }
  const instances = groups.reduce((sum, g) => sum + g.size, 0);
  const names = new Set(groups.map((g) => g.name));
  await pollUntil(`${instances} group instances in service`, 60_000, 250, async () => {
    const inService = (await admin.state()).autoscaling.autoScalingGroups
      .filter((g) => names.has(g.name))
      .flatMap((g) => g.instances.filter((i) => i.lifecycleState === 'InService'));
    return inService.length === instances ? true : undefined;
  });
  return groups;
}
