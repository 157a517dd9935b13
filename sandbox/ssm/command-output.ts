/**
 * How much of a run's output Run Command reports, as the SSM Agent (amazon-ssm-agent's iohandler) cuts it:
 * GetCommandInvocation gives the first 24,000 characters of stdout and the first 8,000 of stderr;
 * ListCommandInvocations' plugin `Output` joins both into at most 2,500, marking what it cut.
 */

const MAX_STDOUT = 24000;
const MAX_STDERR = 8000;
const MAX_PLUGIN_OUTPUT = 2500;
const ERROR_TITLE = '\n----------ERROR-------\n';
const OUTPUT_CUT = '\n---Output truncated---';
const ERROR_CUT = '\n---Error truncated----';

export function standardOutputContent(stdout: string): string {
  return stdout.slice(0, MAX_STDOUT);
}

export function standardErrorContent(stderr: string): string {
  return stderr.slice(0, MAX_STDERR);
}

/** The agent's TruncateOutput(stdout, stderr, 2500). */
export function pluginOutput(stdout: string, stderr: string): string {
  const title = stderr.length > 0 ? ERROR_TITLE : '';
  const available = MAX_PLUGIN_OUTPUT - title.length;
  const half = Math.floor(available / 2);
  if (stdout.length + stderr.length < available) return stdout + title + stderr;
  if (stdout.length > half && stderr.length > half) {
    const each = Math.floor((available - ERROR_CUT.length - OUTPUT_CUT.length) / 2);
    return stdout.slice(0, each) + OUTPUT_CUT + title + stderr.slice(0, each) + ERROR_CUT;
  }
  if (stdout.length < half) return stdout + title + stderr.slice(0, available - ERROR_CUT.length - stdout.length) + ERROR_CUT;
  return stdout.slice(0, available - OUTPUT_CUT.length - stderr.length) + OUTPUT_CUT + title + stderr;
}
