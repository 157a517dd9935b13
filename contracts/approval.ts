/**
 * The approval gate: the run stops for people, who answer with the Workflow Update `approve` or
 * `reject`; without enough approvals in time, the run fails. With an approver list (`approval.approvers`)
 * only those named may answer, `required` distinct ones must approve, and any one of them may reject.
 */
import { defineUpdate } from '@temporalio/workflow';

/** How long a gate waits for an answer when the config does not say (`approval.timeout`). */
export const DEFAULT_APPROVAL_TIMEOUT = '24h';

/** A comment or reason is for the record, not a document: it is stored in history and shown in the stage table. */
export const MAX_APPROVAL_TEXT = 1000;
export const MAX_APPROVER = 128;
const MAX_IDENTITY = 256;

/** What is wrong with an answer, as `--flag: problem` lines; the CLI and the update validators both ask. */
export function approvalAnswerProblems(args: { by?: string; comment?: string; reason?: string; identity?: string }): string[] {
  const problems: string[] = [];
  if (args.by !== undefined && args.by.length > MAX_APPROVER) problems.push(`--by: must be at most ${MAX_APPROVER} characters`);
  if (args.identity !== undefined && args.identity.length > MAX_IDENTITY)
    problems.push(`identity: must be at most ${MAX_IDENTITY} characters`);
  for (const field of ['comment', 'reason'] as const) {
    const text = args[field];
    if (text !== undefined && text.length > MAX_APPROVAL_TEXT) {
      problems.push(`--${field}: must be at most ${MAX_APPROVAL_TEXT} characters (got ${text.length})`);
    }
  }
  return problems;
}

export interface ApproveArgs {
  /** The approver, as the person told the CLI (`--by`); on a gate with an approver list, one of its names. */
  by?: string;
  comment?: string;
  /** The sending Temporal client's identity (the CLI fills it in), recorded beside `by`. */
  identity?: string;
}

export interface RejectArgs {
  by?: string;
  reason: string;
  identity?: string;
}

/** One answer as the gate recorded it. */
export interface ApprovalAnswer {
  approved: boolean;
  by?: string;
  identity?: string;
  /** The comment, or the reason for a rejection. */
  comment?: string;
  /** Workflow time (ISO 8601) when the gate took it. */
  at: string;
}

export interface ApprovalDecision {
  /** True once enough approvals are in; false after a rejection, or while more are needed (an update's answer). */
  approved: boolean;
  /** Who decided: the approvers whose answers opened the gate (comma-separated), or the rejecter. */
  by?: string;
  /** The deciding answer's comment, or the reason for a rejection. */
  comment?: string;
  /** Every answer, in order (runs before approver lists carry only the fields above). */
  answers?: ApprovalAnswer[];
  /** Approvals needed, and still missing when the update's answer is not the last one. */
  required?: number;
  missing?: number;
}

export const approveUpdate = defineUpdate<ApprovalDecision, [ApproveArgs]>('approve');
export const rejectUpdate = defineUpdate<ApprovalDecision, [RejectArgs]>('reject');
