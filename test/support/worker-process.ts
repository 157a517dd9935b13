/**
 * The production worker (`worker/main.ts`) as a real child process, so tests can kill it with SIGKILL
 * the way a crash or an OOM kill would, and start a fresh one.
 */
import type { ChildProcess } from 'node:child_process';
import { stopProcess } from '../../dev/dev-server';
import { spawnSandboxWorker } from '../../dev/worker-process';
import { REGION, TEST_CREDENTIALS } from './stack';

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
  const child = spawnSandboxWorker({ ...opts, region: REGION, credentials: TEST_CREDENTIALS }, opts.env);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, kill: () => stopProcess(child, 'SIGKILL') };
}
