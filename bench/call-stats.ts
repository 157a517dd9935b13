/**
 * Reads the sandbox's per-action request counts as the benchmark reports them: describes and mutating
 * calls, and how many of each were throttled (answered 503 RequestLimitExceeded).
 */
import type { CallCounts, SandboxAdmin } from '@golden-image/aws-sandbox';
import { sampleEverySecond } from './beats';
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
export function watchCreatesDone(admin: SandboxAdmin, createAction: string, expected: number, timeoutMs: number) {
  const createsDone = (counts: CallCounts) => {
    const c = counts.ec2[createAction];
    return c !== undefined && c.total - c.throttled - c.faulted >= expected;
  };
  const sampling = sampleEverySecond(() => admin.calls(), timeoutMs, createsDone);
  return {
    async stop(): Promise<CallCounts | undefined> {
      const last = (await sampling.stop()).at(-1);
      if (!last || !createsDone(last)) return undefined;
      const { at: _at, ...counts } = last;
      return counts;
    },
  };
}
