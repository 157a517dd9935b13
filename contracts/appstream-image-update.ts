/**
 * The `appStreamImageUpdate` contract: its input schema, its stages, its result and its defaults. The
 * CLI, config files, schedules and the workflow itself all validate against this one schema.
 */
import { z } from 'zod';
import { notFoundGraceSchema, waitSchema } from './durations';
import { APPSTREAM_NAME, APPSTREAM_NAME_RULE, appStreamName } from './appstream-names';
import { resolveImageName, SAMPLE_RUN } from './image-name';
import type { StageTimings } from './progress';
import { retention } from './retention';
import { userTags } from './tags';

/** The dry run comes first: with no update available, the rest are skipped. */
export const APPSTREAM_UPDATE_STAGES = ['check-update', 'create', 'wait-available', 'tag', 'retention'] as const;
type AppStreamUpdateStage = (typeof APPSTREAM_UPDATE_STAGES)[number];

export const appStreamImageUpdateInput = z
  .strictObject({
    /** The pipeline: its tag marks the images it made, and retention counts only those. Defaults to existingImageName. */
    name: appStreamName.optional(),
    /** The private image to update; AppStream copies it and applies the latest Windows, driver and agent updates. */
    existingImageName: appStreamName,
    /** A name, or a template with {{pipeline}}, {{date}} and {{run}}; resolved once per run. */
    newImageName: z.string().min(1),
    newImageDescription: z.string().max(256).optional(),
    newImageDisplayName: z.string().max(100).optional(),
    tags: userTags('AppStream').default({}),
    /** Keep an image this run created but did not finish (cancelled, failed or timed out) instead of deleting it. */
    keepUnfinishedImage: z.boolean().default(false),
    /** Keep the newest N images of this pipeline (the new one among them); delete the rest. */
    retention: retention.optional(),
    waits: z
      .strictObject({
        /** A managed update takes AppStream tens of minutes. */
        image: waitSchema('60s', '6h'),
        /** A new image may be "not found" for a while after CreateUpdatedImage (eventual consistency). */
        notFoundGrace: notFoundGraceSchema(),
      })
      .prefault({}),
  })
  .superRefine((input, ctx) => {
    const sample = resolveImageName(input.newImageName, { pipeline: input.name ?? input.existingImageName, ...SAMPLE_RUN });
    if (!APPSTREAM_NAME.test(sample)) {
      ctx.addIssue({
        code: 'custom',
        path: ['newImageName'],
        message: `${APPSTREAM_NAME_RULE} once {{pipeline}}, {{date}} (15 characters) and {{run}} (8) are filled in`,
      });
    }
  })
  .transform(({ name, ...input }) => ({ name: name ?? input.existingImageName, ...input }));

/** What users write (defaults optional). */
export type AppStreamImageUpdateConfig = z.input<typeof appStreamImageUpdateInput>;

export type AppStreamImageUpdateResult =
  | {
      pipeline: string;
      updated: false;
      message: 'no update available';
      existingImageName: string;
      timings: StageTimings<AppStreamUpdateStage>;
    }
  | {
      pipeline: string;
      updated: true;
      imageName: string;
      arn: string;
      timings: StageTimings<AppStreamUpdateStage>;
      /** Images retention deleted. */
      retired?: string[];
    };
