/**
 * One real Temporal dev server per test file, from the provisioned CLI, with our search attributes
 * registered, on free ports (never 7233/8233), so test files run in parallel and beside `npm start`.
 */
import { after, before } from 'node:test';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { provisionTemporalCli } from '../../dev/provision-temporal-cli';
import { bundleWorkflows } from '../../worker/workflow-bundle';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';

let runtimeInstalled = false;

/**
 * `dataConverter` (payload encryption, say) goes to the environment's client; `serverArgs` are extra
 * dev-server flags (dynamic config, say).
 */
export async function startTemporal(dataConverter?: DataConverter, serverArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  // Expected activity failures (WARN) and worker state changes (INFO) would bury the test report.
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: await provisionTemporalCli() },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs: serverArgs,
    },
    ...(dataConverter ? { client: { dataConverter } } : {}),
  });
}

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();

/** The workflow bundle (with the tracing interceptors when `traced`), built once per test process. */
export function workflowBundle(traced = false): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(traced);
  if (!bundle) bundles.set(traced, (bundle = bundleWorkflows(quietLogger, traced)));
  return bundle;
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** One dev server for the test file that calls this at its top level; the getter gives it to the tests. */
export function temporalForThisFile(serverArgs: string[] = []): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = await startTemporal(undefined, serverArgs);
  });
  after(async () => {
    await env?.teardown();
  });
  return () => env!;
}
