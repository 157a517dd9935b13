/**
 * `golden-image appstream update` and `golden-image appstream builder <action>`: flags and config
 * files become one validated workflow input, checked before anything connects or starts.
 */
import { Argument, type Command } from 'commander';
import { BUILDER_ACTIONS, type BuilderAction } from '../contracts/appstream-builder-actions';
import { CREATE_ONLY, type AppStreamImageBuilderConfig } from '../contracts/appstream-image-builder';
import type { AppStreamImageUpdateConfig } from '../contracts/appstream-image-update';
import { integer, keyValue, reportStarted, withClient, type FollowFlags } from './cli-support';
import { readConfigFile } from './config-file';
import { startValidPipeline, validatePipeline } from './start-pipeline';
import { startFleetRollback } from './appstream-rollback';

interface CommonFlags extends FollowFlags {
  file?: string;
  tag?: Record<string, string>;
  pollInterval?: string;
  timeout?: string;
  workflowId?: string;
}

interface UpdateFlags extends CommonFlags {
  image?: string;
  newName?: string;
  name?: string;
  description?: string;
  displayName?: string;
  keep?: number;
  keepUnfinishedImage?: boolean;
}

interface BuilderFlags extends CommonFlags {
  name?: string;
  image?: string;
  instanceType?: string;
  description?: string;
}

/** --poll-interval and --timeout override one wait of the config file's `waits`. */
function waitOverride(waits: Record<string, unknown> | undefined, key: string, flags: CommonFlags) {
  if (!flags.pollInterval && !flags.timeout) return waits;
  return {
    ...waits,
    [key]: {
      ...(waits?.[key] as object | undefined),
      ...(flags.pollInterval && { interval: flags.pollInterval }),
      ...(flags.timeout && { timeout: flags.timeout }),
    },
  };
}

/** Flags override the config file, field by field. */
async function updateConfig(flags: UpdateFlags): Promise<AppStreamImageUpdateConfig> {
  const config = (flags.file ? await readConfigFile(flags.file, 'appstream-update') : {}) as AppStreamImageUpdateConfig;
  return {
    ...config,
    ...(flags.name && { name: flags.name }),
    ...(flags.image && { existingImageName: flags.image }),
    ...(flags.newName && { newImageName: flags.newName }),
    ...(flags.description && { newImageDescription: flags.description }),
    ...(flags.displayName && { newImageDisplayName: flags.displayName }),
    ...(flags.tag && { tags: { ...config.tags, ...flags.tag } }),
    ...(flags.keep !== undefined && { retention: { keep: flags.keep } }),
    ...(flags.keepUnfinishedImage && { keepUnfinishedImage: true }),
    waits: waitOverride(config.waits, 'image', flags),
  };
}

/** One builder config file serves every action: only create reads the create settings in it. */
async function builderConfig(action: BuilderAction, flags: BuilderFlags): Promise<AppStreamImageBuilderConfig> {
  const file = flags.file ? await readConfigFile(flags.file, 'appstream-builder') : {};
  const config = (
    action === 'create'
      ? file
      : Object.fromEntries(Object.entries(file).filter(([key]) => !(CREATE_ONLY as readonly string[]).includes(key)))
  ) as Partial<AppStreamImageBuilderConfig>;
  return {
    ...config,
    action,
    name: flags.name ?? config.name ?? '',
    ...(flags.image && { imageName: flags.image }),
    ...(flags.instanceType && { instanceType: flags.instanceType }),
    ...(flags.description && { description: flags.description }),
    ...(flags.tag && { tags: { ...config.tags, ...flags.tag } }),
    waits: waitOverride(config.waits, 'builder', flags),
  };
}

async function runUpdate(flags: UpdateFlags): Promise<void> {
  // Validate before connecting, so bad input fails fast and nothing starts.
  const pipeline = validatePipeline('appstream-update', await updateConfig(flags));
  await withClient(async (client) => reportStarted(await startValidPipeline(client, pipeline, { workflowId: flags.workflowId }), flags));
}

async function runBuilder(action: BuilderAction, flags: BuilderFlags): Promise<void> {
  const pipeline = validatePipeline('appstream-builder', await builderConfig(action, flags));
  await withClient(async (client) => reportStarted(await startValidPipeline(client, pipeline, { workflowId: flags.workflowId }), flags));
}

/** Options both commands take, in the same words. */
function withCommonOptions(command: Command, waitDefaults: string): Command {
  return command
    .option('-f, --file <config.yaml>', 'config (YAML or JSON); flags override its fields')
    .option('--tag <key=value>', 'tag (repeatable)', keyValue)
    .option('--poll-interval <duration>', `how often to check (${waitDefaults})`)
    .option('--timeout <duration>', 'how long to wait')
    .option('--workflow-id <id>', 'workflow ID (default: generated)')
    .option('--follow', 'show stage progress live until the run ends')
    .option('--json', 'print the result (or the started IDs) as JSON');
}

export function registerAppStreamCommands(program: Command): void {
  const appstream = program.command('appstream').description('AppStream 2.0 pipelines: managed image updates and image builders');

  withCommonOptions(
    appstream
      .command('update')
      .description(
        'start an appStreamImageUpdate run: dry run first; if AWS has an update, create the updated image, wait until AVAILABLE, tag it, then the configured stages (test, approval, copy, share, fleets, retention)',
      )
      .option('--image <existing-image>', 'the private image to update')
      .option('--new-name <name|template>', 'new image name; may use {{pipeline}}, {{date}}, {{run}}')
      .option('--name <pipeline>', 'pipeline name for tags, retention and search (default: the existing image name)')
      .option('--description <text>', 'new image description')
      .option('--display-name <text>', 'new image display name')
      .option('--keep <n>', 'keep the newest n images of this pipeline, delete older ones (n >= 1)', integer)
      .option('--keep-unfinished-image', 'keep an image the run created but did not finish (default: delete it)'),
    'default 60s; timeout default 6h',
  ).action(runUpdate);

  withCommonOptions(
    appstream
      .command('builder')
      .description(
        'start an appStreamImageBuilder run: one action on an image builder, then wait for its state (create/start: RUNNING, stop: STOPPED, delete: gone)',
      )
      .addArgument(new Argument('<action>', 'what to do').choices(BUILDER_ACTIONS))
      .option('--name <builder>', 'image builder name')
      .option('--image <image>', 'create: the image to start the builder from')
      .option('--instance-type <type>', 'create: instance type (default stream.standard.medium)')
      .option('--description <text>', 'create: builder description'),
    'default 30s; timeout default 2h',
  ).action(runBuilder);

  appstream
    .command('rollback')
    .description(
      "put the fleets an appstream update run moved back on the images they were on (from the run's result, or its failed fleets stage)",
    )
    .argument('<workflow-id>', 'the appStreamImageUpdate run')
    .option('--poll-interval <duration>', 'how often to check a fleet stopping or starting (default 30s)')
    .option('--timeout <duration>', 'how long to wait for each fleet (default 1h)')
    .option('--follow', 'show progress live until the rollback ends')
    .option('--json', 'print the result (or the started IDs) as JSON')
    .action((workflowId: string, flags: FollowFlags & Pick<CommonFlags, 'pollInterval' | 'timeout'>) =>
      withClient(async (client) =>
        reportStarted(
          await startFleetRollback(client, workflowId, {
            ...(flags.pollInterval && { interval: flags.pollInterval }),
            ...(flags.timeout && { timeout: flags.timeout }),
          }),
          flags,
        ),
      ),
    );
}
