/**
 * The publish stage, after approval: a new version of each launch template named, whose ImageId is
 * that Region's image, and each SSM parameter written in every Region of this account that holds an
 * image of the run. Both are idempotent: the version by a ClientToken from the work, the parameter by
 * writing only when it does not hold the image already.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlacedImage } from '../contracts/ami-pipeline';
import type { PublishSpec } from '../contracts/distribution';
import { CALL_OPTIONS } from './activity-options';

const { publishLaunchTemplateVersion, publishImageParameter } = proxyActivities<Activities>(CALL_OPTIONS);

/** A launch-template version publish wrote: what an instance refresh rolls out. */
export interface PublishedVersion {
  region: string;
  launchTemplateId: string;
  version: number;
}

export interface Published {
  /** As `<region>/<template> v<n>` and `<region>:<parameter> v<n>`. */
  lines: string[];
  versions: PublishedVersion[];
}

export async function publishImages(spec: PublishSpec, homeRegion: string, images: PlacedImage[], workflowId: string): Promise<Published> {
  const ours = images.filter((i) => !i.place.roleArn);
  const imageIn = (region: string) => ours.find((i) => (i.place.region ?? homeRegion) === region)!;
  const templates = spec.launchTemplates.map(async ({ region = homeRegion, id, name, setDefault }) => {
    const { place, imageId } = imageIn(region);
    const template = id ?? name!;
    const out = await publishLaunchTemplateVersion.executeWithOptions(
      { summary: `new version of launch template ${template} in ${region} with ${imageId}` },
      [{ template: { id, name }, imageId, setDefault, workKey: `${workflowId}/${region}/${template}/${imageId}` }, place],
    );
    return {
      line: `${region}/${template} v${out.version}${out.isDefault ? ' (default)' : ''}`,
      version: { region, launchTemplateId: out.launchTemplateId, version: out.version },
    };
  });
  const parameters = spec.ssmParameters.flatMap(({ name }) =>
    ours.map(async ({ place, imageId }) => {
      const region = place.region ?? homeRegion;
      const out = await publishImageParameter.executeWithOptions({ summary: `put ${imageId} in SSM parameter ${name} in ${region}` }, [
        { name, imageId },
        place,
      ]);
      return `${region}:${name} v${out.version}`;
    }),
  );
  const [written, lines] = await Promise.all([Promise.all(templates), Promise.all(parameters)]);
  return { lines: [...written.map((w) => w.line), ...lines], versions: written.map((w) => w.version) };
}
