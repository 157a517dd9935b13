/**
 * The approval gate: the run stops for a person, who answers with the Workflow Update `approve` or
 * `reject`; without an answer in time, the run fails.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { durationSchema } from './durations';

export const approval = z.strictObject({
  timeout: durationSchema('1s', '30d').default('24h'),
});

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
