/**
 * An in-process worker for one scenario: its own task queue, and AWS clients for the scenario's own
 * sandbox, built exactly as the production worker builds them (10 s request timeout, two SDK tries).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAwsClients } from '../../activities/aws/clients';
import { createWorker, type GoldenImageWorkerOptions } from '../../worker/create-worker';
import { REGION, TEST_CREDENTIALS } from './stack';
import { workflowBundle } from './temporal';

export interface ScenarioWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** `waitMode` per-run makes each wait attempt describe on its own, unpaced by the shared watcher. */
export async function startScenarioWorker(
  env: TestWorkflowEnvironment,
  sandboxUrl: string,
  taskQueue: string,
  waitMode?: GoldenImageWorkerOptions['waitMode'],
): Promise<ScenarioWorker> {
  const clients = createAwsClients({ endpoint: sandboxUrl, region: REGION, credentials: TEST_CREDENTIALS });
  const worker = await createWorker({
    connection: env.nativeConnection,
    clients,
    taskQueue,
    workflowBundle: await workflowBundle(),
    waitMode,
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      clients.ec2.destroy();
      clients.appstream.destroy();
    },
  };
}
