/**
 * A pipeline's `approval` block: how long its gate waits, and, as SSM's `aws:approve` does, who may
 * answer and how many distinct approvals it takes (the answers are in approval.ts).
 */
import { z } from 'zod';
import { DEFAULT_APPROVAL_TIMEOUT, MAX_APPROVER } from './approval';
import { durationSchema } from './duration-fields';

/** SSM's aws:approve takes up to 10 approvers; a list longer than a review board is a mistake. */
const MAX_APPROVERS = 20;

const approver = z
  .string()
  .trim()
  .min(1, 'an approver needs a name')
  .max(MAX_APPROVER)
  .regex(/^[^\s,]+$/, 'an approver is one name (e.g. alice or alice@example.com), without spaces or commas');

export const approval = z
  .strictObject({
    timeout: durationSchema('1s', '30d').default(DEFAULT_APPROVAL_TIMEOUT),
    approvers: z
      .array(approver)
      .min(1, 'the approver list is empty: name at least one approver, or leave `approvers` out to let anyone approve')
      .max(MAX_APPROVERS)
      .refine((names) => new Set(names).size === names.length, 'an approver is named twice')
      .optional(),
    required: z.number().int().min(1).optional(),
  })
  .superRefine((policy, ctx) => {
    if (policy.required === undefined) return;
    if (!policy.approvers) {
      ctx.addIssue({ code: 'custom', path: ['required'], message: '`required` needs an `approvers` list to count from' });
    } else if (policy.required > policy.approvers.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['required'],
        message: `${policy.required} approvals required, but only ${policy.approvers.length} approvers are listed`,
      });
    }
  });

/**
 * A gate's policy, as the workflow is given it: without `approvers`, anyone who can send the update may
 * answer and one approval is enough; with them, `required` (default 1) distinct ones must approve.
 */
export type ApprovalPolicy = z.output<typeof approval>;
