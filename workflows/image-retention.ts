/**
 * The retention stage: keep the newest `keep` images of this pipeline (the new one always among them)
 * and retire the rest: fast launch off and confirmed off, then deregister with snapshots. Only images
 * carrying this pipeline's tag in this account are ever listed, so nothing else can be touched; and
 * only released ones (their run finished), so an image of a run still waiting, awaiting approval or
 * rolling out is never retired under it.
 */
import { CancellationScope, CancelledFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WaitSettings } from '../contracts/durations';
import { PIPELINE_TAG, RELEASED_TAG } from '../contracts/tags';
import { CALL_OPTIONS, pollOptions } from './activity-options';

const { findPipelineImages, disableFastLaunch, waitForFastLaunch, deregisterImage } = proxyActivities<Activities>(CALL_OPTIONS);

export async function retireOldImages(pipeline: string, newImageId: string, keep: number, fastLaunchWait: WaitSettings): Promise<string[]> {
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
      await retireImage(imageId, fastLaunchWait);
      retired.push(imageId);
      continue;
    }
    // Fast launch off and deregister are one unit: a cancel between them would keep the image with its fast launch off.
    // A cancel lets the image in hand finish, then stops: no further image is touched.
    await CancellationScope.nonCancellable(() => retireImage(imageId, fastLaunchWait));
    retired.push(imageId);
    if (stage.consideredCancelled) throw new CancelledFailure(`retention cancelled after retiring ${retired.join(', ')}`);
  }
  return retired;
}

async function retireImage(imageId: string, fastLaunchWait: WaitSettings): Promise<void> {
  const hadFastLaunch = await disableFastLaunch.executeWithOptions({ summary: `disable fast launch on ${imageId}` }, [imageId]);
  if (hadFastLaunch) {
    await waitForFastLaunch.executeWithOptions(
      { ...pollOptions(fastLaunchWait), summary: `wait until fast launch on ${imageId} is disabled` },
      [imageId, 'disabled'],
    );
  }
  await deregisterImage.executeWithOptions({ summary: `deregister ${imageId} and its snapshots` }, [imageId]);
}
