/**
 * The production worker as a child process, started as an operator starts it: package.json's `worker`
 * script (`node <flags> lib/worker/main.js`, compiled by `npm run build`, which `npm test` and
 * `npm run bench` run first), configured only through its environment, here pointed at a Temporal server
 * and the AWS sandbox. Tests kill it with SIGKILL the way a crash or an OOM kill would; the benchmark
 * reads its peak RSS and CPU time, its own, from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface SandboxWorkerEnv {
  temporalAddress: string;
  sandboxUrl: string;
  taskQueue: string;
  region: string;
  /** The sandbox accepts any; they keep the SDK's provider chain from looking elsewhere. */
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Its stdout and stderr are pipes for the caller to read; `extraEnv` is added to (and overrides) its environment. */
export function spawnSandboxWorker(opts: SandboxWorkerEnv, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, workerScriptArgs(), {
    cwd: ROOT,
    env: { ...sandboxWorkerEnv(opts), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The worker's command line is written once, in package.json, so these workers run exactly as production's. */
function workerScriptArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [node, ...args] = (scripts.worker ?? '').trim().split(/\s+/);
  if (node !== 'node' || !args.length) throw new Error(`package.json's worker script is not \`node <flags> <script>\`: ${scripts.worker}`);
  return args;
}

/** The environment that points a golden-image process (the worker, the CLI) at a Temporal server and the sandbox. */
export function sandboxWorkerEnv(opts: SandboxWorkerEnv): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    GOLDEN_IMAGE_TASK_QUEUE: opts.taskQueue,
    AWS_ENDPOINT_URL: opts.sandboxUrl,
    AWS_REGION: opts.region,
    AWS_ACCESS_KEY_ID: opts.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.credentials.secretAccessKey,
  };
}
