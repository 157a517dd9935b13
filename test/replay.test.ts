/**
 * Determinism guard: every committed history in test/histories/ must replay against today's workflow
 * code. A failure here means a change would break runs already in flight: gate it with patched().
 * Regenerate fixtures only on purpose: `npm run histories:record`.
 *
 * Each also replays on the traced bundle (worker/workflow-bundle.ts), as it would after a worker is
 * restarted with tracing on: switching tracing on must not break a run in flight, nor export the
 * spans of what a replay only repeats.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { Worker } from '@temporalio/worker';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { workflowBundle } from './support/temporal';

const HISTORIES = path.join(__dirname, 'histories');
const fixtures = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

describe('replay of committed histories', () => {
  test('there are fixtures to replay', () => {
    assert.ok(fixtures.length > 0, `no histories in ${HISTORIES}`);
  });
  test('every workflow type the worker registers has a fixture', () => {
    const index = readFileSync(path.join(__dirname, '..', 'workflows', 'index.ts'), 'utf8');
    const registered = [...index.matchAll(/export \{ (\w+) \}/g)].map((m) => m[1]);
    const recorded = new Set(
      fixtures.map(
        (file) =>
          JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name,
      ),
    );
    assert.ok(registered.length > 0);
    assert.deepEqual(
      registered.filter((type) => !recorded.has(type)),
      [],
      'workflow types without a committed history',
    );
  });
  for (const file of fixtures) {
    test(`replays ${file}`, async () => {
      const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, path.basename(file, '.json'));
    });
    test(`replays ${file} with tracing, exporting no span`, async () => {
      const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'));
      const spans = new InMemorySpanExporter();
      const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(spans), Resource.default()) };
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(true), sinks }, history, path.basename(file, '.json'));
      assert.deepEqual(spans.getFinishedSpans(), []);
    });
  }
});
