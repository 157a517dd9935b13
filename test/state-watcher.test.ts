/** The shared watcher's batching, on a describe function that records what it was asked. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { inChunks, ResourceWatch, type BatchDescribe } from '../activities/state-watcher';

function recorder(states: Record<string, string>) {
  const calls: string[][] = [];
  const describeFn: BatchDescribe<string> = async (ids) => {
    calls.push([...ids].sort());
    await sleep(5);
    return new Map(ids.filter((id) => id in states).map((id) => [id, states[id]!]));
  };
  return { calls, describeFn };
}

const quick = { coalesceMs: 20, minGapMs: 200, refreshTimeoutMs: 300 };

describe('ResourceWatch', () => {
  test('waits arriving together share one describe, and each gets its own answer', async () => {
    const { calls, describeFn } = recorder({ a: 'pending', b: 'available', c: 'failed' });
    const watch = new ResourceWatch(describeFn, 'shared', quick);
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'a'].map((id) => watch.observe(id)));
    assert.deepEqual(answers, ['pending', 'available', 'failed', undefined, 'pending']);
    assert.deepEqual(calls, [['a', 'b', 'c', 'd']]);
  });

  test('every answer comes from a describe made after the wait asked: no stale state', async () => {
    const states: Record<string, string> = { b1: 'STOPPED' };
    const { calls, describeFn } = recorder(states);
    const watch = new ResourceWatch(describeFn, 'shared', quick);
    assert.equal(await watch.observe('b1'), 'STOPPED');
    delete states.b1; // deleted, then asked about again at once
    assert.equal(await watch.observe('b1'), undefined);
    assert.equal(calls.length, 2);
  });

  test('refreshes of one kind are at least minGap apart, however many waits come', async () => {
    const { calls, describeFn } = recorder({});
    const watch = new ResourceWatch(describeFn, 'shared', quick);
    const started = Date.now();
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 50 }, (_, i) => watch.observe(`i-${round}-${i}`)));
    assert.equal(calls.length, 3);
    assert.ok(Date.now() - started >= 2 * quick.minGapMs, 'three refreshes span at least two gaps');
  });

  test('with no one waiting, nothing is described', async () => {
    const { calls, describeFn } = recorder({ a: 'x' });
    const watch = new ResourceWatch(describeFn, 'shared', quick);
    await watch.observe('a');
    await sleep(500);
    assert.equal(calls.length, 1);
  });

  test('a failed describe fails that round\'s waits, and the next round works', async () => {
    let fail = true;
    const watch = new ResourceWatch<string>(async (ids) => {
      if (fail) throw Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
      return new Map(ids.map((id) => [id, 'ok']));
    }, 'shared', quick);
    await assert.rejects(Promise.all([watch.observe('a'), watch.observe('b')]), /Request limit exceeded/);
    fail = false;
    assert.equal(await watch.observe('a'), 'ok');
  });

  test('a describe that never answers fails its round, and the next round still runs', async () => {
    let hang = true;
    const watch = new ResourceWatch<string>(async (ids) => {
      if (hang) return new Promise(() => {});
      return new Map(ids.map((id) => [id, 'ok']));
    }, 'shared', quick);
    await assert.rejects(watch.observe('a'), /describe gave no answer within 300 ms/);
    hang = false;
    assert.equal(await watch.observe('a'), 'ok');
  });

  test('per-run mode describes every wait on its own (the baseline)', async () => {
    const { calls, describeFn } = recorder({ a: 'x', b: 'y' });
    const watch = new ResourceWatch(describeFn, 'per-run', quick);
    await Promise.all(['a', 'b', 'a'].map((id) => watch.observe(id)));
    assert.deepEqual(calls, [['a'], ['b'], ['a']]);
  });

  test('inChunks splits IDs to fit a request limit and merges the answers', async () => {
    const { calls, describeFn } = recorder({ a: '1', b: '2', c: '3', d: '4', e: '5' });
    const result = await inChunks(['a', 'b', 'c', 'd', 'e'], 2, describeFn);
    assert.deepEqual(calls, [['a', 'b'], ['c', 'd'], ['e']]);
    assert.equal(result.size, 5);
  });
});
