/**
 * `npm start`: the whole local stack in one command. It provisions the Temporal CLI if it is missing,
 * starts the dev server (UI on 8233, runs kept in .local/temporal.db), the AWS sandbox on 4577 seeded
 * with demo build instances, and a worker wired to the sandbox. Ctrl-C stops all three cleanly.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { createAwsClients } from '../activities/aws/clients';
import { APPSTREAM_GOLDEN_IMAGE_NAME, createSandbox, PROFILE_NAMES, SandboxAdmin, type ProfileName } from '@golden-image/aws-sandbox';
import { createWorker } from '../worker/create-worker';
import { startDevServer } from './dev-server';
import { runInstances } from './launch-instances';
import { installRuntime } from '../worker/runtime';
import { dataConverterFromEnv } from '../contracts/encryption-codec';

const LOCAL_DIR = path.resolve(__dirname, '..', '.local');
/** The sandbox accepts any credentials; these only keep the SDK's provider chain from looking further. */
const SANDBOX_CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

interface StackOptions {
  temporalPort: number;
  uiPort: number;
  sandboxPort: number;
  profile: ProfileName;
  throttling: boolean;
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new InvalidArgumentError('expected a port number');
  return n;
}

async function main(options: StackOptions): Promise<void> {
  const log = (msg: string) => console.log(`[golden-image] ${msg}`);
  // Keep the banner readable: the worker's INFO chatter (bundling, state changes) stays out.
  installRuntime({ logLevel: 'WARN', metricsAddress: process.env.GOLDEN_IMAGE_METRICS_ADDRESS });
  await mkdir(LOCAL_DIR, { recursive: true });

  log('starting the Temporal dev server ...');
  const server = await startDevServer(
    {
      port: options.temporalPort,
      uiPort: options.uiPort,
      dbFile: path.join(LOCAL_DIR, 'temporal.db'),
      logFile: path.join(LOCAL_DIR, 'temporal.log'),
    },
    log,
  );
  const sandbox = await createSandbox({
    port: options.sandboxPort,
    config: { profile: options.profile, throttling: { enabled: options.throttling } },
  });
  const clients = createAwsClients({ endpoint: sandbox.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS });

  const [windowsBuild] = await runInstances(clients.ec2, 'windows', 1, { Name: 'win-build', role: 'build' });
  const [linuxBuild] = await runInstances(clients.ec2, 'linux', 1, { Name: 'linux-build', role: 'build' });
  const fleet = await runInstances(clients.ec2, 'windows', 4, { fleet: 'web' });
  // So that `appstream update` has something to do in the demo; real AWS decides this itself.
  await new SandboxAdmin(sandbox.url).setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);

  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createWorker({ connection, clients, dataConverter: dataConverterFromEnv() });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    log('shutting down ...');
    worker.shutdown();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  console.log(`
  golden-image local stack is ready (sandbox profile: ${options.profile})

  Temporal UI        ${server.uiUrl}
  Temporal gRPC      ${server.address}
  AWS endpoint       ${sandbox.url}   (AWS_ENDPOINT_URL for any AWS client)

  Windows build instance   ${windowsBuild}
  Linux build instance     ${linuxBuild}
  Fleet (fleet=web)        ${fleet.join(' ')}
  AppStream image          ${APPSTREAM_GOLDEN_IMAGE_NAME} (an update is available)

  Start a pipeline in another shell:
    npx golden-image ami run --instance ${windowsBuild} --name web-golden --tag team=web --poll-interval 2s --follow
  More in examples/: npx golden-image ami run -f examples/windows-fleet.yaml --follow

  Ctrl-C stops everything.
`);

  try {
    await worker.run();
  } finally {
    await connection.close();
    await sandbox.close();
    await server.stop();
    log('stopped.');
  }
}

new Command('npm start')
  .description('the golden-image local stack: Temporal dev server + UI, AWS sandbox, worker')
  .option('--temporal-port <port>', 'Temporal gRPC port', port, 7233)
  .option('--ui-port <port>', 'Temporal UI port', port, 8233)
  .option('--sandbox-port <port>', 'AWS sandbox port', port, 4577)
  .option('--profile <name>', `sandbox durations: ${PROFILE_NAMES.join(', ')}`, 'demo')
  .option('--no-throttling', "switch off the sandbox's EC2 request throttling")
  .action((options: StackOptions) =>
    main(options).catch((err: Error) => {
      console.error(`[golden-image] ${err.message}`);
      process.exit(1);
    }),
  )
  .parse();
