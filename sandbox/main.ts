import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SandboxConfigOverrides } from './core/config';
import { PROFILE_NAMES, type ProfileName } from './core/profiles';
import { SANDBOX_CREDENTIALS } from './core/access-keys';
import { FAST_LAUNCH_TEMPLATE_ID, FAST_LAUNCH_TEMPLATE_NAME, LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from './ec2/seed';
import { createSandbox, DEFAULT_PORT } from './server';

/** The sandbox's CLI: `npm run sandbox -- --port 4577 --profile demo --no-throttling` (or `npm start` in this package). */

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

interface CliOptions {
  host: string;
  port: number;
  profile: ProfileName;
  throttling: boolean;
  throttleScale?: number;
  notFoundWindowMs?: number;
  state?: string;
  fresh: boolean;
}

function stateOrigin(restoredSavedAt: number | undefined, fresh: boolean): string {
  if (restoredSavedAt !== undefined) return `restored, as saved at ${new Date(restoredSavedAt).toISOString()}`;
  return fresh ? 'fresh: the stored state was discarded' : 'new';
}

async function main(): Promise<void> {
  const program = new Command('sandbox')
    .description('Local AWS sandbox: EC2 (Query/XML) and AppStream (JSON 1.1) on one loopback port')
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', nonNegativeInt, DEFAULT_PORT)
    .addOption(new Option('--profile <profile>', 'state-machine durations').choices(PROFILE_NAMES).default('demo'))
    .option('--no-throttling', 'disable EC2 token-bucket throttling')
    .option('--throttle-scale <scale>', 'multiply bucket sizes and refill rates', positiveNumber)
    .option('--not-found-window-ms <ms>', 'eventual-consistency window after CreateImage', nonNegativeInt)
    .option('--state <file>', 'keep the state in this file (SQLite): restored on start, saved as it changes', (file: string) =>
      path.resolve(file),
    )
    .option('--fresh', 'with --state: discard the stored state and begin from the seed', false)
    .parse();
  const opts = program.opts<CliOptions>();
  if (opts.fresh && !opts.state) program.error('--fresh needs --state <file>');

  const config: SandboxConfigOverrides = {
    profile: opts.profile,
    notFoundWindowMs: opts.notFoundWindowMs,
    throttling: { enabled: opts.throttling, scale: opts.throttleScale },
  };
  const running = await createSandbox({ host: opts.host, port: opts.port, config, stateFile: opts.state, fresh: opts.fresh });
  console.log(`AWS sandbox listening: ${running.url}  (profile ${opts.profile}, throttling ${opts.throttling ? 'on' : 'off'})`);
  console.log(`  export AWS_ENDPOINT_URL=${running.url}`);
  console.log(`  export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}`);
  console.log(`  Windows base AMI: ${WINDOWS_BASE_AMI_ID}   Linux base AMI: ${LINUX_BASE_AMI_ID}`);
  console.log(`  fast-launch launch template: ${FAST_LAUNCH_TEMPLATE_ID} (${FAST_LAUNCH_TEMPLATE_NAME})`);
  console.log(`  admin API: ${running.url}/_sandbox/`);
  if (opts.state) console.log(`  state: ${opts.state} (${stateOrigin(running.restoredSavedAt, opts.fresh)})`);

  const shutdown = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
