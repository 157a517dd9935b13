/**
 * `golden-image report` of a multi-region run, end to end: an amiPipeline that copies its image to two
 * more Regions, waits for an approval and rolls out to two instances behind an approved canary, on a
 * real dev server and the sandbox; the report written by the CLI's own code path, in both formats; the
 * page opened in headless Chromium (Debian's, through playwright-core). A second run is rejected with
 * markup in its answer: it must show as text, run nothing and load nothing. The reports and the page's screenshot stay in test/.artifacts/ to look at;
 * `npm run screenshots` writes the screenshot to docs/screenshots/run-report.png instead, which the README shows.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { main } from '../client/cli';
import { approveRun, rejectRun } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import type { AmiPipelineConfig, AmiPipelineResult } from '../contracts/ami-pipeline';
import type { Request } from 'playwright-core';
import { launchChromium, type Browser } from './support/browser';
import { stageIs, waitForProgress } from './support/runs';
import { FAST_WAITS } from './support/scenarios';
import { freshSandbox, stackForThisFile } from './support/stack';

const ROOT = path.resolve(__dirname, '..');
const ARTIFACTS = path.join(ROOT, 'test/.artifacts');
const SCREENSHOTS = process.env.GOLDEN_IMAGE_RECORD_SCREENSHOTS ? path.join(ROOT, 'docs/screenshots') : ARTIFACTS;
const WORKFLOW_ID = 'web-golden-2026-11-30';
const REJECTED_ID = 'web-rejected-2026-11-30';
const COMMENT = 'smoke tests green, CIS benchmark 98%';
/** Markup in a rejection: it must read as text, run nothing and load nothing. */
const INJECTED_BY = 'mallory<img src="pwned.png" onerror="window.pwned = true">';
const INJECTED_REASON = '<script>window.pwned = true</script> CVE-2026-1234 **unpatched** | see ticket';

const stack = stackForThisFile();
let browser: Browser | undefined;
let result: AmiPipelineResult;
let fleet: string[];

/** The CLI as a user runs it, in this process, against the test's dev server. */
async function cli(...args: string[]): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  process.env.TEMPORAL_ADDRESS = stack.env.address;
  try {
    await main(['node', 'golden-image', ...args]);
    assert.equal(process.exitCode ?? 0, 0, `golden-image ${args.join(' ')} failed`);
  } finally {
    process.env.TEMPORAL_ADDRESS = address;
    if (address === undefined) delete process.env.TEMPORAL_ADDRESS;
    process.exitCode = undefined;
  }
}

