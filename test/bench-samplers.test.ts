/**
 * The bench's samplers read the sandbox once a second while a scenario runs. A scenario that fails
 * never stops them, and its stack goes away under them: that must fail the scenario, not crash the
 * whole bench with an unhandled rejection (a 10,000-instance rollout that ran out of time took the
 * bench down with it, before it could write any results).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleEverySecond } from '../bench/beats';
import type { SandboxAdmin } from '@golden-image/aws-sandbox';
import { watchCreatesDone } from '../bench/call-stats';

const unhandled = () => {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', record);
  return { seen, off: () => process.off('unhandledRejection', record) };
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

test('a sampler whose reads fail is no unhandled rejection, and stop() still reports the error', async () => {
  const watch = unhandled();
  try {
    const sampler = sampleEverySecond(() => Promise.reject(new Error('connect ECONNREFUSED')), 60_000);
    await settle();
    assert.deepEqual(watch.seen, []);
    await assert.rejects(sampler.stop(), /ECONNREFUSED/);
  } finally {
    watch.off();
  }
});

test('the creates watcher likewise', async () => {
  const watch = unhandled();
  try {
    const admin = { calls: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as SandboxAdmin;
    const creates = watchCreatesDone(admin, 'CreateImage', 1, 60_000);
    await settle();
    assert.deepEqual(watch.seen, []);
    await assert.rejects(creates.stop(), /ECONNREFUSED/);
  } finally {
    watch.off();
  }
});
