/** The task queue that the worker polls and that every pipeline run (CLI or schedule) is started on. */
export const TASK_QUEUE = 'golden-image';
