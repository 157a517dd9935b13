/**
 * `golden-image validate` and `golden-image iam-policy` (a config, no AWS or Temporal calls), and
 * `golden-image setup` (a cluster, once).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { InvalidInputError } from '../contracts/input-validation';
import { withClient } from './cli-support';
import { readPipelineFile } from './config-file';
import { pipelinePolicy } from './iam-policy';
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
    .command('iam-policy')
    .description("print the worker's IAM policy for one pipeline: its region, account, instances, launch template and names")
    .requiredOption('-f, --file <config.yaml>', 'the pipeline config')
    .option('--region <region>', 'the region the worker runs the pipeline in (default: AWS_REGION or AWS_DEFAULT_REGION)')
    .option('--account <id>', 'the 12-digit account ID the worker runs in', accountId, '*')
    .action(async (flags: { file: string; region?: string; account: string }) => {
      const region = flags.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
      if (!region) throw new InvalidInputError(['--region: give the region the pipeline runs in (or set AWS_REGION)']);
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
        throw new InvalidInputError([`--region: "${region}" is not a region name such as eu-west-1`]);
      const { kind, config } = await readPipelineFile(flags.file);
      const { input } = validatePipeline(kind, config);
      console.log(JSON.stringify(pipelinePolicy(kind, input, { region, account: flags.account }), null, 2));
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

function accountId(text: string): string {
  if (!/^\d{12}$/.test(text)) throw new InvalidArgumentError('expected a 12-digit AWS account ID');
  return text;
}
