/**
 * What `golden-image report` reads from a run's history, on a history built event by event with the
 * SDK's own converters: several approval answers (an M-of-N policy's), `notify` activities that were
 * sent and that failed (the activity another branch adds), attempts per activity type, children, and
 * the stages as `GoldenImageStage` recorded them. The end-to-end run is in run-report.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { msNumberToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { renderMarkdown } from '../client/report/markdown';
import { readRunHistory } from '../client/report/run-history';
import type { RunReport } from '../client/report/run-report';
import { PIPELINE, STAGE } from '../contracts/search-attributes';

const converter = loadDataConverter();
const T0 = Date.parse('2026-11-30T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const payloads = (...values: unknown[]) => ({ payloads: values.map((v) => defaultPayloadConverter.toPayload(v)) });

/** An accepted update: its ID, the caller's identity, its name and its argument. */
const accepted = (updateId: string, identity: string, name: string, args: object) => ({
  workflowExecutionUpdateAcceptedEventAttributes: {
    acceptedRequest: { meta: { updateId, identity }, input: { name, args: payloads(args) } },
  },
});
const completed = (updateId: string, result: object) => ({
  workflowExecutionUpdateCompletedEventAttributes: { meta: { updateId }, outcome: { success: payloads(result) } },
});

async function history(): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const snsFailure = await encodeErrorToFailure(converter, ApplicationFailure.nonRetryable('Topic does not exist', 'NotFound'));
  // Event IDs are numbers here; history has Longs, which read the same as strings.
  const events: [number, object][] = [
    [
      0,
      {
        upsertWorkflowSearchAttributesEventAttributes: {
          searchAttributes: {
            indexedFields: encodeUnifiedSearchAttributes(undefined, [
              { key: PIPELINE, value: 'web' },
              { key: STAGE, value: 'resolve-source' },
            ]),
          },
        },
      },
    ],
    [
      1,
      {
        upsertWorkflowSearchAttributesEventAttributes: {
          searchAttributes: { indexedFields: encodeUnifiedSearchAttributes(undefined, [{ key: STAGE, value: 'create' }]) },
        },
      },
    ],
    [1, { activityTaskScheduledEventAttributes: { activityType: { name: 'createImage' } } }],
    [1, { activityTaskStartedEventAttributes: { scheduledEventId: 3, attempt: 3 } }],
    [2, { activityTaskCompletedEventAttributes: { scheduledEventId: 3 } }],
    [
      5,
      {
        upsertWorkflowSearchAttributesEventAttributes: {
          searchAttributes: { indexedFields: encodeUnifiedSearchAttributes(undefined, [{ key: STAGE, value: 'approval' }]) },
        },
      },
    ],
    [
      5,
      {
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'notify' },
          input: payloads({ event: 'approval-needed', key: 'wf/approval-needed' }),
        },
      },
    ],
    [5, { activityTaskStartedEventAttributes: { scheduledEventId: 7, attempt: 1 } }],
    [
      5,
      {
        activityTaskCompletedEventAttributes: {
          scheduledEventId: 7,
          result: payloads([
            { event: 'approval-needed', channel: 'webhook', target: 'https://hooks.example.com', delivered: true, attempts: 1 },
            {
              event: 'approval-needed',
              channel: 'sns',
              target: 'arn:aws:sns:us-east-1:123456789012:golden',
              delivered: false,
              attempts: 4,
              error: 'AuthorizationError',
            },
          ]),
        },
      },
    ],
    [6, accepted('u1', '4242@alice-laptop', 'approve', { by: 'alice', comment: 'looks good' })],
    [6, completed('u1', { approved: true, by: 'alice' })],
    [7, accepted('u2', 'ci@runner', 'approve', { by: 'bob' })],
    [7, completed('u2', { approved: true, by: 'bob' })],
    [7, accepted('u3', 'carol@desk', 'reject', { by: 'carol', reason: 'too late' })],
    [
      8,
      {
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'notify' },
          input: payloads({ event: 'completed', key: 'wf/completed' }),
        },
      },
    ],
    [8, { activityTaskStartedEventAttributes: { scheduledEventId: 15, attempt: 2 } }],
    [9, { activityTaskFailedEventAttributes: { scheduledEventId: 15, failure: snsFailure } }],
    [9, { startChildWorkflowExecutionInitiatedEventAttributes: { workflowType: { name: 'rootVolumeRollout' } } }],
  ];
  return events.map(
    ([s, event], i) =>
      ({ eventId: i + 1, eventTime: msNumberToTs(T0 + s * 1000), ...event }) as unknown as temporal.api.history.v1.IHistoryEvent,
  );
}

