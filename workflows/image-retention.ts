/**
 * The retention stage. In each place that holds an image of this run (the build Region, each copy's
 * Region, each other account's Regions), keep the newest `keep` images of this pipeline (the run's own
 * image there always among them) and retire the rest, as `action` says: deregister (fast launch off and
 * confirmed off, deregistration protection lifted, then deregistered with its snapshots), deprecate, or
 * disable. An image still in use (an instance runs from it, a published launch template or SSM parameter
 * points at it) is spared, and the workflow log says why. Only images carrying this pipeline's tag in
 * that account are ever listed, so nothing else can be touched; and only released ones (their run
 * finished), so an image of a run still waiting, awaiting approval or rolling out is never retired under it.
 *
 * Runs from before retention per place retire in the build Region only, by deregistering, as they did.
 */
import { CancellationScope, CancelledFailure, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlacedImage, RetentionSpec } from '../contracts/ami-pipeline';
import type { WaitSettings } from '../contracts/duration-fields';
import { placedId, type Place } from '../contracts/place';
import type { ImagesInUse } from '../contracts/retention';
import { PIPELINE_TAG, RELEASED_TAG } from '../contracts/tags';
import { CALL_OPTIONS, pollOptions } from './activity-options';

const {
  findPipelineImages,
  findImagesInUse,
  disableFastLaunch,
  waitForFastLaunch,
  unprotectImage,
  deregisterImage,
  deprecateImage,
  disableImage,
} = proxyActivities<Activities>(CALL_OPTIONS);

type RetentionAction = RetentionSpec['action'];

const MINUTE_MS = 60_000;
/**
 * EC2 refuses a deprecation time in the past, and an attempt of EnableImageDeprecation may start as late
 * as CALL_OPTIONS' 15-minute schedule-to-close: "deprecate now" is the next whole minute after that.
 */
const DEPRECATION_LEAD_MS = 15 * MINUTE_MS;

/**
 * `images`: the run's own, the original in the build Region first, then its copies. Returns the images
 * retired, region-qualified (`placedId`).
 */
export async function retireOldImages(
  pipeline: string,
  images: PlacedImage[],
  retention: RetentionSpec,
  fastLaunchWait: WaitSettings,
  inUse: ImagesInUse,
): Promise<string[]> {
  if (!patched('retention-per-place')) return retireOldHomeImages(pipeline, images[0]!.imageId, retention.keep, fastLaunchWait);
  const retired: string[] = [];
  const stage = CancellationScope.current();
  for (const place of distinctPlaces(images)) {
    const own = new Set(images.filter((image) => samePlace(image.place, place)).map((image) => image.imageId));
    const listed = await findPipelineImages.executeWithOptions(
      { summary: `list released images of pipeline ${pipeline} in ${where(place)}` },
      [PIPELINE_TAG, pipeline, RELEASED_TAG, place],
    );
    const deprecateAt = deprecationFromNow();
    const due = listed
      .filter((image) => !own.has(image.imageId))
      .slice(retention.keep - 1)
      .filter((image) => !alreadyRetired(image, retention.action, deprecateAt))
      .map((image) => image.imageId);
    if (!due.length) continue;
    const used = await findImagesInUse.executeWithOptions(
      { summary: `check which of ${due.length} older image(s) in ${where(place)} are still in use` },
      [due, inUse, place],
    );
    for (const imageId of due) {
      const reason = used[imageId];
      if (reason) {
        log.info(`retention spares ${placedId(place, imageId)}: ${reason}`, { pipeline });
        continue;
      }
      // Each image is one unit: a cancel lets the image in hand finish (a deregistration never stops
      // with its fast launch off and the image kept), then stops: no further image is touched.
      await CancellationScope.nonCancellable(() => retireImage(imageId, place, retention.action, fastLaunchWait));
      retired.push(placedId(place, imageId));
      if (stage.consideredCancelled) throw new CancelledFailure(`retention cancelled after retiring ${retired.join(', ')}`);
    }
  }
  return retired;
}

/** Each place once, in the order the run's images name them; a role's session does not make another place. */
function distinctPlaces(images: PlacedImage[]): Place[] {
  return images.map((image) => image.place).filter((place, i, places) => places.findIndex((p) => samePlace(p, place)) === i);
}

