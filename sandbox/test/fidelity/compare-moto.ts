import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createSandbox, LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS } from '../../index';
import { ensureAwsCli, venvPython } from '../support/awscli';

/**
 * `npm run -w sandbox compare-moto`: the same EC2 scenario (compare_moto.py, through boto3) against the
 * sandbox and against moto's server, printing each step where the two answer differently. Not part of
 * `npm test`: moto and its server dependencies are a second, heavier venv, and the differences are
 * findings to judge (docs/sandbox-vs-moto.md), not assertions.
 */

const run = promisify(execFile);
const MOTO_VERSION = '5.2.5';
const BOTO_VERSION = '1.43.11';
const venv = path.resolve(__dirname, '..', '..', '.local', 'moto-venv');
const installed = path.join(venv, `installed-moto-${MOTO_VERSION}`);
const scenario = path.join(__dirname, 'compare_moto.py');

async function ensureMoto(): Promise<void> {
  if (existsSync(installed)) return;
  if (!existsSync(path.join(venv, 'bin', 'python'))) await run('python3', ['-m', 'venv', venv]);
  const requirements = [`moto[server,ec2]==${MOTO_VERSION}`, `boto3==${BOTO_VERSION}`, `botocore==${BOTO_VERSION}`];
  await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', ...requirements], { timeout: 600_000 });
  writeFileSync(installed, '');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startMoto(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(path.join(venv, 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(`${url}/moto-api/`);
      return { url, process: child };
    } catch {
      await sleep(200);
    }
  }
  child.kill();
  throw new Error('moto_server did not start');
}

function runScenario(input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(venvPython, [scenario], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`compare_moto.py exited ${code}`))));
    child.stdin.end(JSON.stringify(input));
  });
}

/** A Linux AMI moto knows: the first of its Amazon-owned images. */
async function motoLinuxAmi(url: string): Promise<string> {
  const script =
    'import boto3,sys; c=boto3.client("ec2",endpoint_url=sys.argv[1],region_name="us-east-1",aws_access_key_id="x",aws_secret_access_key="x"); ' +
    'print(next(i["ImageId"] for i in c.describe_images(Owners=["amazon"])["Images"] if i.get("Platform")!="windows"))';
  const { stdout } = await run(venvPython, ['-c', script, url]);
  return stdout.trim();
}

async function main(): Promise<void> {
  await ensureAwsCli();
  await ensureMoto();
  const moto = await startMoto();
  const sandbox = await createSandbox({
    port: 0,
    config: { profile: 'test', deregisteredImageVisibleMs: 60_000, throttling: { enabled: false } },
  });
  try {
    const output = await runScenario({
      targets: {
        sandbox: { endpoint: sandbox.url, ...SANDBOX_CREDENTIALS, admin: true },
        moto: { endpoint: moto.url, ...SANDBOX_CREDENTIALS, admin: false },
      },
      linuxAmi: { sandbox: LINUX_BASE_AMI_ID, moto: await motoLinuxAmi(moto.url) },
    });
    const { steps, differences } = JSON.parse(output) as { steps: Record<string, Record<string, unknown>>; differences: string[] };
    console.log(`${Object.keys(steps).length} steps, ${differences.length} differences\n`);
    console.log('| step | sandbox | moto |\n|---|---|---|');
    for (const step of differences) {
      const cell = (value: unknown) => (value === undefined ? '(not reached)' : JSON.stringify(value).replaceAll('|', '\\|'));
      console.log(`| ${step} | ${cell(steps[step]!.sandbox)} | ${cell(steps[step]!.moto)} |`);
    }
  } finally {
    await sandbox.close();
    moto.process.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
