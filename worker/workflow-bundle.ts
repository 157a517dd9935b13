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
 *
 * For the same reason a traced worker runs a bundle of its own, lib/workflow-bundle-traced.js, with
 * the OpenTelemetry workflow interceptors (and OpenTelemetry's tracing SDK) in it: a worker without
 * tracing loads none of it, and makes no span in any run. Either bundle replays the other's histories
 * (test/tracing.test.ts): the interceptors add headers, which replay does not compare, and no command.
 */
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Workflow interceptors, bundled with the workflows: run outcomes on the metric meter, and the rate governor's lanes. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/run-metrics'), require.resolve('../workflows/rate-governor')];

/** The OpenTelemetry workflow interceptors (RunWorkflow, StartActivity spans), outermost so that their spans cover ours. */
const TRACING_INTERCEPTOR_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** The interceptor modules of a bundle with or without tracing. */
export function workflowInterceptorModules(traced: boolean): string[] {
  return traced ? [TRACING_INTERCEPTOR_MODULE, ...WORKFLOW_INTERCEPTOR_MODULES] : WORKFLOW_INTERCEPTOR_MODULES;
}

/** Where `npm run build` leaves the bundles: beside the compiled worker, in lib/. */
export function prebuiltBundlePath(traced: boolean): string {
  return path.join(__dirname, '..', traced ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
}

export function bundleWorkflows(logger?: BundleOptions['logger'], traced = false) {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: workflowInterceptorModules(traced), logger });
}
