/**
 * The `amiPipeline` contract: its input schema, its result and its defaults (its stages are in ami-stages.ts). The CLI,
 * config files, schedules and the workflow itself all validate against this one schema.
 */
import { z } from 'zod';
import type { ApprovalDecision } from './approval';
import { approval } from './approval-policy';
import { notify } from './notifications';
import { AMI_NAME_CHARS, instanceId, launchTemplateId, launchTemplateName, region } from './aws-ids';
import { blockDeviceMapping, volumeInitializationRate } from './block-devices';
import { build, imageTest, refresh, source } from './bake';
import { distribution, publish } from './distribution';
import { autoScalingGroupTarget, canary, onFailure, refreshPreferences, type GroupRow } from './instance-refresh';
import type { AmiStage } from './ami-stages';
import type { Place } from './place';
import { durationSchema, notFoundGraceSchema, waitSchema } from './duration-fields';
import { resolveImageName, SAMPLE_RUN } from './image-name';
import type { NotificationOutcome } from './notification-events';
import type { RolloutSummary, StageTimings } from './progress';
import { retention } from './retention';
import { BAKE_TAG_COUNT, MAX_TAGS, OWN_TAG_COUNT } from './tags';
import { tags, userTags } from './user-tags';

const IMAGE_NAME_PLACEHOLDERS = ['{{pipeline}}', '{{date}}', '{{run}}'] as const;
const DEFAULT_IMAGE_NAME = '{{pipeline}}-{{date}}-{{run}}';

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

const tagFilter = tags.refine((t) => Object.keys(t).length > 0, 'give at least one tag to match');

/**
 * Windows fast launch: EC2 pre-provisions snapshots so instances launch faster. Only Windows AMIs
 * qualify; that is checked against the build instance before anything is created.
 */
const fastLaunchTemplate = z
  .strictObject({
    id: launchTemplateId.optional(),
    name: launchTemplateName.optional(),
    version: z
      .string()
      .regex(/^(\d+|\$Latest|\$Default)$/, 'must be a version number, $Latest or $Default')
      .default('$Default'),
  })
  .refine((t) => (t.id === undefined) !== (t.name === undefined), 'give exactly one of id or name');

export type FastLaunchTemplate = z.output<typeof fastLaunchTemplate>;

const fastLaunch = z.strictObject({
  /** For the build Region, and for every other Region that names none of its own. */
  launchTemplate: fastLaunchTemplate.optional(),
  /**
   * Where to enable it: omitted, the build Region only; `all`, the build Region and every copy in this
   * account; or a list, each entry a Region or `{ region, launchTemplate }`.
   */
  regions: z
    .union([
      z.literal('all'),
      z
        .array(z.union([region, z.strictObject({ region, launchTemplate: fastLaunchTemplate })]))
        .min(1, 'give at least one Region, or "all"')
        .superRefine((entries, ctx) => {
          const names = entries.map((e) => (typeof e === 'string' ? e : e.region));
          const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
          if (repeated.length) ctx.addIssue({ code: 'custom', message: `lists Region ${repeated.join(', ')} more than once` });
        }),
    ])
    .optional(),
  targetResourceCount: z.number().int().min(1).max(100).default(5),
  maxParallelLaunches: z.number().int().min(6, "must be at least 6 (EC2's minimum)").max(40).default(6),
});

