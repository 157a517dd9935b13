/**
 * A sandbox of a test's own, on a free loopback port, with the clients to arrange and check it. Crash
 * scenarios each get one, so they can run side by side with their own durations, faults and exact call
 * counts, against one Temporal dev server.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AppStreamClient } from '@aws-sdk/client-appstream';
import { createAwsClients } from '../../activities/aws/clients';
import { SandboxAdmin, createSandbox, type SandboxConfigOverrides } from '@golden-image/aws-sandbox';
import { launchInstances } from '../../dev/launch-instances';
import { REGION, TEST_CREDENTIALS } from './stack';

export interface OwnSandbox {
  url: string;
  admin: SandboxAdmin;
  ec2: EC2Client;
  appstream: AppStreamClient;
  launchInstances(platform: 'windows' | 'linux', count: number, tags?: Record<string, string>): Promise<string[]>;
  close(): Promise<void>;
}

export async function startOwnSandbox(config: SandboxConfigOverrides = { profile: 'test' }): Promise<OwnSandbox> {
  const sandbox = await createSandbox({ port: 0, config });
  const { ec2, appstream } = createAwsClients({
    endpoint: sandbox.url,
    region: REGION,
    credentials: TEST_CREDENTIALS,
    requestTimeoutMs: 5_000,
  });
  return {
    url: sandbox.url,
    admin: new SandboxAdmin(sandbox.url),
    ec2,
    appstream,
    launchInstances: (platform, count, tags) => launchInstances(ec2, platform, count, tags),
    close: async () => {
      ec2.destroy();
      appstream.destroy();
      await sandbox.close();
    },
  };
}
