/**
 * Launching EC2 instances on the sandbox through the SDK, the way a user sets up build instances and
 * fleets: the local stack, the tests and the benchmark all arrange their scenarios with it.
 */
import { RunInstancesCommand, waitUntilInstanceRunning, type EC2Client } from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '@golden-image/aws-sandbox';

/** The sandbox's seeded base AMI of each platform. */
const BASE_AMI = { windows: WINDOWS_BASE_AMI_ID, linux: LINUX_BASE_AMI_ID };

/**
 * Launches `count` instances of the platform's base AMI in one RunInstances (EC2's RunInstances bucket
 * is small: 5, refilled at 2 a second) and returns their IDs without waiting for them to run.
 */
export async function runInstances(
  ec2: EC2Client,
  platform: 'windows' | 'linux',
  count: number,
  tags: Record<string, string> = {},
): Promise<string[]> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: BASE_AMI[platform],
      InstanceType: 'm5.large',
      MinCount: count,
      MaxCount: count,
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  return (out.Instances ?? []).map((i) => i.InstanceId ?? '');
}

/** Launches as runInstances does and waits until the instances run; their IDs come back sorted, as a rollout orders them. */
export async function launchInstances(
  ec2: EC2Client,
  platform: 'windows' | 'linux',
  count: number,
  tags: Record<string, string> = {},
): Promise<string[]> {
  const instanceIds = await runInstances(ec2, platform, count, tags);
  await waitUntilInstanceRunning({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { InstanceIds: instanceIds });
  return instanceIds.sort();
}
