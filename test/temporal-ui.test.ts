/**
 * The Temporal UI, verified in a real browser: an AMI pipeline run and a scheduled run on a dev server
 * with its Web UI, looked at in headless Chromium (Debian's package, driven by playwright-core).
 * Screenshots go to test/.artifacts/; `npm run screenshots` writes them to docs/screenshots/ instead,
 * on purpose only (the README shows run-page.png), so a test run never changes tracked files.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createAwsClients } from '../activities/aws/clients';
import { readPipelineFile, type PipelineFile } from '../client/config-file';
import { createSchedule, describeSchedule, triggerSchedule } from '../client/schedules';
import { startPipeline } from '../client/start-pipeline';
import { createSandbox, type RunningSandbox } from '@golden-image/aws-sandbox';
import { createWorker, type GoldenImageWorker } from '../worker/create-worker';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { freePorts } from '../dev/free-port';
import { launchInstances } from '../dev/launch-instances';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import type { Frame, Page } from 'playwright-core';
import { launchChromium, type Browser } from './support/browser';
import { REGION, TEST_CREDENTIALS } from './support/stack';
import { workflowBundle } from './support/temporal';

const ROOT = path.resolve(__dirname, '..');
const SCREENSHOTS = path.join(ROOT, process.env.GOLDEN_IMAGE_RECORD_SCREENSHOTS ? 'docs/screenshots' : 'test/.artifacts');
const SCHEDULE_ID = 'hourly-linux';
const UI_TIMEOUT = 30_000;

let tmp: string;
let server: DevServer | undefined;
let sandbox: RunningSandbox | undefined;
let connection: NativeConnection | undefined;
let clientConnection: Connection | undefined;
let worker: GoldenImageWorker | undefined;
let workerRunning: Promise<void> | undefined;
let browser: Browser | undefined;
let client: Client;
let amiRun: WorkflowHandle;
let amiRunId: string;
let amiResult: AmiPipelineResult;
let scheduledRunId: string;

/** The linux example, made quick for tests and with a name of its own. */
async function linuxConfig(name: string): Promise<PipelineFile> {
  const file = await readPipelineFile(path.join(ROOT, 'examples/linux-ami.yaml'));
  return { kind: file.kind, config: { ...file.config, name, waits: { image: { interval: '100ms', timeout: '2m' } } } };
}

before(async () => {
  // Fail before starting anything when the browser is missing (CI installs it in .ci/run).
  browser = await launchChromium();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  tmp = await mkdtemp(path.join(tmpdir(), 'golden-image-ui-'));
  // The issue says http://127.0.0.1:8233; tests never take 7233/8233 (they run beside `npm start`
  // and each other), so the dev server and its UI get free loopback ports.
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  [server, sandbox] = await Promise.all([
    startDevServer({ port, uiPort, dbFile: path.join(tmp, 'temporal.db'), logFile: path.join(tmp, 'temporal.log') }),
    createSandbox({ port: 0, config: { profile: 'test' } }),
  ]);
  const clients = createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS, requestTimeoutMs: 5_000 });
  const taskQueue = `golden-image-ui-${process.pid}`;
  connection = await NativeConnection.connect({ address: server.address });
  worker = await createWorker({ connection, clients, taskQueue, workflowBundle: await workflowBundle() });
  workerRunning = worker.run();
  clientConnection = await Connection.connect({ address: server.address });
  client = new Client({ connection: clientConnection });

  await launchInstances(clients.ec2, 'linux', 1, { Name: 'linux-build' });

  const ami = await linuxConfig('linux-golden');
  amiRun = await startPipeline(client, 'ami', ami.config, { taskQueue });
  amiResult = (await amiRun.result()) as AmiPipelineResult;
  amiRunId = (await amiRun.describe()).runId;

  await createSchedule(client, SCHEDULE_ID, await linuxConfig('linux-scheduled'), { every: ['1h'] }, { taskQueue });
  await triggerSchedule(client, SCHEDULE_ID);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [recent] = (await describeSchedule(client, SCHEDULE_ID)).recentRuns;
    if (recent?.status === 'COMPLETED') {
      scheduledRunId = recent.workflowId;
      break;
    }
    if (Date.now() > deadline) throw new Error(`the scheduled run did not complete: ${JSON.stringify(recent)}`);
    await sleep(200);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRunning;
  await connection?.close();
  await clientConnection?.close();
  await sandbox?.close();
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The page's text, plus the text of its frames: the UI renders markdown (summary, details) in iframes. */
async function visibleText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText()
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

/** Waits until the page, frames included, shows text matching every pattern. */
async function waitForText(page: Page, patterns: RegExp[], timeoutMs = UI_TIMEOUT): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await visibleText(page);
    const missing = patterns.filter((p) => !p.test(text));
    if (!missing.length) return text;
    if (Date.now() > deadline) throw new Error(`${page.url()} does not show ${missing.join(', ')}; it shows:\n${text.slice(0, 4_000)}`);
    await sleep(250);
  }
}