/** Replace the root volume of each target instance from the new image, a few at a time. */
const rollout = z
  .strictObject({
    instanceIds: z
      .array(instanceId)
      .min(1, 'give at least one instance')
      .max(1000)
      // A second entry would replace the same root volume twice, or count against the failure budget.
      .superRefine((ids, ctx) => {
        const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
        if (repeated.length)
          ctx.addIssue({ code: 'custom', message: `lists ${repeated.join(', ')} more than once; name each instance once` });
      })
      .optional(),
    /** Every running instance with all of these tags. */
    tags: tagFilter.optional(),
    /** Every running instance launched from this template (in the build Region), as EC2's `aws:ec2launchtemplate:id` tag says. */
    launchTemplate: z
      .strictObject({ id: launchTemplateId.optional(), name: launchTemplateName.optional() })
      .refine((t) => (t.id === undefined) !== (t.name === undefined), 'give exactly one of id or name')
      .optional(),
    /** Instance refreshes onto the launch-template version publish wrote, instead of standalone instances. */
    autoScalingGroups: z
      .array(autoScalingGroupTarget)
      .min(1)
      .superRefine((groups, ctx) => {
        const keys = groups.map((g) => `${g.region ?? ''}/${g.name}`);
        const repeated = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
        if (repeated.length) ctx.addIssue({ code: 'custom', message: `lists group ${repeated.join(', ')} more than once` });
      })
      .optional(),
    ...refreshPreferences,
    canary: canary.optional(),
    /** Omitted: halt. */
    onFailure: onFailure.optional(),
    concurrency: z.number().int().min(1, 'must be >= 1').max(50).default(2),
    /** How many instances may fail before the rollout halts; with 0, the first failure halts it. */
    failureBudget: z.number().int().min(0).default(0),
    deleteReplacedRootVolume: z.boolean().default(false),
    volumeInitializationRate: volumeInitializationRate.optional(),
  })
  .superRefine((r, ctx) => {
    if ([r.instanceIds, r.tags, r.launchTemplate, r.autoScalingGroups].filter((target) => target !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of instanceIds, tags, launchTemplate or autoScalingGroups' });
    }
    const groups = r.autoScalingGroups !== undefined;
    const groupOnly = (Object.keys(refreshPreferences) as (keyof typeof refreshPreferences)[]).filter((key) => r[key] !== undefined);
    if (!groups && groupOnly.length) {
      ctx.addIssue({
        code: 'custom',
        path: [groupOnly[0]!],
        message: 'applies to autoScalingGroups only (an instance refresh preference)',
      });
    }
    if (groups && r.canary)
      ctx.addIssue({ code: 'custom', path: ['canary'], message: 'is for standalone instances; groups use checkpoints' });
    // AWS's rules for the pair: both or neither (an instance maintenance policy may set them), at most 100 apart.
    const { minHealthyPercentage: min, maxHealthyPercentage: max } = r;
    if (max !== undefined && max - (min ?? 90) > 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxHealthyPercentage'],
        message: `must be at most 100 above minHealthyPercentage (${min ?? '90, the default'})`,
      });
    }
    if (r.checkpointDelay !== undefined && r.checkpoints === undefined) {
      ctx.addIssue({ code: 'custom', path: ['checkpointDelay'], message: 'needs checkpoints: it is the wait at each one' });
    }
    if (r.canary && r.instanceIds && r.canary.instances >= r.instanceIds.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['canary', 'instances'],
        message: `must be fewer than the ${r.instanceIds.length} instances of the rollout`,
      });
    }
  });

