import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLineView, createTableView } from '../client/progress-view';
import { emptyRolloutSummary, moveInstances, type PipelineProgress } from '../contracts/progress';

const t0 = '2026-11-22T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(t0) + s * 1000).toISOString();

const snapshots: PipelineProgress[] = [
  {
    pipeline: 'web',
    stage: 'create',
    resources: [],
    stages: [
      { stage: 'create', state: 'running', startedAt: t0 },
      { stage: 'rollout', state: 'pending' },
    ],
  },
  {
    pipeline: 'web',
    stage: 'rollout',
    resources: ['ami-1'],
    stages: [
      { stage: 'create', state: 'succeeded', startedAt: t0, endedAt: at(2), detail: 'created ami-1' },
      { stage: 'rollout', state: 'running', startedAt: at(2) },
    ],
    instances: [
      { instanceId: 'i-1', state: 'running' },
      { instanceId: 'i-2', state: 'pending' },
    ],
  },
  {
    pipeline: 'web',
    stage: 'rollout',
    resources: ['ami-1'],
    stages: [
      { stage: 'create', state: 'succeeded', startedAt: t0, endedAt: at(2), detail: 'created ami-1' },
      { stage: 'rollout', state: 'succeeded', startedAt: at(2), endedAt: at(9) },
    ],
    instances: [
      { instanceId: 'i-1', state: 'succeeded', taskId: 'replacevol-1' },
      { instanceId: 'i-2', state: 'succeeded', taskId: 'replacevol-2' },
    ],
  },
];

describe('follow views', () => {
  test('piped: one plain line per change, instances inside their stage, repeats dropped', () => {
    const lines: string[] = [];
    const view = createLineView((line) => lines.push(line.replace(/\s+/g, ' ').trim()));
    for (const s of [snapshots[0]!, snapshots[0]!, snapshots[1]!, snapshots[2]!]) view(s);
    assert.deepEqual(
      lines.map((l) => l.replace(/ \d+\.\ds/, ' Ns')),
      [
        '▶ create running Ns',
        '✔ create succeeded Ns created ami-1',
        '▶ rollout running Ns',
        'i-1 running',
        'i-1 succeeded replacevol-1',
        'i-2 succeeded replacevol-2',
        '✔ rollout succeeded Ns',
      ],
    );
  });

  test('in a terminal: the table redraws in place, with no ANSI escapes in the first drawing', () => {
    const writes: string[] = [];
    const view = createTableView({ write: (chunk: string) => Boolean(writes.push(chunk)) } as never);
    view(snapshots[1]!);
    view(snapshots[2]!);
    assert.ok(!writes[0]!.includes('\x1b'), 'no escapes before anything was drawn');
    const firstHeight = writes[0]!.trimEnd().split('\n').length;
    assert.ok(writes[1]!.startsWith(`\x1b[${firstHeight}F\x1b[J`), 'moves up over the last drawing and clears it');
    assert.match(writes[1]!, /✔ rollout {10}succeeded {6}7\.0s/);
    assert.match(writes[1]!, /i-2 +succeeded +replacevol-2/);
    assert.match(writes[1]!, /resources: ami-1/);
  });

  test('a large rollout: its counts as they change, and by name only the instances running or failed', () => {
    const summary = emptyRolloutSummary(10_000);
    const rolling = (): PipelineProgress => ({
      ...snapshots[1]!,
      rollout: JSON.parse(JSON.stringify(summary)) as typeof summary,
      instances: [{ instanceId: 'i-9', state: 'running' }, ...summary.failed],
    });
    const lines: string[] = [];
    const view = createLineView((line) => lines.push(line.replace(/\s+/g, ' ').trim()));
    moveInstances(summary, 'pending', 'running', 50);
    view(rolling());
    view(rolling());
    moveInstances(summary, 'running', { instanceId: 'i-3', state: 'failed', detail: 'task failed' });
    moveInstances(summary, 'running', 'succeeded', 9);
    view(rolling());
    assert.deepEqual(lines.slice(2), [
      'instances: 9950 pending, 50 running of 10000',
      'i-9 running',
      'instances: 9950 pending, 40 running, 9 succeeded, 1 failed of 10000',
      'i-3 failed task failed',
    ]);
  });
});
