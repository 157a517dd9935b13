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

/**
 * `waitMode` per-run makes each wait attempt describe on its own, unpaced by the shared watcher; `build`
 * makes the worker one build of a Worker Deployment, running its own workflow bundle. A second build in
 * this process needs a connection of its own, as a second worker process would have: the SDK refuses two
 * workers that poll one task queue (the unversioned rate-governor lanes) for one build on one connection.
 */
export async function startScenarioWorker(
  env: TestWorkflowEnvironment,
  sandboxUrl: string,
  taskQueue: string,
  waitMode?: GoldenImageWorkerOptions['waitMode'],
  build: Partial<Pick<GoldenImageWorkerOptions, 'deployment' | 'workflowBundle' | 'connection'>> = {},
): Promise<ScenarioWorker> {
  const clients = createAwsClients({ endpoint: sandboxUrl, region: REGION, credentials: TEST_CREDENTIALS });
  const worker = await createWorker({
    connection: build.connection ?? env.nativeConnection,
    clients,
    taskQueue,
    workflowBundle: build.workflowBundle ?? (await workflowBundle()),
    waitMode,
    deployment: build.deployment,
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
