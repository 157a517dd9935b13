/**
 * Reads the sandbox's per-action request counts as the benchmark reports them: describes and mutating
 * calls, and how many of each were throttled (answered 503 RequestLimitExceeded).
 */
import type { CallCounts, SandboxAdmin } from '@golden-image/aws-sandbox';
import { sleep } from './bounded';
import type { ScenarioResult } from './types';

type CallSummary = Pick<ScenarioResult, 'describeCalls' | 'mutatingCalls' | 'throttledDescribe' | 'throttledMutating'>;

const isRead = (action: string) => /^(Describe|List|Get)/.test(action);

export function summarizeCalls(counts: CallCounts): CallSummary {
  const summary: CallSummary = { describeCalls: 0, mutatingCalls: 0, throttledDescribe: 0, throttledMutating: 0 };
  for (const [action, count] of Object.entries(counts.ec2)) {
    if (isRead(action)) {
      summary.describeCalls += count.total;
      summary.throttledDescribe += count.throttled;
    } else {
      summary.mutatingCalls += count.total;
      summary.throttledMutating += count.throttled;
    }
  }
  return summary;
}

/**
 * Watches the counts while a scenario runs and keeps the snapshot taken when `createAction` has
 * succeeded `expected` times: after it, every describe is a wait's. Stops when `stop` says so.
 */
export function watchCreatesDone(admin: SandboxAdmin, createAction: string, expected: number, timeoutMs = 45 * 60_000) {
  let atCreatesDone: CallCounts | undefined;
  let stopped = false;
  const deadline = Date.now() + timeoutMs;
  const done = (async () => {
    // Ends at stop(), or by itself at the deadline should a failing scenario never call stop().
    while (!stopped && !atCreatesDone && Date.now() < deadline) {
      const counts = await admin.calls();
      const c = counts.ec2[createAction];
      if (c && c.total - c.throttled - c.faulted >= expected) atCreatesDone = counts;
      else await sleep(1_000);
    }
  })();
  done.catch(() => undefined); // as sampleEverySecond's: a failed scenario's stack goes away under it
  return {
    async stop(): Promise<CallCounts | undefined> {
      stopped = true;
      await done;
      return atCreatesDone;
    },
  };
}
