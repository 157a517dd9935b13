/**
 * `npm start` (dev/local-stack.ts) as a child process on free ports and its own state folder: SIGHUP
 * (the terminal closing) or SIGTERM, whether the stack is ready or still starting, leaves no process
 * behind and frees its ports; a second stack on the same state folder or ports says so in one line; a run
 * in flight survives Ctrl-C and a restart, and `--fresh` begins again.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../dev/free-port';

const ROOT = path.resolve(__dirname, '..');

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every process below `pid`, from /proc (the dev server runs in its own process group, so a group kill would miss it). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

interface Ports {
  temporal: number;
  ui: number;
  sandbox: number;
}

interface RunningStack {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startLocalStack(ports: Ports, localDir: string, extraArgs: string[] = []): RunningStack {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'dev/local-stack.ts'),
      '--temporal-port',
      String(ports.temporal),
      '--ui-port',
      String(ports.ui),
      '--sandbox-port',
      String(ports.sandbox),
      '--local-dir',
      localDir,
      '--profile',
      'test',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function waitFor(stack: RunningStack, text: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stack.output().includes(text)) {
    if (stack.child.exitCode !== null) throw new Error(`the stack exited (${stack.child.exitCode}) before "${text}":\n${stack.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${stack.output()}`);
    await sleep(100);
  }
}

/** Sends the signal and checks that the stack, its dev server and all else below it are gone, and the ports free. */
async function assertStopsCleanly(stack: RunningStack, signal: NodeJS.Signals, ports: Ports): Promise<void> {
  const below = descendants(stack.child.pid!);
  stack.child.kill(signal);
  const timeout = sleep(30_000, undefined, { ref: false }).then(() => 'timeout' as const);
  assert.notEqual(await Promise.race([stack.exited, timeout]), 'timeout', `the stack did not exit after ${signal}:\n${stack.output()}`);
  for (let i = 0; i < 50 && below.some(isAlive); i++) await sleep(100);
  assert.deepEqual(below.filter(isAlive), [], `processes left running after ${signal} (the dev server among them?):\n${stack.output()}`);
  for (const port of Object.values(ports)) assert.ok(await isFree(port), `port ${port} is still held after ${signal}`);
}

/** The golden-image CLI against the stack's dev server; its stdout. */
async function cli(ports: Ports, ...args: string[]): Promise<string> {
  const env = { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}` };
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'client/bin.cjs'), ...args], { cwd: ROOT, env });
  return stdout;
}

interface RunStatus {
  status: string;
  progress?: { stages: { stage: string; state: string }[] };
  result?: { imageId: string; rollout?: { counts: Record<string, number> } };
}

async function runStatusUntil(ports: Ports, workflowId: string, done: (s: RunStatus) => boolean, timeoutMs = 90_000): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = JSON.parse(await cli(ports, 'status', workflowId, '--json')) as RunStatus;
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`run ${workflowId} not there within ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await sleep(500);
  }
}

/** A value from the ready banner, e.g. the line "Windows build instance   i-...". */
function bannerValue(stack: RunningStack, label: string): string {
  const line = stack
    .output()
    .split('\n')
    .find((l) => l.trimStart().startsWith(label));
  assert.ok(line, `no "${label}" in the banner:\n${stack.output()}`);
  return line.trim().slice(label.length).trim();
}

