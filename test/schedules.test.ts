/**
 * Schedules, `validate` and `setup` on a real dev server, with scheduled runs doing real work against
 * the sandbox through the worker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { readPipelineFile, type PipelineFile } from '../client/config-file';
import { approveRun } from '../client/runs';
import { createSchedule, cronProblem, describeSchedule, triggerSchedule, updateSchedule, type ScheduleReport } from '../client/schedules';
import { registerSearchAttributes } from '../client/search-attribute-setup';
import { resolveImageName } from '../contracts/image-name';
import { startStack, type Stack } from './support/stack';

const ROOT = path.resolve(__dirname, '..');
let stack: Stack;

before(async () => {
  stack = await startStack();
  await stack.launchInstance('linux', { Name: 'linux-build' });
});
after(async () => {
  await stack?.close();
});

/** The linux example, made quick for tests and sent to the test worker's task queue. */
async function linuxConfig(extra: Record<string, unknown> = {}): Promise<PipelineFile> {
  const file = await readPipelineFile(path.join(ROOT, 'examples/linux-ami.yaml'));
  return { kind: file.kind, config: { ...file.config, waits: { image: { interval: '100ms', timeout: '2m' } }, ...extra } };
}

async function until(
  report: () => Promise<ScheduleReport>,
  predicate: (r: ScheduleReport) => boolean,
  timeoutMs = 30_000,
): Promise<ScheduleReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await report();
    if (predicate(r)) return r;
    if (Date.now() > deadline) throw new Error(`schedule condition not met: ${JSON.stringify(r)}`);
    await sleep(250);
  }
}

describe('schedules', () => {
  test('create, describe, trigger a run that completes, update, delete', async () => {
    const client = stack.env.client;
    await createSchedule(
      client,
      'nightly-linux',
      await linuxConfig(),
      { cron: ['0 3 * * *'], timezone: 'Europe/Berlin', jitter: '5m' },
      { taskQueue: stack.taskQueue },
    );
    const created = await describeSchedule(client, 'nightly-linux');
    assert.equal(created.kind, 'ami');
    assert.equal(created.workflowType, 'amiPipeline');
    assert.equal(created.overlap, 'SKIP');
    assert.equal(created.catchupWindowMs, 3_600_000);
    assert.equal(created.spec.timezone, 'Europe/Berlin');
    assert.ok(created.nextRuns.length >= 3, 'describe shows the next run times');
    for (const next of created.nextRuns.slice(0, 3)) {
      const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: 'numeric' }).format(new Date(next)));
      assert.equal(hour, 3, `${next} is 03:xx in Berlin (jitter up to 5 min)`);
    }

    await triggerSchedule(client, 'nightly-linux');
    const ran = await until(
      () => describeSchedule(client, 'nightly-linux'),
      (r) => r.recentRuns[0]?.status === 'COMPLETED',
    );
    const run = client.workflow.getHandle(ran.recentRuns[0]!.workflowId);
    const result = (await run.result()) as { imageName: string };
    const { runId } = await run.describe();
    // {{date}} comes from the scheduled time, so names follow the schedule, not the worker's clock.
    assert.equal(
      result.imageName,
      resolveImageName('{{pipeline}}-{{date}}-{{run}}', {
        pipeline: 'linux-golden',
        runId,
        time: new Date(ran.recentRuns[0]!.scheduledAt),
      }),
    );

    await updateSchedule(client, 'nightly-linux', { timing: { every: ['12h'] }, policies: { catchupWindow: '10m' } });
    const updated = await describeSchedule(client, 'nightly-linux');
    assert.deepEqual(updated.spec.intervals, ['43200s']);
    assert.equal(updated.catchupWindowMs, 600_000);
    await client.schedule.getHandle('nightly-linux').delete();
    await assert.rejects(describeSchedule(client, 'nightly-linux'), /not found/i);
  });

  test('a paused schedule starts no runs; unpaused, it does', async () => {
    const client = stack.env.client;
    await createSchedule(
      client,
      'every-second',
      await linuxConfig({ name: 'paused-linux' }),
      { every: ['1s'] },
      { paused: true, note: 'freeze', taskQueue: stack.taskQueue },
    );
    await sleep(4_000);
    const paused = await describeSchedule(client, 'every-second');
    assert.equal(paused.paused, true);
    assert.equal(paused.note, 'freeze');
    assert.deepEqual(paused.recentRuns, []);
    await client.schedule.getHandle('every-second').unpause('go');
    await until(
      () => describeSchedule(client, 'every-second'),
      (r) => r.recentRuns.length > 0,
    );
    await client.schedule.getHandle('every-second').pause('done');
    await client.schedule.getHandle('every-second').delete();
  });

  test('overlap SKIP: while a run is still going, due runs and triggers are skipped', async () => {
    const client = stack.env.client;
    // The approval gate keeps the first run going until we answer it; the schedule is due every 2 s.
    await createSchedule(
      client,
      'gated',
      await linuxConfig({ name: 'gated-linux', approval: { timeout: '5m' } }),
      { every: ['2s'] },
      { taskQueue: stack.taskQueue },
    );
    const first = await until(
      () => describeSchedule(client, 'gated'),
      (r) => r.recentRuns[0]?.status === 'RUNNING',
    );
    await triggerSchedule(client, 'gated');
    await sleep(5_000);
    const during = await describeSchedule(client, 'gated');
    assert.equal(during.recentRuns.length, 1, 'two or more due runs and a trigger were skipped');
    const runs = [];
    for await (const run of client.workflow.list({ query: `GoldenImagePipeline = 'gated-linux'` })) runs.push(run.workflowId);
    assert.deepEqual(runs, [first.recentRuns[0]!.workflowId]);

    await client.schedule.getHandle('gated').delete();
    const runId = first.recentRuns[0]!.workflowId;
    await waitForApprovalStage(runId);
    // The update validator refuses an over-long comment (a client other than the CLI could send one).
    await assert.rejects(approveRun(client, runId, { by: 'test', comment: 'x'.repeat(1001) }), (err: Error) =>
      /--comment: must be at most 1000 characters/.test((err.cause as Error | undefined)?.message ?? err.message),
    );
    await approveRun(client, runId, { by: 'test' });
    await client.workflow.getHandle(runId).result();
  });
});

