/**
 * The worker definition shared by the production entry point, the dev stack and the tests:
 * every workflow in workflows/, and the activities bound to the given AWS clients.
 */
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { AwsClients } from '../activities/aws-clients';
import type { WaitMode } from '../activities/state-watcher';
import { configuredTaskQueue } from './task-queue';

/** Workflow interceptors, bundled with the workflows: run outcomes on the metric meter. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/run-metrics')];

export interface GoldenImageWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  clients: AwsClients;
  taskQueue?: string;
  /** Tests pass a prebuilt bundle so a test file bundles the workflows once. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption (see encryption-codec.ts); undefined stores payloads as plain JSON. */
  dataConverter?: DataConverter;
  /** How waits poll: one shared watcher (the default), or each on its own (a benchmark baseline). */
  waitMode?: WaitMode;
}

export function createWorker(options: GoldenImageWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? configuredTaskQueue(),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
    activities: createActivities(options.clients, options.waitMode),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}
