import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SANDBOX_CREDENTIALS } from '../../index';

/**
 * The official AWS CLI (v1, botocore) and boto3 from PyPI, in a venv under this package's `.local/`,
 * for tests that prove the sandbox speaks AWS's real wire formats.
 */

const run = promisify(execFile);
const AWSCLI_VERSION = '1.45.11';
/** boto3's minor version follows botocore's: 1.43.11 uses the botocore awscli 1.45.11 pins. */
const BOTO3_VERSION = '1.43.11';
const packageRoot = path.resolve(__dirname, '..', '..');
const venv = path.join(packageRoot, '.local', 'awscli-venv');
const awsBin = path.join(venv, 'bin', 'aws');
/** The venv's Python, with awscli, botocore and boto3. */
export const venvPython = path.join(venv, 'bin', 'python');
/** Written once pip has installed these versions, so a venv from an older requirement set is brought up to date. */
const installed = path.join(venv, `installed-awscli-${AWSCLI_VERSION}-boto3-${BOTO3_VERSION}`);
const installLock = `${venv}.lock`;
/** pip can take minutes; a lock older than this was left behind by a killed run. */
const STALE_LOCK_MS = 10 * 60 * 1000;

/** Test files run in parallel; only one of them may build the venv. */
async function withInstallLock(install: () => Promise<void>): Promise<void> {
  mkdirSync(path.dirname(venv), { recursive: true });
  for (;;) {
    try {
      mkdirSync(installLock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // The holder may have finished since mkdir failed; then the next attempt takes the lock.
      const lockedAt = statSync(installLock, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (Date.now() - lockedAt > STALE_LOCK_MS) rmSync(installLock, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    await install();
  } finally {
    rmSync(installLock, { recursive: true, force: true });
  }
}

/** Creates the venv on first use (pip needs a package index only then). */
export async function ensureAwsCli(): Promise<void> {
  if (existsSync(installed)) return;
  await withInstallLock(async () => {
    if (existsSync(installed)) return;
    if (!existsSync(awsBin)) await run('python3', ['-m', 'venv', venv]);
    const requirements = [`awscli==${AWSCLI_VERSION}`, `boto3==${BOTO3_VERSION}`];
    await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', ...requirements], { timeout: 280_000 });
    writeFileSync(installed, '');
  });
}

/**
 * Writes botocore's own model of `service` with `protocol` as its only protocol into `dataDir`, in
 * the layout AWS_DATA_PATH wants: how a botocore whose model lists another protocol first would speak.
 */
export async function writeModelWithProtocol(service: string, protocol: string, dataDir: string): Promise<void> {
  const script = [
    'import json, os, sys',
    'import botocore.session',
    'service, protocol, data_dir = sys.argv[1:4]',
    'loader = botocore.session.get_session().get_component("data_loader")',
    'version = loader.determine_latest_version(service, "service-2")',
    'model = loader.load_service_model(service, "service-2", version)',
    'model["metadata"]["protocol"] = protocol',
    'model["metadata"]["protocols"] = [protocol]',
    'target = os.path.join(data_dir, service, version)',
    'os.makedirs(target, exist_ok=True)',
    'json.dump(model, open(os.path.join(target, "service-2.json"), "w"))',
  ].join('\n');
  await run(path.join(venv, 'bin', 'python'), ['-c', script, service, protocol, dataDir]);
}

/** The environment without the developer's own AWS settings, so only the sandbox is reachable. */
export function cliEnv(configDir: string, dataPath?: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(configDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(configDir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(dataPath ? { AWS_DATA_PATH: dataPath } : {}),
  };
}

export interface AwsCli {
  /** Runs `aws <service> <args>` against the endpoint and parses its JSON output. */
  json<T = unknown>(...args: string[]): Promise<T>;
  /** Runs a command that must fail; returns its stderr. */
  fails(...args: string[]): Promise<string>;
}

/**
 * An AWS CLI bound to one service and endpoint; `configDir` keeps it away from the developer's ~/.aws.
 * `dataPath` (AWS_DATA_PATH) puts models there ahead of botocore's own.
 */
export function awsCli(service: string, endpoint: () => string, configDir: () => string, dataPath?: () => string): AwsCli {
  const json = async <T>(...args: string[]): Promise<T> => {
    const { stdout } = await run(awsBin, ['--endpoint-url', endpoint(), '--output', 'json', service, ...args], {
      env: cliEnv(configDir(), dataPath?.()),
      timeout: 60_000,
    });
    return (stdout.trim() === '' ? undefined : JSON.parse(stdout)) as T;
  };
  const fails = async (...args: string[]): Promise<string> => {
    try {
      await json(...args);
    } catch (error) {
      return (error as { stderr: string }).stderr;
    }
    assert.fail(`aws ${service} ${args.join(' ')} succeeded unexpectedly`);
  };
  return { json, fails };
}
