/**
 * Does a wait's history grow with its polls? Two create + wait-available runs: one whose AMI is
 * ready at once (1 poll), and one whose AMI stays pending until its wait has polled `longPolls`
 * times (100 ms interval), then is completed through the sandbox's "advance". Both should have the
 * same number of events. It uses its own sandbox and worker, so it can run beside mode (c).
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { benchEc2 } from './ami-scenario';
import { sleep } from './bounded';
import { historyFacts } from './history';
import { startMany, waitAllClosed } from './runs';
import { launchInstances } from './sandbox-setup';
import { startSideSandbox, type BenchStack } from './stack';
import type { HistoryProbe } from './types';
import { startWorker } from './worker-process';

const WAIT = 'waitForImageAvailable';

export async function runHistoryProbe(stack: BenchStack, longPolls: number, log: (msg: string) => void): Promise<HistoryProbe> {
  const side = await startSideSandbox();
  const taskQueue = `bench-history-probe-${Date.now()}`;
  const worker = await startWorker(stack.connection, {
    temporalAddress: stack.server.address,
    sandboxUrl: side.sandbox.url,
    taskQueue,
    mode: 'shared',
    logFile: path.join(stack.dir, `${taskQueue}.worker.log`),
  });
  try {
    // 1 poll: the image is available the moment CreateImage returns.
    await side.admin.reset({ profile: 'test', durations: { image: 0, instance: 0 }, notFoundWindowMs: 0 });
    const [build] = await launchInstances(benchEc2(side.sandbox.url), side.admin, 1, { role: 'build' });
    const oneId = `${taskQueue}-one`;
    await startMany(stack.client, taskQueue, [{ workflowId: oneId, config: { name: 'probe-one-poll', instanceId: build } }]);
    await waitAllClosed(stack.client, taskQueue, 'amiPipeline', 1, 120_000);
    const onePoll = await historyFacts(stack.client, oneId, WAIT);

    // Many polls: the image would take an hour; poll every 100 ms, then finish it once enough polls were made.
    await side.admin.configure({ durations: { image: 3_600_000 } });
    const longId = `${taskQueue}-long`;
    await startMany(stack.client, taskQueue, [
      {
        workflowId: longId,
        config: { name: 'probe-long-poll', instanceId: build, waits: { image: { interval: '100ms', timeout: '2h' } } },
      },
    ]);
    // The retry policy asks for 0.1–0.2 s between polls, but the dev server's retry timers make it about
    // 1 s. At the deadline the image is finished anyway and the polls reached are reported.
    const deadline = Date.now() + longPolls * 1_500 + 60_000;
    while (Date.now() < deadline && (await currentAttempt(stack.client, longId)) < longPolls) await sleep(2_000);
    await side.admin.advance();
    await waitAllClosed(stack.client, taskQueue, 'amiPipeline', 2, 120_000);
    const longPoll = await historyFacts(stack.client, longId, WAIT);
    log(`  history probe: 1 poll → ${onePoll.events} events; ${longPoll.polls} polls → ${longPoll.events} events`);
    return {
      onePoll: { events: onePoll.events, polls: onePoll.polls ?? 0 },
      longPoll: { events: longPoll.events, polls: longPoll.polls ?? 0 },
    };
  } finally {
    await worker.stop();
    await side.sandbox.close();
  }
}

async function currentAttempt(client: Client, workflowId: string): Promise<number> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const wait = raw.pendingActivities?.find((a) => a.activityType?.name === WAIT);
  return wait?.attempt ?? 0;
}
