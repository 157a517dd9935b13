/**
 * Traces (contracts/tracing.ts): one trace per run, from the CLI's start through the workflow and its
 * activities to each AWS call. The `golden-image` CLI runs as its own process, as a user runs it, and
 * exports its StartWorkflow span over OTLP/HTTP to a receiver on loopback; the worker runs in this
 * process with the traced bundle and an in-memory exporter. The span tree they make together is
 * checked: the worker's spans continue the CLI's trace, a throttled CreateImage (sent through the rate
 * governor's lane) says so, and the image wait's polls link to the shared watcher's describes. Then the
 * production worker (lib/, `npm run build`) is given an OTLP endpoint and sends its spans there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Worker } from '@temporalio/worker';
import { createAwsClients } from '../activities/aws/clients';
import type { Tracing } from '../contracts/tracing';
import { startTracing } from '../contracts/tracing-provider';
import { createWorker, type GoldenImageWorker } from '../worker/create-worker';
import { startPipeline } from '../client/start-pipeline';
import { stopProcess } from '../dev/dev-server';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { REGION, TEST_CREDENTIALS } from './support/stack';
import { temporalForThisFile, workflowBundle } from './support/temporal';
import { spawnWorker } from './support/worker-process';

const ROOT = path.resolve(__dirname, '..');
const temporal = temporalForThisFile();

/** A span as the OTLP/HTTP JSON encoding carries it (IDs in hex), with its resource's service.name. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service?: string;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string };
}

/** An OTLP/HTTP trace receiver on loopback: what a collector would be given. */
async function startOtlpReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[]; paths: string[] }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        spans.push(...scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, service }))));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths };
}

const exporter = new InMemorySpanExporter();
const taskQueue = `golden-image-tracing-${process.pid}`;
let sandbox: OwnSandbox;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let tracing: Tracing;
let worker: GoldenImageWorker;
let running: Promise<void>;

/** The worker as `npm run worker` starts it with tracing on, but exporting to memory. */
async function startTracedWorker(): Promise<void> {
  [sandbox, receiver] = await Promise.all([startOwnSandbox(), startOtlpReceiver()]);
  tracing = startTracing('golden-image-worker', exporter);
  worker = await createWorker({
    connection: temporal().nativeConnection,
    clients: createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS, tracing: true }),
    taskQueue,
    workflowBundle: await workflowBundle(true),
    tracing,
  });
  running = worker.run();
}

/** Before the dev server stops (a file-level `after`, which runs after this test's). */
async function stopTracedWorker(): Promise<void> {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await tracing?.shutdown();
  await sandbox?.close();
  receiver?.server.close();
}

/** Each span under its parent, indented, with the attributes a reader looks for: the excerpt the README shows. */
function tree(spans: ReadableSpan[], root: string): string[] {
  const lines: string[] = [];
  const show = (span: ReadableSpan, depth: number) => {
    const a = span.attributes;
    const details = [
      a['cloud.region'] && `region=${a['cloud.region']}`,
      a['golden_image.aws.attempts'] !== undefined && `attempts=${a['golden_image.aws.attempts']}`,
      a['golden_image.aws.throttled'] !== undefined && `throttled=${a['golden_image.aws.throttled']}`,
      a['temporal.activity.attempt'] !== undefined && `attempt=${a['temporal.activity.attempt']}`,
      span.links.length > 0 && `links=${span.links.length}`,
    ].filter(Boolean);
    lines.push(`${'  '.repeat(depth)}${span.name}${details.length ? ` (${details.join(', ')})` : ''}`);
    for (const child of spans.filter((s) => s.parentSpanId === span.spanContext().spanId)) show(child, depth + 1);
  };
  for (const span of spans.filter((s) => s.parentSpanId === root)) show(span, 1);
  return lines;
}

