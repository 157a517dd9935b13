/**
 * The parts an integration test needs, all real: a Temporal dev server, the AWS sandbox on a free
 * loopback port, an in-process worker whose activities reach the sandbox through the AWS SDK over
 * HTTP, and an EC2 client for arranging scenarios and checking the outcome.
 */
import { after, before } from 'node:test';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAwsClients, type AwsClients } from '../../activities/aws/clients';
import type { NotifierSettings } from '../../activities/notify/settings';
import { SANDBOX_CREDENTIALS, SandboxAdmin, createSandbox, type SandboxConfigOverrides } from '@golden-image/aws-sandbox';
import { createWorker, type GoldenImageWorker } from '../../worker/create-worker';
import { launchInstances } from '../../dev/launch-instances';
import { startTemporal, workflowBundle } from './temporal';

/** The sandbox checks SigV4 signatures: tests sign with its first default key. */
export const TEST_CREDENTIALS = SANDBOX_CREDENTIALS;
export const REGION = 'us-east-1';

export interface Stack {
  env: TestWorkflowEnvironment;
  sandboxUrl: string;
  admin: SandboxAdmin;
  clients: AwsClients;
  ec2: EC2Client;
  /** Start an in-process worker on its own task queue; stop it with `stopWorker`. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  taskQueue: string;
  launchInstance(platform: 'windows' | 'linux', tags?: Record<string, string>): Promise<string>;
  /** Launches `count` instances and waits until they run; their IDs come back sorted, as a rollout orders them. */
  launchInstances(platform: 'windows' | 'linux', count: number, tags?: Record<string, string>): Promise<string[]>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Given to both the environment's client and the in-process worker (payload encryption, say). */
  dataConverter?: DataConverter;
  /** Extra dev-server flags, e.g. `--dynamic-config-value` settings. */
  serverArgs?: string[];
  /** The in-process worker's notification settings (default channels, webhook secret, UI address). */
  notifications?: NotifierSettings;
}

export async function startStack(sandboxConfig: SandboxConfigOverrides = { profile: 'test' }, options: StackOptions = {}): Promise<Stack> {
  const { dataConverter, serverArgs, notifications } = options;
  const [env, sandbox] = await Promise.all([startTemporal(dataConverter, serverArgs), createSandbox({ port: 0, config: sandboxConfig })]);
  const clients = createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS, requestTimeoutMs: 5_000 });
  const taskQueue = `golden-image-test-${process.pid}`;
  let worker: GoldenImageWorker | undefined;
  let running: Promise<void> | undefined;

  const stack: Stack = {
    env,
    sandboxUrl: sandbox.url,
    admin: new SandboxAdmin(sandbox.url),
    clients,
    ec2: clients.ec2,
    taskQueue,
    async startWorker() {
      worker = await createWorker({
        connection: env.nativeConnection,
        clients,
        taskQueue,
        workflowBundle: await workflowBundle(),
        dataConverter,
        notifications,
      });
      running = worker.run();
    },
    async stopWorker() {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = undefined;
    },
    async launchInstance(platform, tags = {}) {
      const [instanceId] = await stack.launchInstances(platform, 1, tags);
      return instanceId!;
    },
    launchInstances: (platform, count, tags) => launchInstances(clients.ec2, platform, count, tags),
    async close() {
      await stack.stopWorker();
      await env.teardown();
      await sandbox.close();
    },
  };
  await stack.startWorker();
  return stack;
}

/**
 * One stack for a test file: started before its first test and closed after its last. The object is
 * filled in by the `before` hook, so tests and their hooks use it as they would a started stack.
 */
export function stackForThisFile(): Stack {
  const stack = {} as Stack;
  before(async () => {
    Object.assign(stack, await startStack());
  });
  after(async () => {
    await stack.close?.();
  });
  return stack;
}

/** The sandbox as most tests begin: reset to the test profile, a Windows build instance tagged `Name=win-build`, no calls counted. */
export async function freshSandbox(stack: Stack): Promise<string> {
  await stack.admin.reset({ profile: 'test' });
  const buildInstance = await stack.launchInstance('windows', { Name: 'win-build' });
  await stack.admin.resetCalls();
  return buildInstance;
}
