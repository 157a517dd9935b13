/**
 * The workflow code as a worker runs it: every workflow type and the workflow interceptors, bundled by
 * webpack. `npm run build` bundles it once into lib/workflow-bundle.js, so a production worker starts
 * without bundling (seconds of CPU and a few hundred MiB at every start); tests bundle once per file.
 */
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Workflow interceptors, bundled with the workflows: run outcomes on the metric meter, and the rate governor's lanes. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/run-metrics'), require.resolve('../workflows/rate-governor')];

/** Where `npm run build` leaves the bundle: beside the compiled worker, in lib/. */
export const PREBUILT_BUNDLE_PATH = path.join(__dirname, '..', 'workflow-bundle.js');

export function bundleWorkflows(logger?: BundleOptions['logger']) {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger });
}
