/**
 * The system under test, fresh for each bench run: a Temporal dev server (the real CLI, on a sqlite
 * file in a temp directory, on free loopback ports) and the AWS sandbox on its own free port, with
 * EC2 throttling at AWS's published bucket sizes. The sandbox runs in this process; the worker does not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SANDBOX_CREDENTIALS, SandboxAdmin, createSandbox, type RunningSandbox } from '@golden-image/aws-sandbox';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { freePorts } from '../dev/free-port';

export const BENCH_REGION = 'us-east-1';
/** The sandbox checks SigV4 signatures: benchmarks sign with its first default key. */
export const BENCH_CREDENTIALS = SANDBOX_CREDENTIALS;

export interface BenchStack {
  dir: string;
  server: DevServer;
  sandbox: RunningSandbox;
  admin: SandboxAdmin;
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

export async function startStack(log: (msg: string) => void): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'golden-image-bench-'));
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  const server = await startDevServer(
    { port, uiPort, dbFile: path.join(dir, 'temporal.sqlite'), logFile: path.join(dir, 'temporal.log') },
    log,
  );
  const sandbox = await createSandbox({ port: 0 });
  const connection = await Connection.connect({ address: server.address });
  return {
    dir,
    server,
    sandbox,
    admin: new SandboxAdmin(sandbox.url),
    connection,
    client: new Client({ connection }),
    async close() {
      await connection.close();
      await sandbox.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SideSandbox {
  sandbox: RunningSandbox;
  admin: SandboxAdmin;
}

/** Another sandbox, for a scenario that runs beside the others without touching their counts (mode c, the history probe). */
export async function startSideSandbox(): Promise<SideSandbox> {
  const sandbox = await createSandbox({ port: 0 });
  return { sandbox, admin: new SandboxAdmin(sandbox.url) };
}
