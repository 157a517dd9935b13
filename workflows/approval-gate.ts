/**
 * The approval stage: the run waits for a person to answer with the Workflow Update `approve` or
 * `reject`. The validators refuse an answer while the run is not waiting, so an early or late click
 * is told so instead of being silently stored, and a rejection must say why.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { approvalAnswerProblems, approveUpdate, rejectUpdate, type ApprovalDecision, type ApproveArgs } from '../contracts/approval';
import { durationMs } from '../contracts/durations';

export class ApprovalGate {
  private waiting = false;
  private decision: ApprovalDecision | undefined;

  /** Call at workflow start, so that an answer sent too early is refused with a reason. */
  constructor() {
    setHandler(approveUpdate, (args) => this.decide({ approved: true, by: args.by, comment: args.comment }), {
      validator: (args: ApproveArgs) => {
        this.assertWaiting();
        assertAnswer(args);
      },
    });
    setHandler(rejectUpdate, (args) => this.decide({ approved: false, by: args.by, comment: args.reason }), {
      validator: (args) => {
        this.assertWaiting();
        if (!args?.reason?.trim()) throw new Error('a rejection needs a reason');
        assertAnswer(args);
      },
    });
  }

  /** Waits for the answer; fails the run when it is a rejection or when none comes in time. */
  async wait(timeout: string): Promise<ApprovalDecision> {
    this.waiting = true;
    const answered = await condition(() => this.decision !== undefined, durationMs(timeout));
    this.waiting = false;
    if (!answered) throw ApplicationFailure.nonRetryable(`no approval within ${timeout}`, 'ApprovalTimeout');
    const decision = this.decision!;
    if (!decision.approved) {
      throw ApplicationFailure.nonRetryable(
        `rejected${decision.by ? ` by ${decision.by}` : ''}: ${decision.comment}`,
        'Rejected',
        decision,
      );
    }
    return decision;
  }

  private assertWaiting(): void {
    if (!this.waiting) throw new Error(this.decision ? 'this run has already been answered' : 'this run is not waiting for approval');
  }

  private decide(decision: ApprovalDecision): ApprovalDecision {
    this.decision = decision;
    this.waiting = false;
    return decision;
  }
}

/** Validators run only when an update arrives, never on replay, so this limit is safe for open runs. */
function assertAnswer(args: { by?: string; comment?: string; reason?: string } | undefined): void {
  const problems = approvalAnswerProblems(args ?? {});
  if (problems.length) throw new Error(problems.join('; '));
}