test('one trace per run: the CLI starts it, the workflow, its activities and each AWS call join it', { timeout: 120_000 }, async (t) => {
  t.after(stopTracedWorker);
  await startTracedWorker();
  const [instanceId] = await sandbox.launchInstances('windows', 1);
  // AWS refuses the first CreateImage for its rate, as EC2 does (503 RequestLimitExceeded); the SDK tries again.
  await sandbox.admin.fault({ service: 'ec2', action: 'CreateImage', count: 1, error: { code: 'RequestLimitExceeded', status: 503 } });

  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal().address,
    GOLDEN_IMAGE_TASK_QUEUE: taskQueue,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  };
  const cli = ['--import', 'tsx', path.join(ROOT, 'client/cli.ts'), 'ami', 'run', '--instance', instanceId!, '--name', 'traced'];
  const { stdout } = await promisify(execFile)(process.execPath, [...cli, '--poll-interval', '200ms', '--json'], { cwd: ROOT, env });
  const { workflowId } = JSON.parse(stdout) as { workflowId: string };
  await temporal().client.workflow.getHandle(workflowId).result();

  // The CLI sent its span before it exited: the run's trace starts there.
  assert.ok(
    receiver.paths.every((p) => p.startsWith('POST /v1/traces application/json')),
    receiver.paths.join('; '),
  );
  const start = receiver.spans.find((s) => s.name === 'StartWorkflow:amiPipeline');
  assert.ok(start, `the CLI exported StartWorkflow over OTLP; it sent ${receiver.spans.map((s) => s.name).join(', ') || 'nothing'}`);
  assert.equal(start.service, 'golden-image-cli');

  // The workflow's spans leave the sandbox through the sink when the run's last task completes.
  let spans: ReadableSpan[] = [];
  for (let i = 0; i < 50 && !spans.some((s) => s.name === 'RunWorkflow:amiPipeline'); i++, await sleep(100))
    spans = exporter.getFinishedSpans();
  const named = (name: string) => spans.filter((s) => s.name === name);
  const only = (name: string) => {
    const found = named(name);
    assert.equal(found.length, 1, `one ${name} span, not ${found.length}`);
    return found[0]!;
  };
  const assertChild = (child: ReadableSpan, parent: { spanId: string }) =>
    assert.equal(child.parentSpanId, parent.spanId, `${child.name} is a child of its parent`);

  const runWorkflow = only('RunWorkflow:amiPipeline');
  assert.equal(runWorkflow.spanContext().traceId, start.traceId, 'the workflow continues the trace the CLI opened');
  assertChild(runWorkflow, start);
  const startCreate = only('StartActivity:createImage');
  assertChild(startCreate, runWorkflow.spanContext());
  // createImage is a mutating call: the rate governor sends it through its lane's worker, still in the trace.
  const runCreate = only('RunActivity:createImage');
  assertChild(runCreate, startCreate.spanContext());
  assert.equal(runCreate.attributes['temporal.activity.attempt'], 1);

  const createImage = named('EC2.CreateImage').find((s) => s.parentSpanId === runCreate.spanContext().spanId);
  assert.ok(createImage, 'the CreateImage call is a child of its activity');
  assert.deepEqual(
    {
      system: createImage.attributes['rpc.system'],
      service: createImage.attributes['rpc.service'],
      method: createImage.attributes['rpc.method'],
      region: createImage.attributes['cloud.region'],
      attempts: createImage.attributes['golden_image.aws.attempts'],
      throttled: createImage.attributes['golden_image.aws.throttled'],
      failed: createImage.events.map((e) => [e.name, e.attributes?.attempt, e.attributes?.['error.type'], e.attributes?.throttled]),
    },
    {
      system: 'aws-api',
      service: 'EC2',
      method: 'CreateImage',
      region: REGION,
      attempts: 2,
      throttled: true,
      failed: [['attempt failed', 1, 'RequestLimitExceeded', true]],
    },
  );

  // Everything but the shared watcher's beats is in the run's trace.
  const beats = named('watch beat');
  const beatIds = new Set(beats.map((b) => b.spanContext().traceId));
  const outside = spans.filter((s) => s.spanContext().traceId !== start.traceId && !beatIds.has(s.spanContext().traceId));
  assert.deepEqual(
    outside.map((s) => s.name),
    [],
    'no span of the run outside its trace',
  );
  const calls = spans.filter((s) => s.attributes['rpc.system'] === 'aws-api' && s.spanContext().traceId === start.traceId);
  assert.ok(calls.length >= 2, `the run's own AWS calls are in its trace: ${calls.map((c) => c.name).join(', ')}`);
  assert.ok(
    calls.every((c) => c.attributes['golden_image.aws.throttled'] === (c === createImage)),
    'only the CreateImage call was throttled',
  );

  // Each poll of the image wait links to the beat that answered it, whose describe is in the beat's own trace.
  const polls = named('RunActivity:waitForImageAvailable');
  assert.ok(polls.length >= 2, `the image wait polled more than once (${polls.length})`);
  for (const poll of polls) {
    assert.equal(poll.spanContext().traceId, start.traceId);
    assert.equal(poll.links.length, 1, 'a poll links to one beat');
    const beat = beats.find((b) => b.spanContext().spanId === poll.links[0]!.context.spanId);
    assert.ok(beat, 'the linked beat was exported');
    assert.notEqual(beat.spanContext().traceId, start.traceId, 'a beat is its own trace');
    const describe = spans.find((s) => s.parentSpanId === beat.spanContext().spanId);
    assert.equal(describe?.name, 'EC2.DescribeImages');
    assert.equal(describe?.attributes['golden_image.aws.throttled'], false);
  }
  assert.deepEqual(
    [...new Set(polls.map((p) => p.attributes['temporal.activity.attempt']))],
    polls.map((_, i) => i + 1),
    'each poll is an attempt of one activity',
  );

  t.diagnostic(['StartWorkflow:amiPipeline (the CLI, over OTLP)', ...tree(spans, start.spanId)].join('\n'));
  const beat = beats.find((b) => b.spanContext().spanId === polls[0]!.links[0]!.context.spanId)!;
  t.diagnostic([`${beat.name} (linked from the first poll)`, ...tree(spans, beat.spanContext().spanId)].join('\n'));

  // Its history replays on a worker without tracing, as after a restart with tracing off.
  const history = await temporal().client.workflow.getHandle(workflowId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(false) }, history, workflowId);
});

