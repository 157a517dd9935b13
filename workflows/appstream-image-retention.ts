/**
 * The retention stage of `appStreamImageUpdate`: keep the newest `keep` images of this pipeline (the new
 * one always among them) and delete the rest. Only private images carrying this pipeline's tag are
 * listed, so nothing else can be touched; and only released ones (their run finished), so the image of
 * a run still waiting or awaiting approval is never deleted under it. Images still being built, and
 * images a builder or fleet uses, are left alone. Each Region the pipeline has images in keeps its own newest.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS } from './activity-options';
import { PIPELINE_TAG, RELEASED_TAG } from '../contracts/tags';

const { findPipelineAppStreamImages, deleteAppStreamImage } = proxyActivities<Activities>(CALL_OPTIONS);

const SETTLED = new Set(['AVAILABLE', 'FAILED']);

interface AppStreamRetention {
  retired: string[];
  inUse: string[];
}

/** In `region` (omitted: the build Region), where the run's image there is `newImageName`. */
export async function retireOldAppStreamImages(
  pipeline: string,
  newImageName: string,
  keep: number,
  region?: string,
): Promise<AppStreamRetention> {
  const releasedOnly = patched('retention-of-released-images-only');
  const inRegion = region ? ` in ${region}` : '';
  const images = await findPipelineAppStreamImages.executeWithOptions(
    { summary: `list ${releasedOnly ? 'released ' : ''}AppStream images of pipeline ${pipeline}${inRegion}` },
    releasedOnly
      ? region
        ? [PIPELINE_TAG, pipeline, RELEASED_TAG, region]
        : [PIPELINE_TAG, pipeline, RELEASED_TAG]
      : [PIPELINE_TAG, pipeline],
  );
  const retire = images
    .filter((image) => image.name !== newImageName)
    .slice(keep - 1)
    .filter((image) => SETTLED.has(image.state));
  const outcome: AppStreamRetention = { retired: [], inUse: [] };
  for (const { name } of retire) {
    const deletion = await deleteAppStreamImage.executeWithOptions(
      { summary: `DeleteImage ${name}${inRegion}` },
      region ? [name, region] : [name],
    );
    (deletion === 'in-use' ? outcome.inUse : outcome.retired).push(region ? `${region}/${name}` : name);
  }
  return outcome;
}
