/**
 * Production workers as child processes, one at a time on one task queue, for crash tests: `crash()`
 * SIGKILLs the current one and starts its replacement, which then serves the following tests too, so a
 * table of crash scenarios pays for one worker start per scenario, not two.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnWorker, type WorkerProcess } from './worker-process';

interface WorkerChainOptions {
  temporalAddress: string;
  sandboxUrl: string;
  taskQueue: string;
}

/** Waits until the worker says it runs (it bundles the workflows first, which takes seconds). */
export async function untilRunning(worker: WorkerProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/Worker state changed[^}]*RUNNING/.test(worker.output())) {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited with ${worker.child.exitCode}:\n${worker.output()}`);
    if (Date.now() > deadline) throw new Error(`the worker did not start within ${timeoutMs} ms:\n${worker.output()}`);
    await sleep(100);
  }
}

export class WorkerChain {
  private current: WorkerProcess | undefined;
  /** Workers killed so far. */
  kills = 0;

  constructor(private readonly options: WorkerChainOptions) {}

  get taskQueue(): string {
    return this.options.taskQueue;
  }

  async start(): Promise<void> {
    this.current = spawnWorker(this.options);
    await untilRunning(this.current);
  }

  /** SIGKILL the running worker, then start a fresh process; returns when the new one polls. */
  async crash(): Promise<void> {
    await this.current?.kill();
    this.kills += 1;
    await this.start();
  }

  async stop(): Promise<void> {
    await this.current?.kill();
    this.current = undefined;
  }
}