test("the production worker, given an OTLP endpoint, exports its runs' spans there", { timeout: 120_000 }, async (t) => {
  const [ownSandbox, ownReceiver] = await Promise.all([startOwnSandbox(), startOtlpReceiver()]);
  const queue = `${taskQueue}-process`;
  const child = spawnWorker({
    temporalAddress: temporal().address,
    sandboxUrl: ownSandbox.url,
    taskQueue: queue,
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ownReceiver.url}/v1/traces` },
  });
  t.after(async () => {
    await child.kill();
    await ownSandbox.close();
    ownReceiver.server.close();
  });
  const [instanceId] = await ownSandbox.launchInstances('windows', 1);
  // Started without tracing (the test's own client): the worker's RunWorkflow span opens the trace.
  const handle = await startPipeline(
    temporal().client,
    'ami',
    { name: 'traced-worker', instanceId, waits: { image: { interval: '200ms', timeout: '1m' } } },
    { taskQueue: queue },
  );
  await handle.result();
  // Asked to stop, the worker sends what its batch still holds before it exits.
  await stopProcess(child.child, 'SIGTERM');

  const run = ownReceiver.spans.find((s) => s.name === 'RunWorkflow:amiPipeline');
  assert.ok(
    run,
    `the worker exported RunWorkflow; it sent ${ownReceiver.spans.map((s) => s.name).join(', ') || 'nothing'}\n${child.output()}`,
  );
  assert.equal(run.service, 'golden-image-worker');
  assert.equal(run.parentSpanId ?? '', '', 'an untraced start leaves the worker to open the trace');
  const inRun = new Set(ownReceiver.spans.filter((s) => s.traceId === run.traceId).map((s) => s.name));
  for (const name of ['StartActivity:createImage', 'RunActivity:createImage', 'EC2.CreateImage', 'RunActivity:waitForImageAvailable']) {
    assert.ok(inRun.has(name), `${name} is in the run's trace`);
  }
  assert.ok(
    ownReceiver.spans.some((s) => s.name === 'EC2.DescribeImages' && s.traceId !== run.traceId),
    "the watcher's describes went out too",
  );
});