test('approvals, notifications, attempts, children and stages, read from a history', async () => {
  const facts = await readRunHistory(await history(), converter, { status: 'FAILED', closeTime: at(10) });
  assert.deepEqual(facts.approvals, [
    {
      at: at(6),
      stage: 'approval',
      update: 'approve',
      by: 'alice',
      identity: '4242@alice-laptop',
      text: 'looks good',
      outcome: 'approved',
    },
    { at: at(7), stage: 'approval', update: 'approve', by: 'bob', identity: 'ci@runner', text: undefined, outcome: 'approved' },
    { at: at(7), stage: 'approval', update: 'reject', by: 'carol', identity: 'carol@desk', text: 'too late', outcome: 'pending' },
  ]);
  assert.deepEqual(facts.notifications, [
    { at: at(5), event: 'approval-needed', channel: 'webhook (https://hooks.example.com)', outcome: 'sent' },
    {
      at: at(5),
      event: 'approval-needed',
      channel: 'sns (arn:aws:sns:us-east-1:123456789012:golden)',
      outcome: 'not sent after 4 attempts: AuthorizationError',
    },
    { at: at(8), event: 'completed', outcome: 'failed: Topic does not exist' },
  ]);
  assert.deepEqual(facts.activities, [
    { type: 'createImage', tasks: 1, attempts: 3, failed: 0 },
    { type: 'notify', tasks: 2, attempts: 3, failed: 1 },
  ]);
  assert.deepEqual(facts.children, [{ type: 'rootVolumeRollout', count: 1 }]);
  // The tracker's first upsert (pipeline and first stage, before anything ran) is not a stage starting.
  assert.deepEqual(facts.stages, [
    { stage: 'create', state: 'succeeded', startedAt: at(1), endedAt: at(5) },
    { stage: 'approval', state: 'failed', startedAt: at(5), endedAt: at(10) },
  ]);
});

test('the markdown lists each notification, and says "None sent." when there were none', async () => {
  const { stages, ...facts } = await readRunHistory(await history(), converter, { status: 'FAILED', closeTime: at(10) });
  const report: RunReport = {
    ...facts,
    workflowId: 'web-1',
    runId: 'r1',
    type: 'amiPipeline',
    pipeline: 'web',
    status: 'FAILED',
    taskQueue: 'golden-image',
    startTime: at(0),
    closeTime: at(10),
    stages,
    stagesFrom: 'history',
    images: [],
    instances: [],
    groups: [],
    published: [],
    retired: [],
    error: 'approval: rejected by carol: too late',
  };
  const markdown = renderMarkdown(report);
  assert.match(markdown, /\| 2026-11-30 10:00:05 UTC \| approval-needed \| webhook \(https:\/\/hooks.example.com\) \| sent \|/);
  assert.match(markdown, /\| 2026-11-30 10:00:08 UTC \| completed \| {2}\| failed: Topic does not exist \|/);
  assert.match(markdown, /\*\*Failure:\*\* approval: rejected by carol: too late/);
  assert.match(renderMarkdown({ ...report, notifications: [] }), /## Notifications\n\nNone sent\./);
});