export const amiPipelineInput = z
  .strictObject({
    name: pipelineName,
    /** The build instance, by ID or by tags that match exactly one instance; or `source` and `build` to bake from a base image. */
    instanceId: instanceId.optional(),
    instanceTags: tagFilter.optional(),
    /** The base image a bake starts from. */
    source: source.optional(),
    /** The build instance a bake launches from `source`, and the SSM Run Command steps that provision it. */
    build: build.optional(),
    /** Steps run on an instance launched from the new image, before anything is distributed. */
    test: imageTest.optional(),
    refresh: refresh.optional(),
    imageName: imageNameTemplate.default(DEFAULT_IMAGE_NAME),
    description: z.string().max(255).optional(),
    tags: userTags('EC2').default({}),
    noReboot: z.boolean().default(true),
    blockDeviceMappings: z.array(blockDeviceMapping).max(32).default([]),
    /** Keep an image this run created but did not finish (cancelled, failed or timed out) instead of deregistering it. */
    keepUnfinishedImage: z.boolean().default(false),
    /** Copies in other Regions and accounts, sharing, deprecation and deregistration protection. */
    distribution: distribution.optional(),
    fastLaunch: fastLaunch.optional(),
    /** Stop for a person before the image reaches the fleet: approve, reject, or fail after the timeout. */
    approval: approval.optional(),
    /** Where notifications go and which events are sent (see notifications.ts); `false` for none. */
    notify: notify.optional(),
    /** After approval, before rollout: new launch-template versions and SSM parameters that point at the images. */
    publish: publish.optional(),
    rollout: rollout.optional(),
    /** Keep the newest N images of this pipeline; older ones lose fast launch, then are deregistered with their snapshots. */
    retention: retention
      .extend({
        /** What happens to an image past `keep`: deregistered with its snapshots, or only deprecated or disabled. */
        action: z.enum(['deregister', 'deprecate', 'disable']).default('deregister'),
      })
      .optional(),
    waits: z
      .strictObject({
        image: waitSchema('15s', '2h'),
        fastLaunch: waitSchema('60s', '8h'),
        rootVolume: waitSchema('15s', '1h'),
        /** How often a bake looks at its instances, their SSM agents and their steps (each stage's timeout is its own). */
        bake: z.strictObject({ interval: durationSchema('100ms', '5m').default('5s') }).prefault({}),
        /** An Auto Scaling group's instance refresh: warm-ups and checkpoints make it slow. */
        refresh: waitSchema('30s', '12h'),
        /** A copy to another Region takes about as long as the image itself took, or longer. */
        copy: waitSchema('30s', '6h'),
        /** EC2 is eventually consistent: a new AMI may be "not found" for a while after CreateImage. */
        notFoundGrace: notFoundGraceSchema(),
      })
      .prefault({}),
  })
  .superRefine((input, ctx) => {
    const starts = [input.instanceId, input.instanceTags, input.source].filter((x) => x !== undefined).length;
    if (starts !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['instanceId'],
        message: 'give exactly one of instanceId or instanceTags (a prepared build instance) or source (a base image to bake from)',
      });
    }
    if ((input.source === undefined) !== (input.build === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [input.source ? 'build' : 'source'],
        message: 'source and build go together: a bake needs both',
      });
    }
    const bakeRoom = MAX_TAGS - OWN_TAG_COUNT - BAKE_TAG_COUNT;
    if (input.source && Object.keys(input.tags).length > bakeRoom) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags'],
        message: `at most ${bakeRoom} tags for a bake (EC2 allows ${MAX_TAGS}; a baked image carries ${OWN_TAG_COUNT + BAKE_TAG_COUNT} of the pipeline's)`,
      });
    }
    if (input.test && !input.build && !input.test.instanceType) {
      ctx.addIssue({ code: 'custom', path: ['test', 'instanceType'], message: 'needed when there is no build to take it from' });
    }
    if (input.refresh?.skipIfUnchanged && !input.source) {
      ctx.addIssue({
        code: 'custom',
        path: ['refresh', 'skipIfUnchanged'],
        message: 'needs source: only a bake knows what its image was made from',
      });
    }
    // EC2 takes AMI names of 3-128 characters: check the name this run will make, with the longest run parts.
    const length = resolveImageName(input.imageName, { pipeline: input.name, ...SAMPLE_RUN }).length;
    if (length < 3 || length > 128) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageName'],
        message: `must be 3-128 characters once {{pipeline}}, {{date}} (15 characters) and {{run}} (8) are filled in (this one makes ${length})`,
      });
    }
  });

/** What users write (defaults optional). */
export type AmiPipelineConfig = z.input<typeof amiPipelineInput>;
/** What the workflow works with (defaults applied). */
export type AmiPipelineInput = z.output<typeof amiPipelineInput>;

export type FastLaunchSpec = NonNullable<AmiPipelineInput['fastLaunch']>;
export type RetentionSpec = NonNullable<AmiPipelineInput['retention']>;
export type RolloutSpec = NonNullable<AmiPipelineInput['rollout']>;

/** One image of a run and where it lives: the original (the build Region) or a copy. */
export interface PlacedImage {
  place: Place;
  imageId: string;
}

export interface AmiPipelineResult {
  pipeline: string;
  /** The new image; with `unchanged`, the newest released image, which the run found up to date. */
  imageId: string;
  imageName: string;
  /** A scheduled bake that found nothing changed: it created nothing. */
  unchanged?: boolean;
  /** A bake's base image. */
  sourceImageId?: string;
  /** The copies, when the run distributed the image. */
  copies?: PlacedImage[];
  /** A rollout onto Auto Scaling groups: how each group's instance refresh ended. */
  groups?: GroupRow[];
  /** What publish wrote: `<region>/<template>` versions and `<region>/<parameter>` names. */
  published?: string[];
  timings: StageTimings<AmiStage>;
  approval?: ApprovalDecision;
  rollout?: RolloutSummary;
  /** Images retention retired (deregistered with their snapshots). */
  retired?: string[];
  /** How each notification of the run went (runs that began before notifications existed have none). */
  notifications?: NotificationOutcome[];
}
