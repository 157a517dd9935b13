/**
 * `golden-image`: start pipelines, follow them, and look after their runs.
 * Every command validates its input before it starts anything; exit codes are 0 for success,
 * 1 for a run that failed or was cancelled, and 2 for bad input or usage.
 */
import { Command, CommanderError } from 'commander';
import { InvalidInputError } from '../contracts/input-validation';
import { registerAmiCommands } from './ami-commands';
import { registerAppStreamCommands } from './appstream-commands';
import { EXIT_FAILED, EXIT_USAGE } from './cli-support';
import { registerConfigCommands } from './config-commands';
import { registerReportCommands } from './report-commands';
import { registerRunCommands } from './run-commands';
import { registerScheduleCommands } from './schedule-commands';

function buildCli(): Command {
  const program = new Command('golden-image')
    .description('Durable golden-image pipelines for AWS on Temporal')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    // Throw instead of exiting, so usage errors get this CLI's exit code (2), not commander's (1).
    .exitOverride();
  registerAmiCommands(program);
  registerAppStreamCommands(program);
  registerRunCommands(program);
  registerReportCommands(program);
  registerScheduleCommands(program);
  registerConfigCommands(program);
  return program;
}

/** Temporal wraps the reason (say, an update validator's refusal) in outer errors; show the reason. */
function innermostMessage(err: unknown): string {
  let current = err as Error;
  while (current.cause instanceof Error && current.cause.message) current = current.cause;
  return current.message;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message already; help and version are not errors.
      process.exitCode = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code) ? 0 : EXIT_USAGE;
      return;
    }
    console.error(err instanceof InvalidInputError ? err.message : `error: ${innermostMessage(err)}`);
    process.exitCode = err instanceof InvalidInputError ? EXIT_USAGE : EXIT_FAILED;
  }
}

if (require.main === module) void main(process.argv);
