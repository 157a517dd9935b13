import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { createSandbox, SandboxAdmin, type RunningSandbox, type SandboxConfigOverrides } from '../../index';
import { awsCli, ensureAwsCli, writeModelWithProtocol, type AwsCli } from './awscli';

export interface AwsCliSandbox {
  url: string;
  admin: SandboxAdmin;
  /** This file's own folder, the AWS CLI's config among what it holds; removed after the last test. */
  configDir: string;
  /** The AWS CLI for `service` against this sandbox; may be called before the `before` hook has run. */
  cli(service: string): AwsCli;
}

export interface AwsCliSandboxOptions {
  /** The CLI reads botocore's model of `service` with `protocol` as its only protocol (see writeModelWithProtocol). */
  onlyProtocol?: { service: string; protocol: string };
  /**
   * What the file needs once the sandbox is up, run in the same hook: a file's top-level `before` hooks
   * run concurrently, so a hook of its own could start before the venv or the sandbox is there.
   */
  whenStarted?: () => unknown;
  /** The hook's timeout: building the venv can take minutes, and `whenStarted` may add more. */
  timeout?: number;
}

/**
 * One sandbox for a test file that drives it with the AWS CLI (or the venv's boto3): the venv is ensured,
 * a config folder made and the sandbox started before the file's first test, all of it undone after its
 * last. The object is filled in by the `before` hook, as ec2SandboxForThisFile's is.
 */
export function awsCliSandboxForThisFile(
  config: SandboxConfigOverrides = { profile: 'test' },
  options: AwsCliSandboxOptions = {},
): AwsCliSandbox {
  const models = () => path.join(sandbox.configDir, 'models');
  const sandbox = {
    cli: (service: string) =>
      awsCli(
        service,
        () => sandbox.url,
        () => sandbox.configDir,
        options.onlyProtocol ? models : undefined,
      ),
  } as AwsCliSandbox;
  let running: RunningSandbox | undefined;
  before(
    async () => {
      await ensureAwsCli();
      sandbox.configDir = mkdtempSync(path.join(tmpdir(), 'sandbox-awscli-'));
      if (options.onlyProtocol) await writeModelWithProtocol(options.onlyProtocol.service, options.onlyProtocol.protocol, models());
      running = await createSandbox({ port: 0, config });
      Object.assign(sandbox, { url: running.url, admin: new SandboxAdmin(running.url) });
      await options.whenStarted?.();
    },
    { timeout: options.timeout ?? 300_000 },
  );
  after(async () => {
    await running?.close();
    if (sandbox.configDir) rmSync(sandbox.configDir, { recursive: true, force: true });
  });
  return sandbox;
}
