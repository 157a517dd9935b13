/** `golden-image ami run`: flags and config files become one validated amiPipeline input. */
import type { Command } from 'commander';
import type { AmiPipelineConfig } from '../contracts/ami-pipeline';
import { integer, keyValue, reportStarted, withClient, type FollowFlags } from './cli-support';
import { readConfigFile } from './config-file';
import { startValidPipeline, validatePipeline } from './start-pipeline';

interface AmiRunFlags extends FollowFlags {
  file?: string;
  instance?: string;
  instanceTag?: Record<string, string>;
  name?: string;
  imageName?: string;
  description?: string;
  tag?: Record<string, string>;
  reboot?: boolean;
  rootDevice: string;
  volumeInitializationRate?: number;
  pollInterval?: string;
  timeout?: string;
  keepUnfinishedImage?: boolean;
  workflowId?: string;
}

/** Flags override the config file, field by field. */
async function amiConfig(flags: AmiRunFlags): Promise<AmiPipelineConfig> {
  const config = (flags.file ? await readConfigFile(flags.file, 'ami') : {}) as AmiPipelineConfig;
  const waits = { ...config.waits };
  if (flags.pollInterval || flags.timeout) {
    waits.image = {
      ...waits.image,
      ...(flags.pollInterval && { interval: flags.pollInterval }),
      ...(flags.timeout && { timeout: flags.timeout }),
    };
  }
  const buildInstance = flags.instance
    ? { instanceId: flags.instance, instanceTags: undefined }
    : flags.instanceTag
      ? { instanceId: undefined, instanceTags: flags.instanceTag }
      : {};
  return {
    ...config,
    ...buildInstance,
    ...(flags.name && { name: flags.name }),
    ...(flags.imageName && { imageName: flags.imageName }),
    ...(flags.description && { description: flags.description }),
    ...(flags.tag && { tags: { ...config.tags, ...flags.tag } }),
    ...(flags.reboot && { noReboot: false }),
    ...(flags.keepUnfinishedImage && { keepUnfinishedImage: true }),
    ...(flags.volumeInitializationRate !== undefined && {
      blockDeviceMappings: [{ deviceName: flags.rootDevice, volumeInitializationRate: flags.volumeInitializationRate }],
    }),
    waits,
  };
}

async function runAmi(flags: AmiRunFlags): Promise<void> {
  // Validate before connecting, so bad input fails fast and nothing starts.
  const pipeline = validatePipeline('ami', await amiConfig(flags));
  await withClient(async (client) => reportStarted(await startValidPipeline(client, pipeline, { workflowId: flags.workflowId }), flags));
}

export function registerAmiCommands(program: Command): void {
  program
    .command('ami')
    .description('EC2 AMI pipelines')
    .command('run')
    .description(
      'start an amiPipeline run: create an AMI, wait until available, then the configured stages (distribute, fast launch, approval, publish, rollout, retention)',
    )
    .option('-f, --file <pipeline.yaml>', 'pipeline config (YAML or JSON); flags override its fields')
    .option('--instance <instance-id>', 'the build instance to image (running or stopped)')
    .option('--instance-tag <key=value>', 'find the build instance by tag instead (repeatable; must match exactly one)', keyValue)
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
}
