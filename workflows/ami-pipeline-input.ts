/**
 * The `amiPipeline` contract: its input schema, its result and its defaults. The CLI, config files,
 * schedules and the workflow itself all validate against this one schema.
 */
import { z } from 'zod';
import { AMI_NAME_CHARS, instanceId, MAX_TAGS, tags } from './aws-ids';
import { durationSchema } from './durations';

/** Tags the pipeline puts on everything it creates; user tags may not use them. */
export const PIPELINE_TAG = 'golden-image:pipeline';
export const RUN_TAG = 'golden-image:run-id';
export const OWN_TAG_COUNT = 2;

export const IMAGE_NAME_PLACEHOLDERS = ['{{pipeline}}', '{{date}}', '{{run}}'] as const;
export const DEFAULT_IMAGE_NAME = '{{pipeline}}-{{date}}-{{run}}';

const pipelineName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');

const imageNameTemplate = z
  .string()
  .refine((t) => t.includes('{{run}}') || t.includes('{{date}}'), 'must contain {{run}} or {{date}}, so every run gets its own name')
  .refine(
    (t) => AMI_NAME_CHARS.test(IMAGE_NAME_PLACEHOLDERS.reduce((rest, p) => rest.replaceAll(p, 'x'), t)),
    "may only hold letters, digits, spaces and ( ) [ ] . / - ' @ _ besides the placeholders {{pipeline}}, {{date}} and {{run}}",
  );

const blockDeviceMapping = z.strictObject({
  deviceName: z.string().regex(/^\/dev\/[a-z0-9]+$/, 'must be a device name such as /dev/sda1 or /dev/xvda'),
  volumeSize: z.number().int().min(1).max(65_536).optional(),
  volumeType: z.enum(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']).optional(),
  deleteOnTermination: z.boolean().optional(),
  volumeInitializationRate: z
    .number()
    .int()
    .min(100, 'must be between 100 and 300 MiB/s')
    .max(300, 'must be between 100 and 300 MiB/s')
    .optional(),
});

export type BlockDeviceMappingSpec = z.output<typeof blockDeviceMapping>;

/** How a wait polls: the activity retry policy is the poll (see activities/poll-policy). */
const waitSchema = (interval: string, timeout: string) =>
  z
    .strictObject({
      interval: durationSchema('100ms', '1h').default(interval),
      timeout: durationSchema('1s', '7d').default(timeout),
    })
    .prefault({});

export const amiPipelineInput = z
  .strictObject({
    name: pipelineName,
    instanceId,
    imageName: imageNameTemplate.default(DEFAULT_IMAGE_NAME),
    description: z.string().max(255).optional(),
    tags: tags.default({}),
    noReboot: z.boolean().default(true),
    blockDeviceMappings: z.array(blockDeviceMapping).max(32).default([]),
    /** Keep an image this run created but did not finish (cancelled, failed or timed out) instead of deregistering it. */
    keepUnfinishedImage: z.boolean().default(false),
    waits: z
      .strictObject({
        image: waitSchema('15s', '2h'),
        /** EC2 is eventually consistent: a new AMI may be "not found" for a while after CreateImage. */
        notFoundGrace: durationSchema('0s', '1h').default('2m'),
      })
      .prefault({}),
  })
  .superRefine((input, ctx) => {
    if (Object.keys(input.tags).length > MAX_TAGS - OWN_TAG_COUNT) {
      ctx.addIssue({ code: 'custom', path: ['tags'], message: `at most ${MAX_TAGS - OWN_TAG_COUNT} tags (EC2 allows ${MAX_TAGS}; the pipeline adds ${OWN_TAG_COUNT})` });
    }
  });

/** What users write (defaults optional). */
export type AmiPipelineConfig = z.input<typeof amiPipelineInput>;
/** What the workflow works with (defaults applied). */
export type AmiPipelineInput = z.output<typeof amiPipelineInput>;

export interface AmiPipelineResult {
  pipeline: string;
  imageId: string;
  imageName: string;
  /** Milliseconds spent in each stage that ran. */
  timings: Record<string, number>;
}
