/**
 * The production worker (`worker/main.ts`) as a real child process, so tests can kill it with SIGKILL
 * the way a crash or an OOM kill would, and start a fresh one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stopProcess } from '../../dev/dev-server';
import { WORKER_NODE_ARGS } from '../../worker/node-args';
import { sandboxWorkerEnv } from '../../dev/sandbox-worker-env';
import { REGION, TEST_CREDENTIALS } from './stack';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  kill(): Promise<void>;
}

export function spawnWorker(opts: {
  temporalAddress: string;
  sandboxUrl: string;
  taskQueue: string;
  /** Added to (and overriding) the worker's environment, e.g. other credentials. */
  env?: Record<string, string>;
}): WorkerProcess {
  const child = spawn(process.execPath, [...WORKER_NODE_ARGS, '--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: { ...sandboxWorkerEnv({ ...opts, region: REGION, credentials: TEST_CREDENTIALS }), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, kill: () => stopProcess(child, 'SIGKILL') };
}
