/**
 * The retention stage of `appStreamImageUpdate`: keep the newest `keep` images of this pipeline (the new
 * one always among them) and delete the rest. Only private images carrying this pipeline's tag are
 * listed, so nothing else can be touched; and only released ones (their run finished), so the image of
 * a run still waiting or awaiting approval is never deleted under it. Images still being built, and
 * images a builder or fleet uses, are left alone.
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

export async function retireOldAppStreamImages(pipeline: string, newImageName: string, keep: number): Promise<AppStreamRetention> {
  const releasedOnly = patched('retention-of-released-images-only');
  const images = await findPipelineAppStreamImages.executeWithOptions(
    { summary: `list ${releasedOnly ? 'released ' : ''}AppStream images of pipeline ${pipeline}` },
    releasedOnly ? [PIPELINE_TAG, pipeline, RELEASED_TAG] : [PIPELINE_TAG, pipeline],
  );
  const retire = images
    .filter((image) => image.name !== newImageName)
    .slice(keep - 1)
    .filter((image) => SETTLED.has(image.state));
  const outcome: AppStreamRetention = { retired: [], inUse: [] };
  for (const { name } of retire) {
    const deletion = await deleteAppStreamImage.executeWithOptions({ summary: `DeleteImage ${name}` }, [name]);
    (deletion === 'in-use' ? outcome.inUse : outcome.retired).push(name);
  }
  return outcome;
}
