/**
 * `npm start`: the whole local stack in one command. It provisions the Temporal CLI if it is missing,
 * starts the dev server (UI on 8233, runs kept in .local/temporal.db), the AWS sandbox on 4577 (its state
 * kept in .local/sandbox.db, so a run in flight survives a restart; `--fresh` reseeds it with demo build
 * instances), and a worker wired to the sandbox. Ctrl-C, SIGTERM and SIGHUP (the terminal
 * closing) stop all three, at any moment, start-up included. A second stack on the same state folder or
 * ports says so in one line and exits 1.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { createAwsClients, type AwsClients } from '../activities/aws/clients';
import { notifierSettingsFromEnv } from '../activities/notify/settings';
import {
  APPSTREAM_ALWAYS_ON_FLEET,
  APPSTREAM_ELASTIC_FLEET,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_ON_DEMAND_FLEET,
  createSandbox,
  type RunningSandbox,
  PROFILE_NAMES,
  DEFAULT_REGION,
  SANDBOX_CREDENTIALS,
  SandboxAdmin,
  type ProfileName,
} from '@golden-image/aws-sandbox';
import { createWorker, type GoldenImageWorker } from '../worker/create-worker';
import { deploymentFromEnv } from '../worker/deployment-version';
import { startDevServer } from './dev-server';
import {
  DEMO_ALARM,
  DEMO_GROUP,
  DEMO_LAUNCH_TEMPLATE,
  DEMO_TEMPLATE_REGIONS,
  demoLaunchTemplates,
  demoResources,
  resourceCounts,
} from './demo-resources';
import { installRuntime } from '../worker/runtime';
import { workerDataConverterFromEnv } from '../contracts/encryption-codec';
import { tracingEndpoint, tracingFromEnv } from '../contracts/tracing';

const LOCAL_DIR = path.resolve(__dirname, '..', '.local');
/** Closing the terminal sends SIGHUP; each of these stops the whole stack, the dev server too. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface StackOptions {
  temporalPort: number;
  uiPort: number;
  sandboxPort: number;
  profile: ProfileName;
  throttling: boolean;
  localDir: string;
  fresh: boolean;
}

/** A problem worth one line, not a stack trace: another stack running, a port taken. */
class StartError extends Error {}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new InvalidArgumentError('expected a port number');
  return n;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One stack per state folder: its dev server's sqlite file and the pid file live there. The pid file is
 * created exclusively, so of two stacks started at once only one gets it.
 */
async function claimLocalDir(dir: string): Promise<() => Promise<void>> {
  const pidFile = path.join(dir, 'local-stack.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(pidFile, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(pidFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new StartError(
          `a local stack is already running (pid ${pid}, state in ${dir}); stop it first (Ctrl-C in its terminal, or kill ${pid})`,
        );
      }
      await rm(pidFile, { force: true }); // left by a stack that was killed
    }
  }
  throw new StartError(`could not claim ${pidFile}`);
}

