/** Launching EC2 instances on the sandbox through the SDK, the way a user sets up a scenario. */
import { RunInstancesCommand, waitUntilInstanceRunning, type EC2Client } from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '../../sandbox/ec2/seed';

/** Launches `count` instances in one RunInstances (EC2's RunInstances bucket is small: 5, refilled at 2 a second) and waits until they run; IDs sorted. */
export async function launchInstances(ec2: EC2Client, platform: 'windows' | 'linux', count: number, tags: Record<string, string> = {}): Promise<string[]> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: platform === 'windows' ? WINDOWS_BASE_AMI_ID : LINUX_BASE_AMI_ID,
      InstanceType: 'm5.large',
      MinCount: count,
      MaxCount: count,
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  const instanceIds = (out.Instances ?? []).map((i) => i.InstanceId ?? '');
  await waitUntilInstanceRunning({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { InstanceIds: instanceIds });
  return instanceIds.sort();
}
