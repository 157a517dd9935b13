/**
 * Fault 2: the Temporal dev server killed with SIGKILL and restarted on the same sqlite file, twice in
 * one run (mid-wait and mid-rollout). The worker is a child process that is never restarted: it must
 * reconnect by itself. The run completes once, with one AMI and one root-volume task per instance.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { freePorts } from '../dev/free-port';
import { startPipeline } from '../client/start-pipeline';
import { startDevServer, stopProcess, type DevServer, type DevServerOptions } from '../dev/dev-server';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import type { PipelineProgress } from '../contracts/progress';
import { rolloutCounts, stageIs, waitForProgress } from './support/runs';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { checkSandbox } from './support/sandbox-state';
import { ec2Count } from './support/scenarios';
import { untilRunning } from './support/worker-chain';
import { spawnWorker, type WorkerProcess } from './support/worker-process';

let dir: string;
let options: DevServerOptions;
let server: DevServer;
let sandbox: OwnSandbox;
let worker: WorkerProcess;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'golden-image-restart-'));
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  options = {
    port,
    uiPort,
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'temporal.log'),
  };
  [server, sandbox] = await Promise.all([startDevServer(options), startOwnSandbox()]);
});
after(async () => {
  if (worker) await worker.kill();
  if (server) await server.stop();
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

/** SIGKILL, then the same server (same ports, same sqlite file) again; returns the seconds it was down. */
async function restartServer(): Promise<number> {
  const down = Date.now();
  await stopProcess(server.process, 'SIGKILL');
  await sleep(1_000);
  server = await startDevServer(options);
  return (Date.now() - down) / 1000;
}

test('the dev server killed and restarted on its sqlite file mid-wait and mid-rollout: the worker reconnects and the run completes once', async (t) => {
  const [buildInstance] = await sandbox.launchInstances('windows', 1);
  const fleet = await sandbox.launchInstances('windows', 2, { fleet: 'web' });
  await sandbox.admin.configure({ durations: { image: 6_000, replaceRootVolumePending: 2_000, replaceRootVolumeInProgress: 4_000 } });
  await sandbox.admin.resetCalls();
  const taskQueue = `restart-${process.pid}`;
  worker = spawnWorker({ temporalAddress: server.address, sandboxUrl: sandbox.url, taskQueue });
  await untilRunning(worker);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const fast = { interval: '200ms', timeout: '5m' };
    const handle = await startPipeline(
      client,
      'ami',
      {
        name: 'restart',
        instanceId: buildInstance,
        waits: { image: fast, rootVolume: fast },
        rollout: { instanceIds: fleet, concurrency: 1 },
      },
      { taskQueue, workflowId: 'server-restart' },
    );
    const started = Date.now();
    await waitForProgress(handle, stageIs('wait-available', 'running'), 60_000);
    const firstOutage = await restartServer();
    await waitForProgress(handle, (p: PipelineProgress) => (p.rollout?.counts.running ?? 0) > 0, 120_000);
    const secondOutage = await restartServer();
    const result = (await handle.result()) as AmiPipelineResult;
    const seconds = (Date.now() - started) / 1000;

    assert.equal(worker.child.exitCode, null, 'the worker process was never restarted');
    assert.equal(worker.child.signalCode, null);
    assert.deepEqual(rolloutCounts(result.rollout), { succeeded: 2 });
    const calls = await sandbox.admin.calls();
    assert.equal(ec2Count(calls, 'CreateImage'), 1);
    assert.equal(ec2Count(calls, 'CreateReplaceRootVolumeTask'), 2);
    await checkSandbox(sandbox.admin, { amis: [result.imageId], tasksPerInstance: Object.fromEntries(fleet.map((id) => [id, 1])) });
    t.diagnostic(
      `server down ${firstOutage.toFixed(1)} s mid-wait and ${secondOutage.toFixed(1)} s mid-rollout; run completed in ${seconds.toFixed(1)} s`,
    );
  } finally {
    await connection.close();
  }
});