async function waitForApprovalStage(workflowId: string): Promise<void> {
  const handle = stack.env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 120; i++) {
    const progress = await handle.query<{ stage: string }>('progress').catch(() => undefined);
    if (progress?.stage === 'approval') return;
    await sleep(250);
  }
  throw new Error('the run never reached the approval stage');
}

describe('golden-image validate', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(ROOT, 'client/bin.cjs'), ...args], { cwd: ROOT }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
    );

  test('every example config is valid', async () => {
    const examples = (await readdir(path.join(ROOT, 'examples'))).filter((file) => file.endsWith('.yaml'));
    assert.ok(examples.includes('multi-region.yaml'));
    for (const example of examples) {
      const { code, out } = await cli('validate', '-f', `examples/${example}`);
      assert.equal(code, 0, out);
      assert.match(out, /: valid (ami|appstream-update|appstream-builder) config for pipeline /);
    }
  });

  test('every problem is printed with its path, and the exit code is 2', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'golden-image-validate-'));
    const cases: [string, string, string[]][] = [
      ['no kind', 'name: x\n', ['kind: must be one of ami, appstream-update, appstream-builder (got null)']],
      ['unknown kind', 'kind: packer\n', ['kind: must be one of ami, appstream-update, appstream-builder (got "packer")']],
      ['not YAML', 'kind: ami\n  name: [x\n', [': ']],
      [
        'ami with several problems',
        'kind: ami\nname: web golden\ninstanceId: i-1\nrollout:\n  tags: { fleet: web }\n  concurrency: 0\nfastLaunch:\n  maxParallelLaunches: 2\nwaits:\n  image: { interval: soon }\n',
        [
          'name: must be 1-63 letters',
          'instanceId: must be an EC2 instance ID',
          'rollout.concurrency: must be >= 1',
          'fastLaunch.maxParallelLaunches: must be at least 6',
          'waits.image.interval: must be a duration',
        ],
      ],
      ['a typo', 'kind: ami\nname: web\ninstanceId: i-0123456789abcdef0\nnoreboot: true\n', ['Unrecognized key: "noreboot"']],
      [
        'appstream update with a bad name',
        'kind: appstream-update\nexistingImageName: base\nnewImageName: "bad name!"\n',
        ['newImageName: must be 1-101 letters'],
      ],
      ['appstream builder without an image', 'kind: appstream-builder\naction: create\nname: b1\n', ['imageName: create needs the image']],
      [
        'appstream builder with a bad instance type',
        'kind: appstream-builder\naction: create\nname: b1\nimageName: base\ninstanceType: m5.large\n',
        ['instanceType: must be an AppStream instance type'],
      ],
      [
        'retention keep 0',
        'kind: appstream-update\nexistingImageName: base\nnewImageName: "{{pipeline}}-{{run}}"\nretention: { keep: 0 }\n',
        ['retention.keep: must be >= 1'],
      ],
    ];
    for (const [label, yaml, expected] of cases) {
      const file = path.join(dir, `${label.replaceAll(' ', '-')}.yaml`);
      await writeFile(file, yaml);
      const { code, out } = await cli('validate', '-f', file);
      assert.equal(code, 2, `${label}: ${out}`);
      for (const problem of expected) assert.ok(out.includes(problem), `${label}: expected "${problem}" in:\n${out}`);
    }
  });
});

