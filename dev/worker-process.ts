/**
 * The production worker (`worker/main.ts`) as a child process, started as an operator starts it: with
 * the production Node flags, configured only through its environment, here pointed at a Temporal server
 * and the AWS sandbox. Tests kill it with SIGKILL the way a crash or an OOM kill would; the benchmark
 * reads its peak RSS and CPU time, its own, from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKER_NODE_ARGS } from '../worker/node-args';

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
  return spawn(process.execPath, [...WORKER_NODE_ARGS, '--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: { ...sandboxWorkerEnv(opts), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function sandboxWorkerEnv(opts: SandboxWorkerEnv): Record<string, string | undefined> {
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
