/**
 * The `appStreamImageBuilder` contract: one action on one image builder, and the state the run then
 * waits for. The CLI, config files and the workflow validate against this one schema.
 */
import { z } from 'zod';
import { waitSchema } from './duration-fields';
import { appStreamInstanceType, appStreamName } from './aws-ids';
import { BUILDER_ACTIONS, type BuilderAction, type BuilderGoal, type BuilderStage } from './appstream-builder-actions';
import type { NotificationOutcome } from './notification-events';
import type { StageTimings } from './progress';
import { userTags } from './user-tags';
import { notify } from './notifications';

/** A builder's instance type when create does not say. */
const DEFAULT_BUILDER_INSTANCE_TYPE = 'stream.standard.medium';

/** Settings that only CreateImageBuilder takes. */
export const CREATE_ONLY = ['imageName', 'instanceType', 'description', 'tags'] as const;

export const appStreamImageBuilderInput = z
  .strictObject({
    action: z.enum(BUILDER_ACTIONS),
    /** The image builder's name. */
    name: appStreamName,
    /** create: the image the builder starts from (an AWS base image or one of yours). */
    imageName: appStreamName.optional(),
    /** create: default stream.standard.medium. */
    instanceType: appStreamInstanceType.optional(),
    description: z.string().max(256).optional(),
    tags: userTags('AppStream').optional(),
    /** Where notifications go and which events are sent (see notifications.ts); `false` for none. */
    notify: notify.optional(),
    waits: z
      .strictObject({
        /** Each builder transition takes AppStream a few minutes. */
        builder: waitSchema('30s', '2h'),
      })
      .prefault({}),
  })
  .superRefine((input, ctx) => {
    if (input.action === 'create' && input.imageName === undefined) {
      ctx.addIssue({ code: 'custom', path: ['imageName'], message: 'create needs the image to start the builder from' });
    }
    if (input.action !== 'create') {
      for (const key of CREATE_ONLY) {
        if (input[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `applies only to create, not to ${input.action}` });
      }
    }
  })
  .transform((input) =>
    input.action === 'create' ? { ...input, instanceType: input.instanceType ?? DEFAULT_BUILDER_INSTANCE_TYPE } : input,
  );

/** What users write (defaults optional). */
export type AppStreamImageBuilderConfig = z.input<typeof appStreamImageBuilderInput>;
/** What the workflow works with (defaults applied). */
export type AppStreamImageBuilderInput = z.output<typeof appStreamImageBuilderInput>;

export interface AppStreamImageBuilderResult {
  builder: string;
  action: BuilderAction;
  /** The state the builder arrived in. */
  state: BuilderGoal;
  arn?: string;
  timings: StageTimings<BuilderStage>;
  /** How each notification of the run went (runs that began before notifications existed have none). */
  notifications?: NotificationOutcome[];
}
