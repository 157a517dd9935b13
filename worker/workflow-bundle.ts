/**
 * The workflow code as a worker runs it: every workflow type and the workflow interceptors, bundled by
 * webpack. `npm run build` bundles it once into lib/workflow-bundle.js, so a production worker starts
 * without bundling (seconds of CPU and a few hundred MiB at every start); tests bundle once per file.
 *
 * The SDK shares one V8 context among runs, but only the modules loaded before the first run (its
 * own); each run evaluates ours again when the worker loads it, at its start and whenever it comes
 * back into an evicted cache. So workflow code imports no schema, which would be most of that cost
 * in CPU and memory (test/workflow-imports.test.ts); the SDK's `preloadModules` is no way out, as it
 * freezes what it shares, and zod schemas cache onto themselves as they are used.
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