describe('golden-image schedule and approve: bad input exits 2 before anything connects', () => {
  // Nothing listens on port 1: a command that slipped past its checks would fail to connect (exit 1).
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(ROOT, 'client/bin.cjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
    );

  test('cron expressions: the forms Temporal takes pass, the rest say what is wrong', () => {
    for (const ok of [
      '0 3 * * *',
      '*/15 1-5 * JAN-MAR MON-FRI',
      '0 0 3 ? * SUN 2027',
      '30 0 3 1,15 * * 2026-2030',
      '@daily',
      '@every 12h',
      'CRON_TZ=Europe/Berlin 0 3 * * *',
    ]) {
      assert.equal(cronProblem(ok), undefined, ok);
    }
    assert.match(cronProblem('0 3 * *')!, /has 4 fields/);
    assert.match(cronProblem('61 3 * * *')!, /minute "61": values must be 0-59/);
    assert.match(cronProblem('0 3 * * FUNDAY')!, /day-of-week "FUNDAY"/);
    assert.match(cronProblem('0 3 */0 * *')!, /step/);
    assert.match(cronProblem('CRON_TZ=Mars/Olympus 0 3 * * *')!, /not a time zone/);
  });

  test('schedule create and update: a bad cron, a bad catch-up window, an AppStream name that never changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'golden-image-schedule-input-'));
    const fixed = path.join(dir, 'fixed.yaml');
    await writeFile(fixed, 'kind: appstream-update\nexistingImageName: base\nnewImageName: golden-appstream\n');
    const cases: [string, string[], RegExp][] = [
      [
        'cron with 4 fields',
        ['schedule', 'create', 's1', '-f', 'examples/linux-ami.yaml', '--cron', '0 3 * *'],
        /--cron "0 3 \* \*": has 4 fields/,
      ],
      [
        'cron out of range',
        ['schedule', 'create', 's1', '-f', 'examples/linux-ami.yaml', '--cron', '0 25 * * *'],
        /--cron "0 25 \* \* \*": hour "25": values must be 0-23/,
      ],
      ['cron on update', ['schedule', 'update', 's1', '--cron', 'every day'], /--cron "every day": has 2 fields/],
      [
        'catch-up window not a duration',
        ['schedule', 'create', 's1', '-f', 'examples/linux-ami.yaml', '--every', '1d', '--catchup-window', 'soon'],
        /--catchup-window soon: must be a duration/,
      ],
      ['catch-up window under 10 s', ['schedule', 'update', 's1', '--catchup-window', '1s'], /--catchup-window 1s: must be at least 10s/],
      [
        'fixed AppStream name on create',
        ['schedule', 'create', 's1', '-f', fixed, '--every', '7d'],
        /newImageName: "golden-appstream" is the same on every run/,
      ],
      [
        'fixed AppStream name on update',
        ['schedule', 'update', 's1', '-f', fixed],
        /newImageName: "golden-appstream" is the same on every run/,
      ],
      [
        'approval comment over 1000 characters',
        ['approve', 'some-run', '--comment', 'x'.repeat(1001)],
        /--comment: must be at most 1000 characters/,
      ],
      [
        'rejection reason over 1000 characters',
        ['reject', 'some-run', '--reason', 'x'.repeat(1001)],
        /--reason: must be at most 1000 characters/,
      ],
    ];
    for (const [label, args, message] of cases) {
      const { code, out } = await cli(...args);
      assert.equal(code, 2, `${label}: exit ${code}: ${out}`);
      assert.match(out, message, label);
    }
  });
});

describe('golden-image setup', () => {
  test('registers the search attributes on a fresh namespace, and changes nothing the second time', async () => {
    const connection = stack.env.client.connection;
    await connection.workflowService.registerNamespace({ namespace: 'setup-test', workflowExecutionRetentionPeriod: msToTs('1d') });
    const client = new Client({ connection, namespace: 'setup-test' });
    let first;
    for (let i = 0; ; i++) {
      try {
        first = await registerSearchAttributes(client, 'setup-test');
        break;
      } catch (err) {
        // A new namespace takes a moment to be known to every service.
        if (i > 40) throw err;
        await sleep(250);
      }
    }
    assert.deepEqual(first, { added: ['GoldenImagePipeline', 'GoldenImageStage', 'GoldenImageResources'], present: [] });
    assert.deepEqual(await registerSearchAttributes(client, 'setup-test'), {
      added: [],
      present: ['GoldenImagePipeline', 'GoldenImageStage', 'GoldenImageResources'],
    });
  });
});