/** The frame (the UI renders markdown in iframes) that shows text matching `pattern`, once it is visible. */
async function frameShowing(page: Page, pattern: RegExp, timeoutMs = UI_TIMEOUT): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const text = await frame
        .locator('body')
        .innerText()
        .catch(() => '');
      if (pattern.test(text) && (await (await frame.frameElement()).isVisible())) return frame;
    }
    if (Date.now() > deadline)
      throw new Error(`no frame on ${page.url()} shows ${pattern}; the page shows:\n${(await visibleText(page)).slice(0, 4_000)}`);
    await sleep(250);
  }
}

/** The title of the panel a frame sits in: the first line of the nearest enclosing element with text. */
async function panelTitleOf(frame: Frame): Promise<string> {
  return (await frame.frameElement()).evaluate((element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const text = node.innerText.trim();
      if (text) return text.split('\n')[0]!.trim();
    }
    return '';
  });
}

const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/**
 * Each step leaves a screenshot: in SCREENSHOTS when it passes, and in test/.artifacts/ when it fails,
 * to see what the UI showed instead.
 */
async function step(name: string, check: (page: Page) => Promise<void>): Promise<void> {
  const page = browser!.page;
  try {
    await check(page);
  } catch (err) {
    await mkdir(path.join(ROOT, 'test/.artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test/.artifacts', `temporal-ui-${name}.png`) }).catch(() => {});
    throw err;
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

test('the workflow list shows the AMI run and the scheduled run', async () => {
  await step('workflow-list', async (page) => {
    await page.goto(`${server!.uiUrl}/namespaces/default/workflows`);
    for (const workflowId of [amiRun.workflowId, scheduledRunId]) {
      const row = page.getByRole('row').filter({ hasText: workflowId });
      await row.waitFor({ timeout: UI_TIMEOUT });
      const text = await row.innerText();
      assert.match(text, /Completed/, text);
      assert.match(text, /amiPipeline/, text);
    }
  });
});

test('the AMI run page shows the summary, the current-details stage table and the search attributes', async () => {
  await step('run-page', async (page) => {
    // From the list, as a user would go.
    await page.goto(`${server!.uiUrl}/namespaces/default/workflows`);
    await page.getByRole('link', { name: amiRun.workflowId }).click();
    await page.waitForURL(`**/workflows/${amiRun.workflowId}/${amiRunId}/**`);
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.getByText('Current Details', { exact: true }).waitFor();
    const summary = await frameShowing(page, /AMI pipeline linux-golden: image from Name=linux-build/);
    assert.equal(await panelTitleOf(summary), 'Summary');
    const details = await frameShowing(page, /wait-available\s+✔ succeeded/);
    assert.equal(await panelTitleOf(details), 'Current Details');
    const table = await details.locator('body').innerText();
    assert.match(table, /stage\s+state\s+started\s+ended\s+detail/);
    assert.match(table, /^create\s+✔ succeeded/m);
    assert.match(table, literal(`created ${amiResult.imageId}`));
    assert.match(
      table,
      /– resolve-source, launch-build, provision, test, distribute, fast-launch, approval, publish, rollout, retention: not configured/,
    );
    // Beside them, the activities with their summaries.
    await waitForText(page, [literal(`wait until ${amiResult.imageId} is available`)]);
  });
  await step('run-search-attributes', async (page) => {
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    await waitForText(page, [
      /"GoldenImagePipeline": "linux-golden"/,
      /"GoldenImageStage": "wait-available"/,
      new RegExp(`"GoldenImageResources": \\[\\s*"${amiResult.imageId}"\\s*\\]`),
    ]);
  });
});

test('the schedules page lists the schedule, and its page shows the triggered run', async () => {
  await step('schedule-list', async (page) => {
    await page.goto(`${server!.uiUrl}/namespaces/default/schedules`);
    const row = page.getByRole('row').filter({ hasText: SCHEDULE_ID });
    await row.waitFor({ timeout: UI_TIMEOUT });
    const text = await row.innerText();
    assert.match(text, /amiPipeline/, text);
    assert.match(text, /"interval": "3600s"/, text);
  });
  await step('schedule', async (page) => {
    await page.getByRole('link', { name: SCHEDULE_ID }).click();
    await page.waitForURL(`**/schedules/${SCHEDULE_ID}`);
    await waitForText(page, [/Recent Runs/, literal(scheduledRunId), /Upcoming Runs/, /"name": "linux-scheduled"/]);
  });
  assert.deepEqual(browser!.offLoopbackRequests, [], 'the UI asked for nothing beyond loopback');
});
