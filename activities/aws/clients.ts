/**
 * Builds the AWS clients the activities use. Credentials and Region come from the SDK's default
 * provider chain; AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_EC2 / _APPSTREAM) points them at the sandbox.
 * Timeouts are explicit so that a call that never answers is cut off and retried, not hung forever.
 */
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { EC2Client } from '@aws-sdk/client-ec2';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClients {
  ec2: EC2Client;
  appstream: AppStreamClient;
}

interface AwsClientOptions {
  region?: string;
  endpoint?: string;
  /** For tests against the sandbox; production uses the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const shared = {
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The SDK retries a throttled or failed request once more itself; beyond that the activity's retry
    // policy takes over, where each attempt shows in the Temporal UI.
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      // Without this the handler only logs a warning at the timeout and keeps waiting: a call that
      // never answers must fail, so that it is retried (and cannot hold up the shared watcher).
      throwOnRequestTimeout: true,
    }),
  };
  return { ec2: new EC2Client(shared), appstream: new AppStreamClient(shared) };
}
