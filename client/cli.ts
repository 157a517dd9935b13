/**
 * `golden-image`: start pipelines, follow them, and look after their runs.
 * Every command validates its input before it starts anything; exit codes are 0 for success,
 * 1 for a run that failed or was cancelled, and 2 for bad input or usage.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { amiPipelineInput, type AmiPipelineConfig } from '../workflows/ami-pipeline-input';
import { InvalidInputError, parseInput } from '../workflows/input-validation';
import { readConfigFile } from './config-file';
import { connectClient } from './connection';
import { cancelRun, describeRun, followRun, listRuns, startAmiPipeline, type RunOutcome } from './pipelines';
import { createProgressView } from './progress-view';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function keyValue(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at < 1) throw new InvalidArgumentError(`expected key=value, got "${text}"`);
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

function integer(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${text}"`);
  return n;
}

interface AmiRunFlags {
  file?: string;
  instance?: string;
  name?: string;
  imageName?: string;
  description?: string;
  tag?: Record<string, string>;
  reboot?: boolean;
  rootDevice?: string;
  volumeInitializationRate?: number;
  pollInterval?: string;
  timeout?: string;
  keepUnfinishedImage?: boolean;
  workflowId?: string;
  follow?: boolean;
  json?: boolean;
}

/** Flags override the config file, field by field. */
async function amiConfig(flags: AmiRunFlags): Promise<AmiPipelineConfig> {
  const config = (flags.file ? await readConfigFile(flags.file) : {}) as AmiPipelineConfig & Record<string, unknown>;
  const waits = { ...(config.waits ?? {}) };
  if (flags.pollInterval || flags.timeout) {
    waits.image = { ...(waits.image ?? {}), ...(flags.pollInterval && { interval: flags.pollInterval }), ...(flags.timeout && { timeout: flags.timeout }) };
  }
  return {
    ...config,
    ...(flags.name && { name: flags.name }),
    ...(flags.instance && { instanceId: flags.instance }),
    ...(flags.imageName && { imageName: flags.imageName }),
    ...(flags.description && { description: flags.description }),
    ...(flags.tag && { tags: { ...(config.tags ?? {}), ...flags.tag } }),
    ...(flags.reboot && { noReboot: false }),
    ...(flags.keepUnfinishedImage && { keepUnfinishedImage: true }),
    ...(flags.volumeInitializationRate !== undefined && {
      blockDeviceMappings: [{ deviceName: flags.rootDevice ?? '/dev/sda1', volumeInitializationRate: flags.volumeInitializationRate }],
    }),
    waits,
  } as AmiPipelineConfig;
}

function printOutcome(outcome: RunOutcome<unknown>, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(outcome, null, 2));
  } else if (outcome.status === 'COMPLETED') {
    console.log(`✔ ${outcome.workflowId} completed`);
    console.log(JSON.stringify(outcome.result, null, 2));
  } else {
    console.error(`✘ ${outcome.workflowId} ${outcome.status.toLowerCase()}: ${outcome.error ?? ''}`);
  }
  if (outcome.status !== 'COMPLETED') process.exitCode = EXIT_FAILED;
}

async function runAmi(flags: AmiRunFlags): Promise<void> {
  // Validate before connecting, so bad input fails fast and nothing starts.
  const config = parseInput(amiPipelineInput, await amiConfig(flags));
  const client = await connectClient();
  try {
    const handle = await startAmiPipeline(client, config, { workflowId: flags.workflowId });
    // Progress goes to stderr so that --json leaves stdout as pure JSON.
    console.error(`Started ${handle.workflowId} (run ${handle.firstExecutionRunId})`);
    if (!flags.follow) {
      if (flags.json) console.log(JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }));
      else console.error(`Follow it with: golden-image status ${handle.workflowId}`);
      return;
    }
    const outcome = await followRun(handle, createProgressView((line) => console.error(line)));
    printOutcome(outcome, flags.json);
  } finally {
    await client.connection.close();
  }
}

async function withClient(body: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<void>): Promise<void> {
  const client = await connectClient();
  try {
    await body(client);
  } finally {
    await client.connection.close();
  }
}

