/**
 * Connects to Temporal the same way the worker does: @temporalio/envconfig reads TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, the TLS variables and TOML profiles, so a local dev server,
 * a self-hosted cluster and Temporal Cloud differ only in configuration. With GOLDEN_IMAGE_ENCRYPTION_KEYS set,
 * the CLI encrypts what it sends and decrypts what it reads, with the same keys as the worker.
 *
 * With tracing on (contracts/tracing.ts), the client's calls are spans and carry their trace in
 * Temporal headers: `golden-image start` opens a run's trace (StartWorkflow), which the workflow's and
 * its activities' spans join in the worker.
 */
import { hostname, userInfo } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { dataConverterFromEnv } from '../contracts/encryption-codec';
import type * as ClientInterceptors from '@temporalio/interceptors-opentelemetry/lib/client';
import type { Tracing } from '../contracts/tracing';

export async function connectClient(tracing?: Tracing): Promise<Client> {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  return new Client({
    connection,
    namespace,
    identity: cliIdentity(),
    dataConverter: dataConverterFromEnv(),
    ...(tracing && { interceptors: { workflow: [tracingInterceptor()] } }),
  });
}

/**
 * Who sent a start, a cancel or an approval, as the run's history records it: the OS user and host rather
 * than the SDK's default process ID, which says nothing a reviewer can use. TEMPORAL_IDENTITY overrides it
 * (an approval service that signs people in, say, names itself).
 */
function cliIdentity(): string {
  return process.env.TEMPORAL_IDENTITY || `${userInfo().username}@${hostname()} (golden-image CLI)`;
}

/** Loaded only when tracing is on, as OpenTelemetry's SDK is (contracts/tracing.ts). */
function tracingInterceptor() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OpenTelemetryWorkflowClientInterceptor } =
    require('@temporalio/interceptors-opentelemetry/lib/client') as typeof ClientInterceptors;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new OpenTelemetryWorkflowClientInterceptor();
}
