/**
 * The worker definition shared by the production entry point, the dev stack and the tests:
 * every workflow in workflows/, and the activities bound to the given AWS clients.
 */
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { AwsClients } from '../activities/aws/clients';
import type { WaitMode } from '../activities/aws/state-watcher';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';
import { configuredTaskQueue } from '../contracts/task-queue';

export interface GoldenImageWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  clients: AwsClients;
  taskQueue?: string;
  /** A bundle made beforehand (lib/workflow-bundle.js, or a test file's); without one the worker bundles at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption (see encryption-codec.ts); undefined stores payloads as plain JSON. */
  dataConverter?: DataConverter;
  /** How waits poll: one shared watcher (the default), or each on its own (a benchmark baseline). */
  waitMode?: WaitMode;
  /** Runs kept in memory between their tasks (default DEFAULT_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
}

/**
 * The SDK sizes its workflow cache from the heap limit, which on a large machine keeps every run in
 * memory: about 2 MB each, 2 GiB for 1000 pipelines. A pipeline spends minutes between its tasks, and
 * an evicted run is rebuilt from its short history (tens of events) in milliseconds at its next task,
 * so a smaller cache costs little CPU and keeps the worker's memory bounded.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

/**
 * Most activity attempts are waits, and a wait's attempt may sit in the shared watcher until its next
 * describe. With the SDK's 100 slots, 100 such attempts would hold back every other activity (and the
 * waits that come back a moment later) at fleet scale; a waiting attempt costs a pending promise.
 */
const MAX_CONCURRENT_ACTIVITIES = 2_000;

export function createWorker(options: GoldenImageWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? configuredTaskQueue(),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } }),
    activities: createActivities(options.clients, options.waitMode),
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}