export function buildCli(): Command {
  const program = new Command('golden-image')
    .description('Durable golden-image pipelines for AWS on Temporal')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  const ami = program.command('ami').description('EC2 AMI pipelines');
  ami
    .command('run')
    .description('start an amiPipeline run: create an AMI from a build instance and wait until it is available')
    .option('-f, --file <pipeline.yaml>', 'pipeline config (YAML or JSON); flags override its fields')
    .option('--instance <instance-id>', 'the build instance to image (running or stopped)')
    .option('--name <pipeline>', 'pipeline name: tags, search attributes and the default image name use it')
    .option('--image-name <template>', 'image name template with {{pipeline}}, {{date}}, {{run}} (default "{{pipeline}}-{{date}}-{{run}}")')
    .option('--description <text>', 'AMI description')
    .option('--tag <key=value>', 'tag for the AMI and its snapshots (repeatable)', keyValue)
    .option('--reboot', 'let EC2 reboot the instance for a consistent image (default: NoReboot)')
    .option('--volume-initialization-rate <MiB/s>', 'root volume initialization rate, 100-300', integer)
    .option('--root-device <name>', 'root device name for --volume-initialization-rate', '/dev/sda1')
    .option('--poll-interval <duration>', 'how often to check the image (default 15s)')
    .option('--timeout <duration>', 'how long to wait for the image (default 2h)')
    .option('--keep-unfinished-image', 'keep an image the run created but did not finish (default: deregister it)')
    .option('--workflow-id <id>', 'workflow ID (default ami-<name>-<random>)')
    .option('--follow', 'show stage progress live until the run ends')
    .option('--json', 'print the result (or the started IDs) as JSON')
    .action(runAmi);

  program
    .command('status <workflow-id>')
    .description("show a run's state, stage table and result")
    .option('--json', 'print as JSON')
    .action((workflowId: string, flags: { json?: boolean }) =>
      withClient(async (client) => {
        const status = await describeRun(client, workflowId);
        if (flags.json) return console.log(JSON.stringify(status, null, 2));
        console.log(`${status.workflowId}  ${status.type}  ${status.status}  pipeline=${status.pipeline ?? '-'}  stage=${status.stage ?? '-'}`);
        for (const row of status.progress?.stages ?? []) console.log(`  ${row.stage.padEnd(16)} ${row.state.padEnd(10)} ${row.detail ?? ''}`);
        if (status.resources.length) console.log(`  resources: ${status.resources.join(', ')}`);
        if (status.result) console.log(JSON.stringify(status.result, null, 2));
        if (status.error) console.log(`  error: ${status.error}`);
      }),
    );

  program
    .command('list')
    .description('list golden-image runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .addOption(new Option('--limit <n>', 'how many runs').default(20).argParser(integer))
    .option('--json', 'print as JSON')
    .action((flags: { pipeline?: string; limit: number; json?: boolean }) =>
      withClient(async (client) => {
        const runs = await listRuns(client, flags);
        if (flags.json) return console.log(JSON.stringify(runs, null, 2));
        if (runs.length) console.log(['WORKFLOW ID'.padEnd(36), 'TYPE'.padEnd(14), 'STATUS'.padEnd(10), 'STAGE'.padEnd(15), 'STARTED'.padEnd(24), 'RESOURCES'].join(' '));
        for (const r of runs) {
          console.log([r.workflowId.padEnd(36), r.type.padEnd(14), r.status.padEnd(10), (r.stage ?? '-').padEnd(15), r.startTime.padEnd(24), r.resources.join(',')].join(' '));
        }
        if (!runs.length) console.log('no golden-image runs');
      }),
    );

  program
    .command('cancel <workflow-id>')
    .description('cancel a run; it deregisters an unfinished image unless told to keep it')
    .action((workflowId: string) =>
      withClient(async (client) => {
        await cancelRun(client, workflowId);
        console.log(`cancellation requested for ${workflowId}`);
      }),
    );

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    console.error(err instanceof InvalidInputError ? err.message : `error: ${(err as Error).message}`);
    process.exitCode = err instanceof InvalidInputError ? EXIT_USAGE : EXIT_FAILED;
  }
}

if (require.main === module) void main(process.argv);