/** Fails in one line when a port is taken, before anything is started. */
async function checkPortFree(portNumber: number, what: string, flag: string): Promise<void> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new StartError(
              `port ${portNumber} (${what}) is in use, by another local stack or another program; stop it, or choose another port with ${flag}`,
            )
          : err,
      ),
    );
    server.listen(portNumber, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** The banner's line on where the sandbox's resources came from: restored (and what), or freshly seeded. */
async function describeSandboxState(sandbox: RunningSandbox, stateFile: string, clients: AwsClients): Promise<string> {
  if (sandbox.restoredSavedAt === undefined) return `freshly seeded, kept in ${stateFile}`;
  const savedAt = new Date(sandbox.restoredSavedAt).toISOString();
  return `restored from ${stateFile} (saved ${savedAt}): ${await resourceCounts(clients)}; --fresh begins again`;
}

async function main(options: StackOptions): Promise<void> {
  const log = (msg: string) => console.log(`[golden-image] ${msg}`);
  // From the first moment: a signal during start-up stops what has started so far, the dev server included.
  const startup = new AbortController();
  let worker: GoldenImageWorker | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down ...`);
    startup.abort();
    worker?.shutdown();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  // After the terminal closes, writing to it fails (EIO); that must not crash the shutdown.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const stopped = () => {
    if (stopping) throw new StartError('stopped before the stack was ready');
  };

  // Undone in reverse order, however start-up or the run ends.
  const teardown: (() => Promise<void>)[] = [];
  try {
    // GOLDEN_IMAGE_BUILD_ID makes the worker a versioned build, to practise an upgrade (README: Upgrading workers);
    // a bad value stops the stack before anything starts.
    const deployment = deploymentFromEnv();
    await mkdir(options.localDir, { recursive: true });
    teardown.push(await claimLocalDir(options.localDir));
    await checkPortFree(options.temporalPort, 'Temporal gRPC', '--temporal-port');
    await checkPortFree(options.uiPort, 'Temporal UI', '--ui-port');
    await checkPortFree(options.sandboxPort, 'AWS sandbox', '--sandbox-port');
    // Keep the banner readable: the worker's INFO chatter (bundling, state changes) stays out.
    installRuntime({ logLevel: 'WARN', metricsAddress: process.env.GOLDEN_IMAGE_METRICS_ADDRESS });

    log('starting the Temporal dev server ...');
    const server = await startDevServer(
      {
        port: options.temporalPort,
        uiPort: options.uiPort,
        dbFile: path.join(options.localDir, 'temporal.db'),
        logFile: path.join(options.localDir, 'temporal.log'),
        signal: startup.signal,
      },
      log,
    );
    teardown.push(() => server.stop());
    stopped();
    const stateFile = path.join(options.localDir, 'sandbox.db');
    const sandbox = await createSandbox({
      port: options.sandboxPort,
      config: { profile: options.profile, throttling: { enabled: options.throttling } },
      stateFile,
      fresh: options.fresh,
    });
    teardown.push(() => sandbox.close());
    // As `npm run worker` does: an OTLP endpoint in the environment switches tracing on (README, "Tracing").
    const tracing = tracingFromEnv('golden-image-worker');
    if (tracing) teardown.push(() => tracing.shutdown());
    const clients = createAwsClients({
      endpoint: sandbox.url,
      region: DEFAULT_REGION,
      credentials: SANDBOX_CREDENTIALS,
      tracing: Boolean(tracing),
    });

    const { windowsBuild, linuxBuild, fleet } = await demoResources(clients.ec2);
    await demoLaunchTemplates(clients);
    const restored = sandbox.restoredSavedAt !== undefined;
    // So that `appstream update` has something to do in the demo; real AWS decides this itself. A restored
    // sandbox keeps whatever the last session left (a run may have used the update up).
    if (!restored) await new SandboxAdmin(sandbox.url).setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    const sandboxState = await describeSandboxState(sandbox, stateFile, clients);
    stopped();

    const connection = await NativeConnection.connect({ address: server.address });
    teardown.push(() => connection.close());
    // Notifications as the production worker reads them (GOLDEN_IMAGE_NOTIFY_*, GOLDEN_IMAGE_WEBHOOK_SECRET, GOLDEN_IMAGE_UI_URL).
    worker = await createWorker({
      connection,
      clients,
      dataConverter: workerDataConverterFromEnv(),
      tracing,
      notifications: notifierSettingsFromEnv(),
      deployment,
    });
    stopped();
    const build = deployment
      ? `\n  Worker build       ${deployment.deploymentName}:${deployment.buildId}   (new runs wait until a build is current: temporal worker deployment set-current-version --deployment-name ${deployment.deploymentName} --build-id ${deployment.buildId} --address ${server.address})`
      : '';

    console.log(`
  golden-image local stack is ready (sandbox profile: ${options.profile})

  Temporal UI        ${server.uiUrl}
  Temporal gRPC      ${server.address}
  AWS endpoint       ${sandbox.url}   (AWS_ENDPOINT_URL for any AWS client)
  AWS keys           AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}
  AWS Region         AWS_REGION=${DEFAULT_REGION} AWS_DEFAULT_REGION=${DEFAULT_REGION}   (the demo resources' Region; any other works, empty)
  AWS sandbox state  ${sandboxState}${build}${tracing ? `\n  Traces (OTLP)      ${tracingEndpoint()}` : ''}

  Windows build instance   ${windowsBuild}
  Linux build instance     ${linuxBuild}
  Fleet (fleet=web)        ${fleet.join(' ')}
  Launch template          ${DEMO_LAUNCH_TEMPLATE} in ${DEMO_TEMPLATE_REGIONS.join(', ')}, behind the Auto Scaling group ${DEMO_GROUP} (alarm ${DEMO_ALARM})
  AppStream image          ${APPSTREAM_GOLDEN_IMAGE_NAME}${restored ? '' : ' (an update is available)'}
  AppStream fleets         ${APPSTREAM_ALWAYS_ON_FLEET}, ${APPSTREAM_ON_DEMAND_FLEET} (on that image), ${APPSTREAM_ELASTIC_FLEET} (Elastic)

  Start a pipeline in another shell:
    npx golden-image ami run --instance ${windowsBuild} --name web-golden --tag team=web --poll-interval 2s --follow
  More in examples/: npx golden-image ami run -f examples/windows-fleet.yaml --follow
  Three Regions and a second account: npx golden-image ami run -f examples/multi-region.yaml --follow
  Bake from AWS's newest Windows base image: npx golden-image ami run -f examples/windows-bake.yaml --follow
  Refresh the Auto Scaling groups: npx golden-image ami run -f examples/asg-rollout.yaml --follow
  Update the AppStream image and its fleets: npx golden-image appstream update -f examples/appstream-update.yaml --follow

  Ctrl-C stops everything.
`);
    await worker.run();
  } finally {
    for (const step of teardown.reverse()) await step().catch((err: unknown) => log(`while stopping: ${(err as Error).message}`));
    if (stopping) log('stopped.');
  }
}

new Command('npm start')
  .description('the golden-image local stack: Temporal dev server + UI, AWS sandbox, worker')
  .option('--temporal-port <port>', 'Temporal gRPC port', port, 7233)
  .option('--ui-port <port>', 'Temporal UI port', port, 8233)
  .option('--sandbox-port <port>', 'AWS sandbox port', port, 4577)
  .option('--profile <name>', `sandbox durations: ${PROFILE_NAMES.join(', ')}`, 'demo')
  .option('--no-throttling', "switch off the sandbox's EC2 request throttling")
  .option(
    '--local-dir <dir>',
    "where the dev server's runs, its log and the sandbox's state are kept",
    (dir: string) => path.resolve(dir),
    LOCAL_DIR,
  )
  .option('--fresh', "discard the sandbox's stored state and begin from the seed (Temporal's runs are kept)", false)
  .action((options: StackOptions) =>
    main(options).then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`[golden-image] ${err.message}`);
        process.exit(1);
      },
    ),
  )
  .parse();
