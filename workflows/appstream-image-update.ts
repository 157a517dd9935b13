/**
 * `appStreamImageUpdate`: a managed AppStream 2.0 image update.
 * Stages: check-update → create → wait-available → tag → retention. The dry run comes first: when AWS
 * has no update for the image, the run ends as "no update available" having changed nothing. Each
 * stage shows in the UI (current details, search attributes, activity summaries) and in `progress`.
 */
import { ApplicationFailure, CancellationScope, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import { APPSTREAM_UPDATE_STAGES, type AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import { APPSTREAM_NAME, APPSTREAM_NAME_RULE } from '../contracts/appstream-names';
import { durationMs } from '../contracts/durations';
import { imageNameForThisRun, runIdentity } from './run-identity';
import { PIPELINE_TAG, RELEASED_TAG, RUN_TAG } from '../contracts/tags';
import { validatedInput } from './validated-input';
import { retireOldAppStreamImages } from './appstream-image-retention';
import { StageTracker } from './stage-tracker';

const { checkUpdateAvailable, createUpdatedImage, waitForAppStreamImage, tagAppStreamImage, deleteAppStreamImage } =
  proxyActivities<Activities>(CALL_OPTIONS);

export async function appStreamImageUpdate(raw: unknown): Promise<AppStreamImageUpdateResult> {
  // Before the input check, for the reason given in amiPipeline.
  const runId = runIdentity();
  const input = await validatedInput('appstream-update', raw);
  const stages = new StageTracker(input.name, APPSTREAM_UPDATE_STAGES);
  const imageName = imageNameForThisRun(input.newImageName, input.name);
  if (!APPSTREAM_NAME.test(imageName))
    throw ApplicationFailure.nonRetryable(`newImageName ${imageName}: ${APPSTREAM_NAME_RULE}`, 'InvalidInput');
  const ownTags = { [PIPELINE_TAG]: input.name, [RUN_TAG]: runId };

  const check = await stages.run('check-update', () =>
    checkUpdateAvailable.executeWithOptions({ summary: `CreateUpdatedImage dry run: is there an update for ${input.existingImageName}?` }, [
      input.existingImageName,
      imageName,
    ]),
  );
  if (!check.canUpdateImage) {
    stages.note('check-update', 'no update available');
    for (const stage of APPSTREAM_UPDATE_STAGES.slice(1)) stages.skip(stage, 'no update available');
    return {
      pipeline: input.name,
      updated: false,
      message: 'no update available',
      existingImageName: input.existingImageName,
      timings: stages.timings(),
    };
  }
  stages.note('check-update', 'update available');
  if (!input.retention) stages.skip('retention', 'not configured');

  const created = await stages.run('create', async () => {
    // Once CreateUpdatedImage is sent it must finish, so that the run always knows what it made.
    const image = await CancellationScope.nonCancellable(() =>
      createUpdatedImage.executeWithOptions({ summary: `CreateUpdatedImage ${imageName} from ${input.existingImageName}` }, [
        {
          existingImageName: input.existingImageName,
          newImageName: imageName,
          description: input.newImageDescription,
          displayName: input.newImageDisplayName,
          tags: ownTags,
          ownershipTag: RUN_TAG,
        },
      ]),
    );
    stages.addResource(image.name);
    stages.note('create', `${image.adopted ? 'adopted' : 'created'} ${image.name}`);
    return image;
  });

  // Until the image is available and tagged, a run that does not finish removes it (unless told to keep it).
  try {
    await stages.run('wait-available', () =>
      waitForAppStreamImage.executeWithOptions({ ...pollOptions(input.waits.image), summary: `wait until ${imageName} is AVAILABLE` }, [
        imageName,
        new Date(Date.now() + durationMs(input.waits.notFoundGrace)).toISOString(),
      ]),
    );
    await stages.run('tag', () =>
      tagAppStreamImage.executeWithOptions({ summary: `tag ${imageName}` }, [created.arn, { ...input.tags, ...ownTags }]),
    );
  } catch (err) {
    if (!input.keepUnfinishedImage) {
      // AppStream refuses to delete an image it is still building, so this polls until it can.
      await CancellationScope.nonCancellable(() =>
        deleteAppStreamImage.executeWithOptions({ ...pollOptions(input.waits.image), summary: `delete unfinished image ${imageName}` }, [
          imageName,
        ]),
      );
      stages.note(stages.progress().stage, `deleted ${imageName}`);
    }
    throw err;
  }

  // The run has succeeded: only now may retention, this run's or a later one's, count its image.
  if (patched('release-image-at-end-of-run')) {
    await tagAppStreamImage.executeWithOptions({ summary: `mark ${imageName} released` }, [
      created.arn,
      { [PIPELINE_TAG]: input.name, [RELEASED_TAG]: new Date().toISOString() },
    ]);
  }

  const retention = input.retention
    ? await stages.run('retention', () => retireOldAppStreamImages(input.name, imageName, input.retention!.keep))
    : undefined;
  if (retention) {
    stages.note('retention', retention.retired.length ? `deleted ${retention.retired.join(', ')}` : 'nothing to delete');
    if (retention.inUse.length) stages.note('retention', `kept (in use) ${retention.inUse.join(', ')}`);
  }

  return { pipeline: input.name, updated: true, imageName, arn: created.arn, timings: stages.timings(), retired: retention?.retired };
}
