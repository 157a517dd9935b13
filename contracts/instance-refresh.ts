/**
 * Rolling an image onto Auto Scaling groups (issue 16): an instance refresh of each group onto the
 * launch-template version publish wrote, with EC2 Auto Scaling's own preferences; and, for standalone
 * instances, a canary before the rest and a way back. The `rollout` of the `ami` kind takes these.
 */
import { z } from 'zod';
import { region } from './aws-ids';
import { durationSchema } from './duration-fields';

/** EC2 Auto Scaling's rule for group names: 1-255 characters, no ":" (an ARN is not a name). */
const groupName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^:]+$/, 'must be an Auto Scaling group name (without ":")');

export const autoScalingGroupTarget = z.strictObject({
  name: groupName,
  /** Omitted: the build Region. */
  region: region.optional(),
});

/** StartInstanceRefresh's preferences, as the config names them; unset ones keep AWS's defaults. */
export const refreshPreferences = {
  /** `rolling` replaces instances; `replace-root-volume` swaps their root volumes (the group needs a mixed instances policy). */
  strategy: z.enum(['rolling', 'replace-root-volume']).optional(),
  minHealthyPercentage: z.number().int().min(0, 'must be 0-100').max(100, 'must be 0-100').optional(),
  maxHealthyPercentage: z.number().int().min(100, 'must be 100-200').max(200, 'must be 100-200').optional(),
  instanceWarmup: durationSchema('0s', '48h').optional(),
  /** Percentages at which the refresh waits `checkpointDelay`: ascending, the last 100. */
  checkpoints: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .refine((c) => c.every((p, i) => i === 0 || p > c[i - 1]!), 'must be in ascending order')
    .refine((c) => c.at(-1) === 100, 'must end at 100')
    .optional(),
  checkpointDelay: durationSchema('0s', '48h').optional(),
  skipMatching: z.boolean().optional(),
  /** CloudWatch alarms that fail the refresh when they go into ALARM. */
  alarms: z.array(z.string().min(1).max(255)).min(1).max(10).optional(),
  autoRollback: z.boolean().optional(),
  /** Groups refreshed at once; a failed group stops the rest. */
  groupsAtATime: z.number().int().min(1).max(50).optional(),
};

/** The standalone rollout's first instances, then a wait (and an approval when asked) before the rest. */
export const canary = z.strictObject({
  instances: z.number().int().min(1),
  bakeTime: durationSchema('0s', '7d').default('15m'),
  approval: z.boolean().default(false),
});

export type CanarySpec = z.output<typeof canary>;

/** What a standalone rollout does when it fails: stop (`halt`), or put every moved instance back on its old image. */
export const onFailure = z.enum(['halt', 'rollback']);

/** One group's refresh as the run shows it: the stage table, the `progress` query and `--follow`. */
export interface GroupRow {
  /** `<region>/<group>`. */
  group: string;
  refreshId?: string;
  /** AWS's status (Pending, InProgress, Successful, …), or `waiting` before the group's turn. */
  status: string;
  percentageComplete: number;
  instancesToUpdate: number;
  statusReason?: string;
}
