/**
 * The `appStreamImageUpdate` contract: its input schema, its stages, its result and its defaults. The
 * CLI, config files, schedules and the workflow itself all validate against this one schema.
 */
import { z } from 'zod';
import type { ApprovalDecision } from './approval';
import { approval } from './approval-policy';
import { notify } from './notifications';
import { accountId, appStreamInstanceType, appStreamName, region, securityGroupId, subnetId } from './aws-ids';
import { notFoundGraceSchema, waitSchema } from './duration-fields';
import { APPSTREAM_NAME, APPSTREAM_NAME_RULE } from './appstream-names';
import { resolveImageName, SAMPLE_RUN } from './image-name';
import type { FleetRow } from './appstream-fleets';
import type { AppStreamUpdateStage } from './appstream-update-stages';
import type { NotificationOutcome } from './notification-events';
import type { StageTimings } from './progress';
import { retention } from './retention';
import { userTags } from './user-tags';

/** The test: an image builder from the new image must reach RUNNING; it is deleted whatever happens. */
const imageTest = z.strictObject({
  imageBuilder: z.strictObject({
    instanceType: appStreamInstanceType,
    /** The builder's VPC subnet (AppStream takes one); omitted: AppStream's default network. */
    subnetIds: z.array(subnetId).min(1).max(1).optional(),
    securityGroupIds: z.array(securityGroupId).min(1).max(5).optional(),
  }),
});

/** A copy of the new image in another Region of the account: the same name unless given (a template, as `newImageName`). */
const copyTarget = z.strictObject({ region, name: z.string().min(1).optional(), description: z.string().max(256).optional() });

/** UpdateImagePermissions for an account, on the new image and on every copy. */
const shareTarget = z.strictObject({
  account: accountId,
  allowFleet: z.boolean().default(true),
  allowImageBuilder: z.boolean().default(false),
});

/** How a run waits on a fleet stopping or starting; a rollback (`golden-image appstream rollback`) too. */
export const fleetWait = waitSchema('30s', '1h');

/** A fleet to put on the new image: in the build Region, or in a Region the image is copied to. */
const fleetTarget = z.strictObject({ name: appStreamName, region: region.optional() });
export type FleetTarget = z.output<typeof fleetTarget>;

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
    test: imageTest.optional(),
    /** Wait for `golden-image approve` (or reject) before the image leaves the build Region. */
    approval: approval.optional(),
    /** Where notifications go and which events are sent (see notifications.ts); `false` for none. */
    notify: notify.optional(),
    copyTo: z.array(copyTarget).default([]),
    shareWith: z.array(shareTarget).default([]),
    fleets: z.array(fleetTarget).default([]),
    fleetUpdate: z
      .strictObject({
        /** Stop, update and start each fleet in turn, so that no session stays on the old image. */
        restart: z.boolean().default(false),
      })
      .prefault({}),
    /** Keep the newest N images of this pipeline in each Region it has images in (the new one among them); delete the rest. */
    retention: retention.optional(),
    waits: z
      .strictObject({
        /** A managed update takes AppStream tens of minutes. */
        image: waitSchema('60s', '6h'),
        /** A copy to another Region: minutes to an hour. */
        copy: waitSchema('60s', '3h'),
        /** The test builder reaching RUNNING, and its removal. */
        builder: waitSchema('30s', '2h'),
        /** A fleet stopping or starting. */
        fleet: fleetWait,
        /** A new image may be "not found" for a while after CreateUpdatedImage (eventual consistency). */
        notFoundGrace: notFoundGraceSchema(),
      })
      .prefault({}),
  })
  .superRefine((input, ctx) => {
    const copyRegions = input.copyTo.map((c) => c.region);
    input.copyTo.forEach((copy, i) => {
      if (copyRegions.indexOf(copy.region) !== i)
        ctx.addIssue({ code: 'custom', path: ['copyTo', i, 'region'], message: `${copy.region} is listed twice` });
    });
    input.shareWith.forEach((share, i) => {
      if (input.shareWith.findIndex((s) => s.account === share.account) !== i)
        ctx.addIssue({ code: 'custom', path: ['shareWith', i, 'account'], message: `${share.account} is listed twice` });
      if (!share.allowFleet && !share.allowImageBuilder)
        ctx.addIssue({ code: 'custom', path: ['shareWith', i], message: 'allows neither a fleet nor an image builder: nothing to share' });
    });
    input.fleets.forEach((fleet, i) => {
      if (input.fleets.findIndex((f) => f.name === fleet.name && f.region === fleet.region) !== i)
        ctx.addIssue({ code: 'custom', path: ['fleets', i], message: `fleet ${fleet.name} is listed twice` });
      // The build Region is only known to the worker: the preflight checks a Region the config names that is neither.
    });

    // Names are resolved once per run; a sample run shows whether every template can make a valid name.
    const pipeline = input.name ?? input.existingImageName;
    const templates: [string, (string | number)[]][] = [
      [input.newImageName, ['newImageName']],
      ...input.copyTo.flatMap((copy, i): [string, (string | number)[]][] => (copy.name ? [[copy.name, ['copyTo', i, 'name']]] : [])),
    ];
    for (const [template, path] of templates) {
      if (!APPSTREAM_NAME.test(resolveImageName(template, { pipeline, ...SAMPLE_RUN }))) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${APPSTREAM_NAME_RULE} once {{pipeline}}, {{date}} (15 characters) and {{run}} (8) are filled in`,
        });
      }
    }
  })
  .transform(({ name, ...input }) => ({ name: name ?? input.existingImageName, ...input }));

/** What users write (defaults optional). */
export type AppStreamImageUpdateConfig = z.input<typeof appStreamImageUpdateInput>;
/** What the workflow works from: defaults applied. */
export type AppStreamImageUpdateInput = z.output<typeof appStreamImageUpdateInput>;

/** The new image in one Region: at home, or a copy. */
export interface AppStreamPlacedImage {
  /** Omitted: the build Region. */
  region?: string;
  name: string;
  arn: string;
}

export type AppStreamImageUpdateResult = (
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
      /** The test builder that reached RUNNING (and was deleted). */
      testedWith?: string;
      approval?: ApprovalDecision;
      copies?: AppStreamPlacedImage[];
      /** The accounts the image and its copies are shared with. */
      sharedWith?: string[];
      fleets?: FleetRow[];
      /** Images retention deleted (`region/name` outside the build Region). */
      retired?: string[];
    }
) & {
  /** How each notification of the run went (runs that began before notifications existed have none). */
  notifications?: NotificationOutcome[];
};
