/** The shared watcher's beats, on a describe function that records what it was asked and when. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { inChunks, ResourceWatch, type BatchDescribe, type PollAttempt } from '../activities/aws/state-watcher';

function recorder(states: Record<string, string>) {
  const calls: string[][] = [];
  const at: number[] = [];
  const describeFn: BatchDescribe<string> = async (ids) => {
    calls.push([...ids].sort());
    at.push(Date.now());
    await sleep(5);
    return new Map(ids.filter((id) => id in states).map((id) => [id, states[id]!]));
  };
  return { calls, at, describeFn };
}

const settings = { slackMs: 20, refreshTimeoutMs: 300 };
const INTERVAL = 200;
const first: PollAttempt = { intervalMs: INTERVAL, first: true };
const again: PollAttempt = { intervalMs: INTERVAL, first: false };

describe('ResourceWatch', () => {
  test('waits arriving together share one describe, and each gets its own answer', async () => {
    const { calls, describeFn } = recorder({ a: 'pending', b: 'available', c: 'failed' });
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'a'].map((id) => watch.observe(id, first)));
    assert.deepEqual(answers, ['pending', 'available', 'failed', undefined, 'pending']);
    assert.deepEqual(calls, [['a', 'b', 'c', 'd']]);
  });

  test('a first attempt gets a describe that started after it asked: no state from before its action', async () => {
    const states: Record<string, string> = { b1: 'STOPPED' };
    const { calls, describeFn } = recorder(states);
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    assert.equal(await watch.observe('b1', first), 'STOPPED');
    delete states.b1; // deleted, then a new wait asks about it at once
    assert.equal(await watch.observe('b1', first), undefined);
    assert.equal(calls.length, 2);
  });

  test('beats of one interval are at least one interval apart, however many waits come', async () => {
    const { calls, at, describeFn } = recorder({});
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    for (let round = 0; round < 3; round++)
      await Promise.all(Array.from({ length: 50 }, (_, i) => watch.observe(`i-${round}-${i}`, first)));
    assert.equal(calls.length, 3);
    assert.ok(at[1]! - at[0]! >= INTERVAL && at[2]! - at[1]! >= INTERVAL, `beats at ${at.map((t) => t - at[0]!)} ms`);
    // Each beat also describes the IDs asked about in the last two intervals, so waits coming back find them in it.
    assert.equal(calls[1]!.length, 100);
  });

  test('waits coming back a moment after a beat started take its answer: one describe per interval for all', async () => {
    const states: Record<string, string> = { a: 'pending', b: 'pending' };
    const { calls, describeFn } = recorder(states);
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    await Promise.all([watch.observe('a', first), watch.observe('b', first)]);
    states.a = states.b = 'available';
    await sleep(INTERVAL);
    const backFirst = watch.observe('a', again);
    await sleep(40); // b's retry comes back later, after the beat a's retry started
    assert.deepEqual(await Promise.all([backFirst, watch.observe('b', again)]), ['available', 'available']);
    assert.equal(calls.length, 2);
  });

  test('a wait coming back after half an interval or more gets the next beat, not an old answer', async () => {
    const states: Record<string, string> = { a: 'pending' };
    const { calls, describeFn } = recorder(states);
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    await watch.observe('a', first);
    await sleep(INTERVAL * 0.6);
    states.a = 'available';
    assert.equal(await watch.observe('a', again), 'available');
    assert.equal(calls.length, 2);
  });

  test('a wait whose first attempt waited long for its beat is still in the beats after it', async () => {
    const { calls, describeFn } = recorder({ a: 'pending', x: 'pending' });
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    await watch.observe('x', first); // beat 1
    await watch.observe('a', first); // waits almost an interval for beat 2
    await sleep(INTERVAL);
    const beat3 = watch.observe('x', again); // starts beat 3, more than two intervals after a asked
    await sleep(settings.slackMs + 10);
    const asked = Date.now();
    assert.equal(await watch.observe('a', again), 'pending');
    assert.ok(Date.now() - asked < INTERVAL / 2, 'a took beat 3 rather than waiting for beat 4');
    await beat3;
    assert.equal(calls.length, 3);
  });

  test('with no one asking nothing is described, and an ID no one asked about for two intervals is dropped', async () => {
    const { calls, describeFn } = recorder({ a: 'x' });
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    await watch.observe('a', first);
    await sleep(INTERVAL * 2.5);
    assert.equal(calls.length, 1);
    await watch.observe('b', first);
    assert.deepEqual(calls[1], ['b']);
  });

  test('two workers: a wait answered by one comes back to the other and finds its beat there within the slack', async () => {
    // Attempts land on whichever worker polls. Each worker has its own watcher; if their beats kept
    // phases of their own, a wait hopping between them would wait up to a whole interval more.
    const { describeFn } = recorder({ a: 'pending', other: 'pending' });
    const one = new ResourceWatch(describeFn, 'shared', settings);
    const two = new ResourceWatch(describeFn, 'shared', settings);
    // Each wait comes back one interval after its answer, as its retry policy brings it.
    const poll = async (watch: ResourceWatch<string>, id: string, attempt: PollAttempt) => {
      await watch.observe(id, attempt);
      await sleep(INTERVAL);
    };
    const started = poll(one, 'a', first);
    // The second worker's watcher starts half an interval later, with a wait of its own that keeps polling there.
    await sleep(INTERVAL / 2);
    const other = (async () => {
      await poll(two, 'other', first);
      for (let i = 0; i < 3; i++) await poll(two, 'other', again);
    })();
    await started;
    await poll(one, 'a', again);
    // Its next attempt lands on the second worker.
    const asked = Date.now();
    await two.observe('a', again);
    const waited = Date.now() - asked;
    await other;
    assert.ok(waited <= settings.slackMs + 15, `the hop waited ${waited} ms for a beat (slack ${settings.slackMs} ms)`);
  });

  test('two workers: a wait that comes back to the other a moment after its beat started gets a catch-up describe, not the next beat', async () => {
    const { calls, describeFn } = recorder({ a: 'pending', other: 'pending' });
    const one = new ResourceWatch(describeFn, 'shared', settings);
    const two = new ResourceWatch(describeFn, 'shared', settings);
    // Both workers beat on the same ticks, each with a wait of its own.
    await Promise.all([one.observe('a', first), two.observe('other', first)]);
    await sleep(INTERVAL);
    await two.observe('other', again);
    // A's attempt lands on the second worker just after that worker's beat started, which did not describe it.
    const asked = Date.now();
    assert.equal(await two.observe('a', again), 'pending');
    const waited = Date.now() - asked;
    assert.ok(waited <= settings.slackMs + 15, `waited ${waited} ms (slack ${settings.slackMs} ms, interval ${INTERVAL} ms)`);
    assert.deepEqual(calls.at(-1), ['a'], 'the catch-up describes only what the beat missed');
  });

  test('a beat that starts late (a busy event loop) does not push the next one a whole period on', async () => {
    const { at, describeFn } = recorder({ a: 'pending' });
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    await watch.observe('a', first);
    await sleep(INTERVAL);
    // The event loop is busy across the next beat's time: its timer fires late, by more than the slack.
    const pending = watch.observe('a', again);
    const period = INTERVAL + settings.slackMs;
    // Beats fall on the multiples of the period since the epoch: stay busy until well past the next one.
    const busyUntil = Math.ceil(Date.now() / period) * period + 3 * settings.slackMs;
    while (Date.now() < busyUntil);
    await pending;
    await sleep(INTERVAL);
    await watch.observe('a', again);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    assert.ok(gaps.at(-1)! < period + INTERVAL / 2, `beats ${gaps.join(', ')} ms apart (period ${period} ms)`);
  });

  test('each poll interval has its own beat', async () => {
    const { calls, describeFn } = recorder({ fast: '1', slow: '2' });
    const watch = new ResourceWatch(describeFn, 'shared', settings);
    await Promise.all([watch.observe('fast', first), watch.observe('slow', { intervalMs: 5_000, first: true })]);
    assert.deepEqual(calls.sort(), [['fast'], ['slow']]);
  });

  test("a failed describe fails that beat's waits, and a wait coming back gets a new beat, not the failure", async () => {
    let fail = true;
    let describes = 0;
    const watch = new ResourceWatch<string>(
      async (ids) => {
        describes += 1;
        if (fail) throw Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
        return new Map(ids.map((id) => [id, 'ok']));
      },
      'shared',
      settings,
    );
    await assert.rejects(Promise.all([watch.observe('a', first), watch.observe('b', first)]), /Request limit exceeded/);
    fail = false;
    assert.equal(await watch.observe('a', again), 'ok');
    assert.equal(describes, 2);
  });

  test('a failed describe leaves no unhandled rejection for the IDs in it that no attempt is waiting on', async () => {
    let fail = false;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const watch = new ResourceWatch<string>(
        async (ids) => {
          if (fail) throw new Error('Request limit exceeded.');
          return new Map(ids.map((id) => [id, 'ok']));
        },
        'shared',
        settings,
      );
      await watch.observe('quiet', first); // still wanted in the next beat, though nobody waits on it then
      fail = true;
      await assert.rejects(watch.observe('loud', first), /Request limit exceeded/);
      await sleep(50);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a describe that never answers fails its beat, and the next beat still runs', async () => {
    let hang = true;
    const watch = new ResourceWatch<string>(
      async (ids) => {
        if (hang) return new Promise(() => {});
        return new Map(ids.map((id) => [id, 'ok']));
      },
      'shared',
      settings,
    );
    await assert.rejects(watch.observe('a', first), /describe gave no answer within 300 ms/);
    hang = false;
    assert.equal(await watch.observe('a', again), 'ok');
  });

  test('a wait held back by a slow describe is still in the beat after it, however old its ask looks', async () => {
    let slow = true;
    const watch = new ResourceWatch<string>(
      async (ids) => {
        if (slow) await sleep(INTERVAL * 3);
        return new Map(ids.map((id) => [id, 'ok']));
      },
      'shared',
      { ...settings, refreshTimeoutMs: 5_000 },
    );
    const held = watch.observe('a', first);
    await sleep(settings.slackMs * 2); // the slow beat has started; b waits for the one after it
    slow = false;
    assert.deepEqual(await Promise.all([held, watch.observe('b', first)]), ['ok', 'ok']);
  });

  /** Waits on a and b in step, until a's answer ends its wait: what the beats have described so far, and the watch. */
  async function settledA() {
    const states: Record<string, string> = { a: 'pending', b: 'pending' };
    const { calls, describeFn } = recorder(states);
    const watch = new ResourceWatch(describeFn, 'shared', { ...settings, settled: (state) => state === 'done' });
    await Promise.all([watch.observe('a', first), watch.observe('b', first)]);
    states.a = 'done';
    await sleep(INTERVAL);
    assert.deepEqual(await Promise.all([watch.observe('a', again), watch.observe('b', again)]), ['done', 'pending']);
    return { calls, watch };
  }

  test('a resource whose answer ended its wait is not described again, until a new wait asks about it', async () => {
    const { calls, watch } = await settledA();
    await sleep(INTERVAL);
    assert.equal(await watch.observe('b', again), 'pending');
    assert.deepEqual(calls, [['a', 'b'], ['a', 'b'], ['b']], 'a was dropped once done (it used to be described two beats more)');
    assert.equal(await watch.observe('a', first), 'done', 'a new wait on it gets a beat that describes it');
    assert.deepEqual(calls.at(-1), ['a', 'b']);
  });

  test('an attempt that comes back late and takes a settled answer from the latest beat does not put it back into the beats', async () => {
    const { calls, watch } = await settledA();
    // A second attempt for a (a lost answer, another worker's) a moment after that beat: the latest beat answers it.
    await sleep(INTERVAL / 10);
    assert.equal(await watch.observe('a', again), 'done');
    await sleep(INTERVAL);
    assert.equal(await watch.observe('b', again), 'pending');
    assert.deepEqual(calls, [['a', 'b'], ['a', 'b'], ['b']]);
  });

  test('per-run mode describes every wait on its own (the baseline)', async () => {
    const { calls, describeFn } = recorder({ a: 'x', b: 'y' });
    const watch = new ResourceWatch(describeFn, 'per-run', settings);
    await Promise.all(['a', 'b', 'a'].map((id) => watch.observe(id, first)));
    assert.deepEqual(calls, [['a'], ['b'], ['a']]);
  });

  test('inChunks splits IDs to fit a request limit and merges the answers', async () => {
    const { calls, describeFn } = recorder({ a: '1', b: '2', c: '3', d: '4', e: '5' });
    const result = await inChunks(['a', 'b', 'c', 'd', 'e'], 2, describeFn);
    assert.deepEqual(calls, [['a', 'b'], ['c', 'd'], ['e']]);
    assert.equal(result.size, 5);
  });
});
