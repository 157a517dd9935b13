/** `golden-image validate` (a config, no AWS calls) and `golden-image setup` (a cluster, once). */
import type { Command } from 'commander';
import { withClient } from './cli-support';
import { readPipelineFile } from './config-file';
import { registerSearchAttributes } from './search-attribute-setup';
import { validatePipeline } from './start-pipeline';

export function registerConfigCommands(program: Command): void {
  program
    .command('validate')
    .description('check a pipeline config against its schema, printing every problem with its path; no AWS or Temporal calls')
    .requiredOption('-f, --file <config.yaml>', 'the config to check')
    .action(async (flags: { file: string }) => {
      const { kind, config } = await readPipelineFile(flags.file);
      const { input } = validatePipeline(kind, config);
      console.log(`${flags.file}: valid ${kind} config for pipeline ${input.name}`);
    });

  program
    .command('setup')
    .description(
      "register golden-image's search attributes on the namespace (needed once on a cluster other than the dev server); idempotent",
    )
    .action(() =>
      withClient(async (client) => {
        const { added, present } = await registerSearchAttributes(client, client.options.namespace);
        console.log(
          `namespace ${client.options.namespace}: added ${added.join(', ') || 'none'}; already present ${present.join(', ') || 'none'}`,
        );
      }),
    );
}