// Inside a describe, so that the stack's own `before` (at the top level) has run first.
describe('golden-image report', () => {
  before(async () => {
    // Fail before the run when the browser is missing (CI installs it in .ci/run).
    browser = await launchChromium();
    await freshSandbox(stack);
    fleet = await stack.launchInstances('windows', 2, { fleet: 'web' });
    const start = (name: string, workflowId: string, config: Partial<AmiPipelineConfig>) =>
      startPipeline(
        stack.env.client,
        'ami',
        { name, instanceTags: { Name: 'win-build' }, waits: FAST_WAITS, approval: { timeout: '5m' }, ...config },
        { taskQueue: stack.taskQueue, workflowId },
      );
    const [handle, rejected] = await Promise.all([
      start('web-golden', WORKFLOW_ID, {
        distribution: { regions: [{ region: 'us-west-2' }, { region: 'eu-west-1' }] },
        rollout: { tags: { fleet: 'web' }, concurrency: 2, canary: { instances: 1, bakeTime: '1s', approval: true } },
      }),
      start('web-rejected', REJECTED_ID, {}),
    ]);
    await Promise.all([handle, rejected].map((h) => waitForProgress(h, stageIs('approval', 'running'))));
    await mkdir(ARTIFACTS, { recursive: true });
    // A report of the run while it waits for its approval.
    await cli('report', WORKFLOW_ID, '--format', 'markdown', '--out', path.join(ARTIFACTS, 'run-report-waiting.md'));
    await approveRun(stack.env.client, WORKFLOW_ID, { by: 'alice', comment: COMMENT });
    await rejectRun(stack.env.client, REJECTED_ID, { by: INJECTED_BY, reason: INJECTED_REASON });
    // The canary's gate is in the rollout workflow; `approve <run>` reaches it there.
    await waitForProgress(handle, (p) =>
      /waiting for approval of the canary/.test(p.stages.find((s) => s.stage === 'rollout')?.detail ?? ''),
    );
    await approveRun(stack.env.client, WORKFLOW_ID, { by: 'bob', comment: 'canary healthy' });
    result = (await handle.result()) as AmiPipelineResult;
    await rejected.result().catch(() => undefined);
    await Promise.all([mkdir(SCREENSHOTS, { recursive: true }), mkdir(ARTIFACTS, { recursive: true })]);
  });

  after(async () => {
    await browser?.close();
  });

  /** Writes a run's HTML report with the CLI and opens it in the browser, recording every request the page makes. */
  async function openReport(workflowId: string, name: string) {
    const file = path.join(ARTIFACTS, `${name}.html`);
    await cli('report', workflowId, '--out', file);
    const page = browser!.page;
    const requests: string[] = [];
    const record = (request: Request) => requests.push(request.url());
    page.on('request', record);
    const url = pathToFileURL(file).href;
    try {
      await page.goto(url);
    } finally {
      // A loaded page that asked for something later (an image, say) has asked by the time it has loaded.
      page.off('request', record);
    }
    return { page, requests, url };
  }

  const copyIn = (region: string) => result.copies!.find((c) => c.place.region === region)!.imageId;

  test('the HTML report of a multi-region run, in a browser: timeline, images per Region, rollout, approval, nothing loaded, nothing run', async () => {
    const { page, requests, url } = await openReport(WORKFLOW_ID, 'run-report');
    try {
      assert.equal(await page.title(), 'web-golden · completed · golden-image run report');
      const header = await page.locator('header').innerText();
      for (const text of ['amiPipeline', WORKFLOW_ID, 'COMPLETED', 'web-golden']) assert.ok(header.includes(text), `header shows ${text}`);

      // Every stage that ran is a bar on the timeline, in order.
      const onTimeline = await page.locator('svg.timeline text.stage').allTextContents();
      assert.deepEqual(onTimeline, ['create', 'wait-available', 'distribute', 'approval', 'rollout']);
      assert.equal(await page.locator('svg.timeline rect').count(), 5);

      // The original in the build Region and a copy in each other Region.
      const images = await page.locator('#images tbody tr').allInnerTexts();
      assert.deepEqual(
        images.map((row) => row.split('\t').slice(0, 2)),
        [
          ['the build Region', result.imageId],
          ['us-west-2', copyIn('us-west-2')],
          ['eu-west-1', copyIn('eu-west-1')],
        ],
      );

      const rollout = await page.locator('#rollout').innerText();
      assert.match(rollout, /Instances: 2 succeeded of 2\./);
      for (const id of fleet) assert.match(rollout, new RegExp(`${id}\\s+succeeded\\s+replacevol-\\w+\\s+${result.imageId}`));

      // Both answers, the pipeline's gate and its rollout's canary: by whom, and through which client.
      const approvals = (await page.locator('#approvals tbody tr').allInnerTexts()).map((row) => row.split('\t'));
      assert.deepEqual(
        approvals.map(([, stage, update, by, , text, outcome]) => [stage, update, by, text, outcome]),
        [
          ['approval', 'approve', 'alice', COMMENT, 'approved'],
          ['rollout', 'approve', 'bob', 'canary healthy', 'approved'],
        ],
      );
      for (const [when, , , , identity] of approvals) {
        assert.match(when!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
        assert.match(identity!, /^\d+@/, 'the client identity that answered (pid@host)');
      }

      assert.match(await page.locator('#notifications').innerText(), /None sent\./);
      const activities = await page.locator('#activities tbody tr').allInnerTexts();
      const copies = activities.map((row) => row.split('\t')).find(([type]) => type === 'copyImage');
      assert.deepEqual(copies?.slice(1, 2), ['2'], 'one copyImage task per copy');
      assert.match(await page.locator('#activities').innerText(), /Child workflows: 1 rootVolumeRollout/);

      // The page is the only thing it loads.
      assert.deepEqual(requests, [url]);
      assert.deepEqual(browser!.offLoopbackRequests, []);
    } finally {
      await page.screenshot({ path: path.join(SCREENSHOTS, 'run-report.png'), fullPage: true });
    }
  });

  test('the report of a rejected run shows the markup in the answer as text: nothing runs, nothing loads', async () => {
    const { page, requests, url } = await openReport(REJECTED_ID, 'run-report-rejected');
    try {
      assert.match(await page.locator('header').innerText(), /FAILED/);
      assert.equal(await page.locator('header .failure').innerText(), `approval: rejected by ${INJECTED_BY}: ${INJECTED_REASON}`);
      const [approval] = await page.locator('#approvals tbody tr').allInnerTexts();
      const [, , update, by, , reason, outcome] = approval!.split('\t');
      assert.deepEqual([update, by, reason, outcome], ['reject', INJECTED_BY, INJECTED_REASON, 'rejected']);
      const approvalStage = await page.locator('#stages tbody tr').filter({ hasText: 'approval' }).innerText();
      assert.match(approvalStage, /^approval\tfailed\t/);
      assert.equal(await page.locator('script, img').count(), 0);
      assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
      assert.deepEqual(requests, [url], 'the page, and not pwned.png');
    } finally {
      await page.screenshot({ path: path.join(ARTIFACTS, 'run-report-rejected.png'), fullPage: true });
    }
  });

  /** The rows of the markdown table under `## title` (with '', the header's), each a list of cells. */
  function markdownRows(markdown: string, title: string): string[][] {
    // The header table is under the `#` title, before any section.
    const sections = markdown.split(/^## /m);
    const section = title ? sections.find((s) => s.startsWith(`${title}\n`)) : sections[0];
    if (!section) assert.fail(`no section ${title}`);
    const lines = section.split('\n').filter((line) => line.startsWith('|'));
    return lines.slice(2).map((line) =>
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((cell) => cell.trim()),
    );
  }

  test('the markdown report holds the same tables, with markup escaped', async () => {
    const file = path.join(ARTIFACTS, 'run-report.md');
    await cli('report', WORKFLOW_ID, '--format', 'markdown', '--out', file);
    const markdown = await readFile(file, 'utf8');
    assert.match(markdown, /^# Run report: web-golden\n/);
    const stages = markdownRows(markdown, 'Stages');
    assert.deepEqual(
      stages.map(([stage, state]) => [stage, state]),
      ['create', 'wait-available', 'distribute', 'approval', 'rollout'].map((s) => [s, 'succeeded']),
    );
    assert.deepEqual(
      markdownRows(markdown, 'Images by Region').map(([region, id]) => [region, id]),
      [
        ['the build Region', result.imageId],
        ['us-west-2', copyIn('us-west-2')],
        ['eu-west-1', copyIn('eu-west-1')],
      ],
    );
    assert.deepEqual(
      markdownRows(markdown, 'Rollout').map(([id, state]) => [id, state]),
      fleet.map((id) => [id, 'succeeded']),
    );
    assert.deepEqual(
      markdownRows(markdown, 'Approvals').map(([, stage, update, by, , text, outcome]) => [stage, update, by, text, outcome]),
      [
        ['approval', 'approve', 'alice', COMMENT, 'approved'],
        ['rollout', 'approve', 'bob', 'canary healthy', 'approved'],
      ],
    );
    assert.match(markdown, /## Notifications\n\nNone sent\./);
    const activity = markdownRows(markdown, 'AWS work per action').find(([type]) => type === 'copyImage');
    assert.deepEqual(activity?.slice(1, 2), ['2']);

    // The rejection's markup, emphasis and pipe are escaped: the cell reads as it was written, in one cell.
    const rejectedFile = path.join(ARTIFACTS, 'run-report-rejected.md');
    await cli('report', REJECTED_ID, '--format', 'markdown', '--out', rejectedFile);
    const rejected = await readFile(rejectedFile, 'utf8');
    const [rejection] = markdownRows(rejected, 'Approvals');
    assert.deepEqual(rejection?.slice(1), [
      'approval',
      'reject',
      'mallory&lt;img src="pwned.png" onerror="window.pwned = true"&gt;',
      rejection![4]!,
      '&lt;script&gt;window.pwned = true&lt;/script&gt; CVE-2026-1234 \\*\\*unpatched\\*\\* \\| see ticket',
      'rejected',
    ]);
    assert.ok(!/<script|<img/.test(rejected), 'no raw markup');
  });

  test('a report of a run still going: where it is, and no images yet', async () => {
    const markdown = await readFile(path.join(ARTIFACTS, 'run-report-waiting.md'), 'utf8');
    const header = Object.fromEntries(markdownRows(markdown, '').map(([field, value]) => [field, value]));
    assert.equal(header.Status, 'RUNNING');
    assert.equal(header.Ended, 'still running');
    const stages = markdownRows(markdown, 'Stages');
    assert.deepEqual(
      stages.map(([stage, state]) => [stage, state]),
      [
        ['create', 'succeeded'],
        ['wait-available', 'succeeded'],
        ['distribute', 'succeeded'],
        ['approval', 'running'],
        ['rollout', 'pending'],
      ],
    );
    assert.match(markdown, /## Images by Region\n\nThe run has not finished: its images are listed once it has\./);
  });

  test('a format it does not know is a usage error (exit 2)', async () => {
    await main(['node', 'golden-image', 'report', WORKFLOW_ID, '--format', 'pdf']);
    assert.equal(process.exitCode, 2);
    process.exitCode = undefined;
  });

  // Last: it stops the worker.
  test('with no worker to answer the progress query, the stages come from the history', async () => {
    await stack.stopWorker();
    const file = path.join(ARTIFACTS, 'run-report-no-worker.md');
    await cli('report', WORKFLOW_ID, '--format', 'markdown', '--out', file);
    const markdown = await readFile(file, 'utf8');
    assert.match(markdown, /No worker answered the run’s progress query/);
    const stages = markdownRows(markdown, 'Stages');
    assert.deepEqual(
      stages.map(([stage, state]) => [stage, state]),
      ['create', 'wait-available', 'distribute', 'approval', 'rollout'].map((s) => [s, 'succeeded']),
    );
    assert.ok(
      stages.every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/.test(row[3]!)),
      'every stage has an end',
    );
    assert.deepEqual(markdownRows(markdown, 'Images by Region').length, 3);
  });
});
