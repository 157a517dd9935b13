/**
 * The approval stage: the run waits for people to answer with the Workflow Update `approve` or
 * `reject`. The validators refuse an answer while the run is not waiting, so an early or late click
 * is told so instead of being silently stored, and a rejection must say why. With an approver list,
 * the validators also refuse anyone not on it and a second approval from the same person, so that
 * only distinct, named approvers are counted; any one of them may reject.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  approvalAnswerProblems,
  approveUpdate,
  rejectUpdate,
  type ApprovalAnswer,
  type ApprovalDecision,
  type ApproveArgs,
  type RejectArgs,
} from '../contracts/approval';
import type { ApprovalPolicy } from '../contracts/approval-policy';
import { durationMs } from '../contracts/durations';

export class ApprovalGate {
  private policy: ApprovalPolicy | undefined;
  private note: (line: string) => void = () => {};
  private readonly answers: ApprovalAnswer[] = [];
  private decision: ApprovalDecision | undefined;

  /** Call at workflow start, so that an answer sent too early is refused with a reason. */
  constructor() {
    setHandler(approveUpdate, (args) => this.answer({ approved: true, by: args.by, identity: args.identity, comment: args.comment }), {
      validator: (args: ApproveArgs) => {
        this.assertWaiting();
        this.assertMayAnswer(args, true);
      },
    });
    setHandler(rejectUpdate, (args) => this.answer({ approved: false, by: args.by, identity: args.identity, comment: args.reason }), {
      validator: (args: RejectArgs) => {
        this.assertWaiting();
        if (!args?.reason?.trim()) throw new Error('a rejection needs a reason');
        this.assertMayAnswer(args, false);
      },
    });
  }

  /**
   * Waits for enough approvals; fails the run on a rejection, or when they do not come in time.
   * `note` is told of each answer as it comes, for the stage table.
   */
  async wait(policy: ApprovalPolicy, note?: (line: string) => void): Promise<ApprovalDecision> {
    this.policy = policy;
    if (note) this.note = note;
    const answered = await condition(() => this.decision !== undefined, durationMs(policy.timeout));
    this.policy = undefined;
    if (!answered) {
      const got = this.answers.length ? ` (${this.approvals().length} of ${this.required()} approvals)` : '';
      throw ApplicationFailure.nonRetryable(`no approval within ${policy.timeout}${got}`, 'ApprovalTimeout');
    }
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

  private required(): number {
    return this.policy?.approvers ? (this.policy.required ?? 1) : 1;
  }

  private approvals(): ApprovalAnswer[] {
    return this.answers.filter((a) => a.approved);
  }

  private assertWaiting(): void {
    if (!this.policy) throw new Error(this.decision ? 'this run has already been answered' : 'this run is not waiting for approval');
  }

  /** Validators run only when an update arrives, never on replay, so their rules are safe to tighten for open runs. */
  private assertMayAnswer(
    args: { by?: string; comment?: string; reason?: string; identity?: string } | undefined,
    approving: boolean,
  ): void {
    const problems = approvalAnswerProblems(args ?? {});
    if (problems.length) throw new Error(problems.join('; '));
    const approvers = this.policy!.approvers;
    if (!approvers) return;
    const by = args?.by?.trim();
    if (!by) throw new Error(`this run's approvers are ${approvers.join(', ')}: say which one you are (--by)`);
    if (!approvers.includes(by)) throw new Error(`${by} is not an approver of this run (its approvers: ${approvers.join(', ')})`);
    if (approving && this.approvals().some((a) => a.by === by)) {
      throw new Error(`${by} has already approved: ${this.approvals().length} of ${this.required()} distinct approvals are in`);
    }
  }

  private answer(given: Omit<ApprovalAnswer, 'at'>): ApprovalDecision {
    const answer: ApprovalAnswer = { ...given, by: given.by?.trim() || undefined, at: new Date().toISOString() };
    this.answers.push(answer);
    const approvals = this.approvals();
    const required = this.required();
    const lists = this.policy?.approvers !== undefined;
    const counted = lists ? ` (${approvals.length} of ${required})` : '';
    this.note(
      `${answer.approved ? 'approved' : 'rejected'}${answer.by ? ` by ${answer.by}` : ''}${counted}${answer.comment ? `: ${answer.comment}` : ''}`,
    );
    const record = { answers: [...this.answers], ...(lists ? { required } : {}) };
    if (!answer.approved) {
      this.decision = { approved: false, by: answer.by, comment: answer.comment, ...record };
    } else if (approvals.length >= required) {
      const by = approvals
        .map((a) => a.by)
        .filter(Boolean)
        .join(', ');
      this.decision = { approved: true, ...(by ? { by } : {}), comment: answer.comment, ...record };
    } else {
      return { approved: false, by: answer.by, comment: answer.comment, ...record, missing: required - approvals.length };
    }
    this.policy = undefined;
    return this.decision;
  }
}

/** What the stage table says the gate waits for. */
export function approvalAsked(policy: ApprovalPolicy): string {
  if (!policy.approvers) return 'approve or reject';
  return `${policy.required ?? 1} of ${policy.approvers.join(', ')} to approve (any of them may reject)`;
}
