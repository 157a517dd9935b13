/**
 * Finds or builds the Temporal CLI (which carries the dev server), in this order:
 * $TEMPORAL_CLI, `temporal` on PATH, our cached build, `go install` through the Go module proxy,
 * and last the SDK's own download. The SDK download needs the internet, which CI machines lack,
 * so it is the last resort rather than the default.
 *
 * Run directly (`npm run provision:temporal`) it prints the path it settled on.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdir, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

function temporalCliCacheDir(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cacheHome, 'golden-image', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

interface Attempt {
  option: string;
  outcome: string;
}

type Finder = (log: (msg: string) => void) => Promise<string | Attempt>;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const fromEnvironment: Finder = async () => {
  const file = process.env.TEMPORAL_CLI;
  if (!file) return { option: '$TEMPORAL_CLI', outcome: 'not set' };
  return (await isExecutable(file)) ? file : { option: '$TEMPORAL_CLI', outcome: `${file} is not an executable file` };
};

const fromPath: Finder = async () => {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, 'temporal');
    if (await isExecutable(file)) return file;
  }
  return { option: '`temporal` on PATH', outcome: 'not found' };
};

const fromCache: Finder = async () => {
  const file = path.join(temporalCliCacheDir(), 'temporal');
  return (await isExecutable(file)) ? file : { option: 'cached build', outcome: `${file} does not exist` };
};

const fromGoInstall: Finder = async (log) => {
  const option = `go install ${GO_PACKAGE}`;
  const dir = temporalCliCacheDir();
  await mkdir(dir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (once; a few minutes) into ${dir} ...`);
  const started = Date.now();
  try {
    await run('go', ['install', GO_PACKAGE], {
      env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const detail = e.code === 'ENOENT' ? 'go is not installed' : (e.stderr || e.message).trim().split('\n').slice(-5).join(' | ');
    return { option, outcome: detail };
  }
  log(`Built in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  const file = path.join(dir, 'temporal');
  return (await isExecutable(file)) ? file : { option, outcome: `finished but ${file} is missing` };
};

/** The SDK's download: it fetches the CLI while starting an ephemeral server, so start one and stop it. */
const fromSdkDownload: Finder = async () => {
  const option = "the SDK's own download";
  const downloadDir = path.join(temporalCliCacheDir(), 'sdk-download');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
    await env.teardown();
    const binary = (await readdir(downloadDir)).find((name) => name.startsWith('temporal'));
    return binary ? path.join(downloadDir, binary) : { option, outcome: `nothing was downloaded to ${downloadDir}` };
  } catch (err) {
    return { option, outcome: (err as Error).message.split('\n')[0] ?? 'failed' };
  }
};

const FINDERS: Finder[] = [fromEnvironment, fromPath, fromCache, fromGoInstall, fromSdkDownload];

/** Returns the path of a Temporal CLI binary, or throws naming every option it tried and why each failed. */
export async function provisionTemporalCli(log: (msg: string) => void = () => {}): Promise<string> {
  const attempts: Attempt[] = [];
  for (const find of FINDERS) {
    const found = await find(log);
    if (typeof found === 'string') return found;
    attempts.push(found);
  }
  const lines = attempts.map((a, i) => `  ${i + 1}. ${a.option}: ${a.outcome}`);
  throw new Error(
    `No Temporal CLI could be provisioned. Tried, in order:\n${lines.join('\n')}\n` +
      'Install Go (for step 4), or set TEMPORAL_CLI to a temporal binary.',
  );
}

if (require.main === module) {
  provisionTemporalCli((msg) => console.error(msg)).then(
    (file) => console.log(file),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
