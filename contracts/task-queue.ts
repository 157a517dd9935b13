/**
 * The task queue the worker polls and every pipeline run (CLI or schedule) is started on.
 * GOLDEN_IMAGE_TASK_QUEUE overrides it, e.g. to run a staging worker beside production on one cluster.
 */
const DEFAULT_TASK_QUEUE = 'golden-image';

export function configuredTaskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env.GOLDEN_IMAGE_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}
