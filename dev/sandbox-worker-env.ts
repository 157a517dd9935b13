/**
 * The environment that points the production worker (`worker/main.ts`, configured only through its
 * environment, as an operator runs it) at a Temporal server and the AWS sandbox. Tests and the
 * benchmark start worker processes with it.
 */
export interface SandboxWorkerEnv {
  temporalAddress: string;
  sandboxUrl: string;
  taskQueue: string;
  region: string;
  /** The sandbox accepts any; they keep the SDK's provider chain from looking elsewhere. */
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export function sandboxWorkerEnv(opts: SandboxWorkerEnv): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    GOLDEN_IMAGE_TASK_QUEUE: opts.taskQueue,
    AWS_ENDPOINT_URL: opts.sandboxUrl,
    AWS_REGION: opts.region,
    AWS_ACCESS_KEY_ID: opts.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.credentials.secretAccessKey,
  };
}