function samePlace(a: Place, b: Place): boolean {
  return a.region === b.region && a.roleArn === b.roleArn;
}

/** `us-west-2`, `444455556666/us-west-2`, or the build Region. */
function where(place: Place): string {
  return placedId(place, '').replace(/\/$/, '') || 'the build Region';
}

/** The time a deprecation asked for now would take effect (see DEPRECATION_LEAD_MS). */
function deprecationFromNow(): number {
  return Math.ceil((Date.now() + DEPRECATION_LEAD_MS) / MINUTE_MS) * MINUTE_MS;
}

/**
 * Whether an image already is as the action would leave it, so that retention asks EC2 nothing for it:
 * disabled, or deprecated (or due to be) no later than a deprecation asked for now would be: a later
 * run must not push a deprecation back.
 */
function alreadyRetired(image: { state: string; deprecationTime?: string }, action: RetentionAction, deprecateAt: number): boolean {
  if (action === 'disable') return image.state === 'disabled';
  if (action === 'deprecate') return image.deprecationTime !== undefined && Date.parse(image.deprecationTime) <= deprecateAt;
  return false;
}

async function retireImage(imageId: string, place: Place, action: RetentionAction, fastLaunchWait: WaitSettings): Promise<void> {
  const image = placedId(place, imageId);
  if (action === 'deregister') return deregisterOldImage(imageId, fastLaunchWait, place);
  if (action === 'deprecate') {
    const deprecateAt = new Date(deprecationFromNow()).toISOString();
    await deprecateImage.executeWithOptions({ summary: `deprecate ${image} at ${deprecateAt}` }, [imageId, deprecateAt, place]);
    return;
  }
  await disableImage.executeWithOptions({ summary: `disable ${image}` }, [imageId, place]);
}

/**
 * Fast launch off and confirmed off, deregistration protection lifted, then deregistered with its
 * snapshots. Without a place (a run from before retention per place) the calls act in the build Region,
 * and protection is not looked at: images were not protected before distribution.
 */
async function deregisterOldImage(imageId: string, fastLaunchWait: WaitSettings, place?: Place): Promise<void> {
  const image = placedId(place ?? {}, imageId);
  const hadFastLaunch = await disableFastLaunch.executeWithOptions({ summary: `disable fast launch on ${image}` }, [imageId, place]);
  if (hadFastLaunch) {
    await waitForFastLaunch.executeWithOptions(
      { ...pollOptions(fastLaunchWait), summary: `wait until fast launch on ${image} is disabled` },
      [imageId, 'disabled', place],
    );
  }
  if (place) await unprotectImage.executeWithOptions({ summary: `lift deregistration protection from ${image}` }, [imageId, place]);
  await deregisterImage.executeWithOptions({ summary: `deregister ${image} and its snapshots` }, [imageId, place]);
}

/** Retention as runs from before retention per place did it: the build Region only, deregistering. */
async function retireOldHomeImages(pipeline: string, newImageId: string, keep: number, fastLaunchWait: WaitSettings): Promise<string[]> {
  const releasedOnly = patched('retention-of-released-images-only');
  const images = await findPipelineImages.executeWithOptions(
    { summary: `list ${releasedOnly ? 'released ' : ''}images of pipeline ${pipeline}` },
    releasedOnly ? [PIPELINE_TAG, pipeline, RELEASED_TAG] : [PIPELINE_TAG, pipeline],
  );
  const older = images.filter((image) => image.imageId !== newImageId);
  const retire = older.slice(keep - 1);
  const retired: string[] = [];
  const stage = CancellationScope.current();
  for (const { imageId } of retire) {
    if (!patched('retire-image-as-one-unit')) {
      await deregisterOldImage(imageId, fastLaunchWait);
      retired.push(imageId);
      continue;
    }
    await CancellationScope.nonCancellable(() => deregisterOldImage(imageId, fastLaunchWait));
    retired.push(imageId);
    if (stage.consideredCancelled) throw new CancelledFailure(`retention cancelled after retiring ${retired.join(', ')}`);
  }
  return retired;
}
