/**
 * The retention stage: keep the newest `keep` images of this pipeline (the new one always among them)
 * and retire the rest: fast launch off and confirmed off, then deregister with snapshots. Only images
 * carrying this pipeline's tag in this account are ever listed, so nothing else can be touched.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WaitSettings } from '../contracts/durations';
import { PIPELINE_TAG } from '../contracts/tags';
import { CALL_OPTIONS, pollOptions } from './activity-options';

const { findPipelineImages, disableFastLaunch, waitForFastLaunch, deregisterImage } = proxyActivities<Activities>(CALL_OPTIONS);

export async function retireOldImages(pipeline: string, newImageId: string, keep: number, fastLaunchWait: WaitSettings): Promise<string[]> {
  const images = await findPipelineImages.executeWithOptions({ summary: `list images of pipeline ${pipeline}` }, [PIPELINE_TAG, pipeline]);
  const older = images.filter((image) => image.imageId !== newImageId);
  const retire = older.slice(keep - 1);
  for (const { imageId } of retire) {
    const hadFastLaunch = await disableFastLaunch.executeWithOptions({ summary: `disable fast launch on ${imageId}` }, [imageId]);
    if (hadFastLaunch) {
      await waitForFastLaunch.executeWithOptions(
        { ...pollOptions(fastLaunchWait), summary: `wait until fast launch on ${imageId} is disabled` },
        [imageId, 'disabled'],
      );
    }
    await deregisterImage.executeWithOptions({ summary: `deregister ${imageId} and its snapshots` }, [imageId]);
  }
  return retire.map((image) => image.imageId);
}
