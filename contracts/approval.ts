/**
 * The approval gate: the run stops for a person, who answers with the Workflow Update `approve` or
 * `reject`; without an answer in time, the run fails.
 */
import { defineUpdate } from '@temporalio/workflow';

/** How long a gate waits for an answer when the config does not say (`approval.timeout`). */
export const DEFAULT_APPROVAL_TIMEOUT = '24h';

/** A comment or reason is for the record, not a document: it is stored in history and shown in the stage table. */
export const MAX_APPROVAL_TEXT = 1000;
const MAX_APPROVER = 128;

/** What is wrong with an answer, as `--flag: problem` lines; the CLI and the update validators both ask. */
export function approvalAnswerProblems(args: { by?: string; comment?: string; reason?: string }): string[] {
  const problems: string[] = [];
  if (args.by !== undefined && args.by.length > MAX_APPROVER) problems.push(`--by: must be at most ${MAX_APPROVER} characters`);
  for (const field of ['comment', 'reason'] as const) {
    const text = args[field];
    if (text !== undefined && text.length > MAX_APPROVAL_TEXT) {
      problems.push(`--${field}: must be at most ${MAX_APPROVAL_TEXT} characters (got ${text.length})`);
    }
  }
  return problems;
}

export interface ApproveArgs {
  by?: string;
  comment?: string;
}

export interface RejectArgs {
  by?: string;
  reason: string;
}

export interface ApprovalDecision {
  approved: boolean;
  by?: string;
  /** The reviewer's comment, or the reason for a rejection. */
  comment?: string;
}

export const approveUpdate = defineUpdate<ApprovalDecision, [ApproveArgs]>('approve');
export const rejectUpdate = defineUpdate<ApprovalDecision, [RejectArgs]>('reject');
