/**
 * Starts the Temporal CLI's dev server as a child process on loopback, with a sqlite file so runs
 * survive a restart, and our search attributes registered. The dev stack uses it; so do tests that
 * must kill and restart the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { Connection } from '@temporalio/client';
import { provisionTemporalCli } from './provision-temporal-cli';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

export interface DevServerOptions {
  port: number;
  uiPort: number;
  dbFile: string;
  logFile: string;
  /** Aborting while the server starts stops it and rejects. */
  signal?: AbortSignal;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const CLI_TYPE_NAMES = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
} as const;

export async function startDevServer(options: DevServerOptions, log: (msg: string) => void = () => {}): Promise<DevServer> {
  const cli = await provisionTemporalCli(log);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFile,
    '--log-level',
    'warn',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]),
  ];
  // Its own process group: Ctrl-C reaches only us, and we stop the server after the worker has drained.
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  process.once('exit', () => child.kill('SIGKILL'));
  const logStream = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout?.pipe(logStream);
  child.stderr?.pipe(logStream);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(address, child, options.signal);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    process: child,
    stop: () => stopProcess(child),
  };
}

async function waitUntilServing(address: string, child: ChildProcess, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('stopped while the Temporal dev server was starting');
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode}; see its log`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within 60 s`);
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
