import { after, before } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  createSandbox,
  DEFAULT_REGION,
  SANDBOX_CREDENTIALS,
  SandboxAdmin,
  type RunningSandbox,
  type SandboxConfigOverrides,
} from '../../index';

export interface Ec2Sandbox {
  url: string;
  /** Signed with account A's key, in the default Region. */
  ec2: EC2Client;
  admin: SandboxAdmin;
}

/**
 * One sandbox for a test file, with an EC2 client and the admin API: started before the file's first
 * test and closed after its last. The object is filled in by the `before` hook.
 */
export function ec2SandboxForThisFile(config: SandboxConfigOverrides = { profile: 'test' }): Ec2Sandbox {
  const sandbox = {} as Ec2Sandbox;
  let running: RunningSandbox | undefined;
  before(async () => {
    running = await createSandbox({ port: 0, config });
    const ec2 = new EC2Client({ endpoint: running.url, region: DEFAULT_REGION, credentials: SANDBOX_CREDENTIALS });
    Object.assign(sandbox, { url: running.url, ec2, admin: new SandboxAdmin(running.url) });
  });
  after(async () => {
    sandbox.ec2?.destroy();
    await running?.close();
  });
  return sandbox;
}