describe('npm start (the local stack)', () => {
  let dir: string;
  const started: RunningStack[] = [];
  const newPorts = async (): Promise<Ports> => {
    const [temporal, ui, sandbox] = (await freePorts(3)) as [number, number, number];
    return { temporal, ui, sandbox };
  };
  const start = (ports: Ports, localDir: string, extraArgs: string[] = []) => {
    const stack = startLocalStack(ports, localDir, extraArgs);
    started.push(stack);
    return stack;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'golden-image-local-stack-'));
  });
  after(async () => {
    // Whatever a failed test left: the stack, then anything below it.
    for (const stack of started) {
      for (const pid of descendants(stack.child.pid!)) process.kill(pid, 'SIGKILL');
      if (stack.child.exitCode === null) stack.child.kill('SIGKILL');
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('SIGHUP (the terminal closing) stops the dev server and the sandbox too; a second stack says so in one line', async () => {
    const ports = await newPorts();
    const first = start(ports, path.join(dir, 'a'));
    await waitFor(first, 'local stack is ready');
    assert.ok(descendants(first.child.pid!).length > 0, 'the dev server runs as a child process');

    // Same state folder: the pid file tells.
    const second = start(await newPorts(), path.join(dir, 'a'));
    const secondExit = await second.exited;
    assert.equal(secondExit.code, 1, second.output());
    const lines = second.output().trim().split('\n');
    assert.equal(lines.length, 1, `one line, not a stack trace:\n${second.output()}`);
    assert.match(lines[0]!, new RegExp(`^\\[golden-image\\] a local stack is already running \\(pid ${first.child.pid}`));

    // Same ports, another folder: the port tells.
    const third = start(ports, path.join(dir, 'b'));
    assert.equal((await third.exited).code, 1, third.output());
    const thirdLines = third.output().trim().split('\n');
    assert.equal(thirdLines.length, 1, `one line, not a stack trace:\n${third.output()}`);
    assert.match(thirdLines[0]!, new RegExp(`^\\[golden-image\\] port ${ports.temporal} \\(Temporal gRPC\\) is in use`));

    await assertStopsCleanly(first, 'SIGHUP', ports);
  });

  test('a run in flight survives Ctrl-C and a restart on the same folder, against the restored sandbox; --fresh begins again', async () => {
    const ports = await newPorts();
    const localDir = path.join(dir, 'restart');
    const first = start(ports, localDir);
    await waitFor(first, 'local stack is ready');
    assert.match(bannerValue(first, 'AWS sandbox state'), /^freshly seeded, kept in .*sandbox\.db$/);
    const windowsBuild = bannerValue(first, 'Windows build instance');
    const fleet = bannerValue(first, 'Fleet (fleet=web)');

    // Image the build instance, then wait at the approval gate; the rollout to the fleet comes after it.
    const config = path.join(dir, 'restart.yaml');
    await writeFile(
      config,
      [
        'kind: ami',
        'name: restart',
        `instanceId: ${windowsBuild}`,
        'approval: { timeout: 1h }',
        'rollout: { tags: { fleet: web }, concurrency: 2 }',
        'waits: { image: { interval: 1s, timeout: 5m }, rootVolume: { interval: 1s, timeout: 5m } }',
      ].join('\n'),
    );
    const { workflowId } = JSON.parse(await cli(ports, 'ami', 'run', '-f', config, '--json')) as { workflowId: string };
    const approvalRunning = (s: RunStatus) => s.progress?.stages.find((row) => row.stage === 'approval')?.state === 'running';
    await runStatusUntil(ports, workflowId, approvalRunning);
    await assertStopsCleanly(first, 'SIGINT', ports);

    const second = start(ports, localDir);
    await waitFor(second, 'local stack is ready');
    // One AMI (the run's), the build instances, the fleet and the Auto Scaling group's two: what the first session left.
    assert.match(bannerValue(second, 'AWS sandbox state'), /^restored from .*sandbox\.db \(saved [^)]+\): 1 AMIs, 8 instances, /);
    assert.equal(bannerValue(second, 'Windows build instance'), windowsBuild);
    assert.equal(bannerValue(second, 'Fleet (fleet=web)'), fleet);
    assert.ok(approvalRunning(await runStatusUntil(ports, workflowId, () => true)), 'the run still waits for approval');
    await cli(ports, 'approve', workflowId, '--by', 'test');
    const finished = await runStatusUntil(ports, workflowId, (s) => s.status !== 'RUNNING');
    assert.equal(finished.status, 'COMPLETED', JSON.stringify(finished));
    assert.match(finished.result!.imageId, /^ami-/);
    await assertStopsCleanly(second, 'SIGINT', ports);

    const third = start(ports, localDir, ['--fresh']);
    await waitFor(third, 'local stack is ready');
    assert.match(bannerValue(third, 'AWS sandbox state'), /^freshly seeded/);
    assert.notEqual(bannerValue(third, 'Windows build instance'), windowsBuild, 'new demo instances');
    await assertStopsCleanly(third, 'SIGTERM', ports);
  });

  test('SIGTERM while the dev server is still starting stops it too', async () => {
    const ports = await newPorts();
    const stack = start(ports, path.join(dir, 'c'));
    await waitFor(stack, 'starting the Temporal dev server');
    // Wait for the dev server's process to exist, then stop the stack before it is ready.
    for (let i = 0; i < 100 && descendants(stack.child.pid!).length === 0; i++) await sleep(50);
    await assertStopsCleanly(stack, 'SIGTERM', ports);
    assert.ok(!stack.output().includes('local stack is ready'), 'it was stopped during start-up');
  });
});
