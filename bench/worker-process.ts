/**
 * The production worker as a child process (dev/worker-process.ts), so its peak RSS and CPU time are its
 * own and readable from /proc; ready once it polls its task queue.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { stopProcess } from '../dev/dev-server';
import { spawnSandboxWorker } from '../dev/worker-process';
import { pollUntil } from './bounded';
import { readProcStats, type ProcStats } from './proc-stats';
import { BENCH_CREDENTIALS, BENCH_REGION, type BenchStack } from './stack';

export interface WorkerOptions {
  temporalAddress: string;
  sandboxUrl: string;
  taskQueue: string;
  mode: 'shared' | 'per-run';
  logFile: string;
}

interface BenchWorker {
  child: ChildProcess;
  /** Peak RSS and CPU so far; read before stop(). */
  stats(): ProcStats;
  stop(): Promise<void>;
}

/** The workers of one scenario, on one task queue. */
export interface BenchWorkers {
  /** Each worker's peak RSS and CPU so far; read before stop(). */
  each(): ProcStats[];
  /** Throws if a worker has exited: its runs would wait for the scenario's timeout otherwise. */
  assertRunning(): void;
  stop(): Promise<void>;
}

/**
 * `count` workers for one scenario on the bench stack, logging next to the stack's other files; `env`
 * adds to their environment (the copy Regions the rate governor serves).
 */
export async function startScenarioWorkers(
  stack: BenchStack,
  taskQueue: string,
  mode: WorkerOptions['mode'],
  count = 1,
  env: Record<string, string> = {},
): Promise<BenchWorkers> {
  const workers: BenchWorker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const options = {
        temporalAddress: stack.server.address,
        sandboxUrl: stack.sandbox.url,
        taskQueue,
        mode,
        logFile: path.join(stack.dir, `${taskQueue}.worker${count > 1 ? `-${i + 1}` : ''}.log`),
      };
      workers.push(await startWorker(stack.connection, options, i + 1, env));
    }
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop()));
    throw err;
  }
  return {
    each: () => workers.map((w) => w.stats()),
    assertRunning() {
      const gone = workers.findIndex((w) => w.child.exitCode !== null || w.child.signalCode !== null);
      if (gone >= 0)
        throw new Error(`bench: worker ${gone + 1} exited (code ${workers[gone]!.child.exitCode}); see its log in the stack's directory`);
    },
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

/** Ready once `pollers` distinct workers poll the task queue, this one among them. */
export async function startWorker(
  connection: Connection,
  opts: WorkerOptions,
  pollers = 1,
  env: Record<string, string> = {},
): Promise<BenchWorker> {
  const child = spawnSandboxWorker(
    { ...opts, region: BENCH_REGION, credentials: BENCH_CREDENTIALS },
    { GOLDEN_IMAGE_WAIT_MODE: opts.mode, ...env },
  );
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('bench: the worker process did not start');
  // Ready means polling: otherwise the first pipelines' makespan would include bundling the workflows.
  await pollUntil('the worker to poll its task queue', 120_000, 500, async () => {
    if (child.exitCode !== null) throw new Error(`bench: the worker exited with code ${child.exitCode}; see ${opts.logFile}`);
    const { pollers: polling } = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: opts.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return new Set(polling?.map((p) => p.identity)).size >= pollers ? true : undefined;
  });
  return {
    child,
    stats: () => readProcStats(pid),
    stop: async () => {
      await stopProcess(child, 'SIGTERM');
      log.end();
    },
  };
}
