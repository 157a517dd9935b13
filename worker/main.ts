/**
 * The production worker: `npm run worker`. Temporal connection settings come from @temporalio/envconfig
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables, TOML profiles); AWS credentials
 * and Region from the AWS SDK's default provider chain. GOLDEN_IMAGE_ENCRYPTION_KEYS switches on payload encryption
 * (and then unencrypted input is refused, unless GOLDEN_IMAGE_ALLOW_PLAINTEXT_PAYLOADS=1 lets it through while clients
 * move over); GOLDEN_IMAGE_MAX_CACHED_WORKFLOWS sizes the workflow cache; the rate governor's settings are
 * read as activities/aws/rate-governor.ts says, the notification defaults as activities/notify/settings.ts says;
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT switches on tracing (contracts/tracing.ts);
 * GOLDEN_IMAGE_BUILD_ID (and GOLDEN_IMAGE_DEPLOYMENT_NAME) switch on worker versioning, as deployment-version.ts says.
 */
import { existsSync } from 'node:fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { createAwsClients } from '../activities/aws/clients';
import { governorFromEnv } from '../activities/aws/rate-governor';
import { notifierSettingsFromEnv } from '../activities/notify/settings';
import { createWorker } from './create-worker';
import { deploymentFromEnv } from './deployment-version';
import { workerDataConverterFromEnv } from '../contracts/encryption-codec';
import { tracingFromEnv } from '../contracts/tracing';
import { installRuntime } from './runtime';
import { prebuiltBundlePath } from './workflow-bundle';

async function main(): Promise<void> {
  installRuntime({ metricsAddress: process.env.GOLDEN_IMAGE_METRICS_ADDRESS });
  // Read first, so that a bad setting stops the worker before it connects, with its reason.
  const notifications = notifierSettingsFromEnv();
  const deployment = deploymentFromEnv();
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const tracing = tracingFromEnv('golden-image-worker');
  const bundlePath = prebuiltBundlePath(Boolean(tracing));
  const connection = await NativeConnection.connect(connectionOptions);
  try {
    const worker = await createWorker({
      connection,
      namespace,
      clients: createAwsClients({ tracing: Boolean(tracing) }),
      // Compiled (lib/), the worker runs the bundle `npm run build` made; run from source, it bundles at start.
      workflowBundle: existsSync(bundlePath) ? { codePath: bundlePath } : undefined,
      dataConverter: workerDataConverterFromEnv(),
      // Only benchmarks set this, to measure the per-run polling that the shared watcher replaces.
      waitMode: process.env.GOLDEN_IMAGE_WAIT_MODE === 'per-run' ? 'per-run' : 'shared',
      maxCachedWorkflows: cacheSizeFromEnv(process.env.GOLDEN_IMAGE_MAX_CACHED_WORKFLOWS),
      governor: governorFromEnv(),
      tracing,
      notifications,
      deployment,
    });
    await worker.run();
  } finally {
    await connection.close();
    // The spans of the last moments are still in the batch: send them before the process ends.
    await tracing?.shutdown();
  }
}

function cacheSizeFromEnv(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 0) throw new Error(`GOLDEN_IMAGE_MAX_CACHED_WORKFLOWS must be a whole number, not ${text}`);
  return size;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
