/**
 * The fast-launch stage: EnableFastLaunch on the run's image in each Region asked for, then a wait until
 * each is enabled. Without `regions`, that is the original in the build Region alone, as before
 * distribution; `all` adds every copy in this account. Fast launch is this account's: copies owned by
 * other accounts are theirs to configure.
 */
import { CancellationScope, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FastLaunchSpec, PlacedImage } from '../contracts/ami-pipeline';
import type { WaitSettings } from '../contracts/duration-fields';
import { placedId } from '../contracts/place';
import { CALL_OPTIONS, pollOptions } from './activity-options';

const { enableFastLaunch, waitForFastLaunch } = proxyActivities<Activities>(CALL_OPTIONS);

export interface FastLaunchTarget extends PlacedImage {
  spec: FastLaunchSpec;
}

/** The images to enable it on, each with its Region's launch template (or the top-level one). */
export function fastLaunchTargets(spec: FastLaunchSpec, homeRegion: string, images: PlacedImage[]): FastLaunchTarget[] {
  const ours = images.filter((i) => !i.place.roleArn);
  if (spec.regions === undefined) return [{ ...ours[0]!, spec }];
  if (spec.regions === 'all') return ours.map((image) => ({ ...image, spec }));
  return spec.regions.map((entry) => {
    const region = typeof entry === 'string' ? entry : entry.region;
    // The preflight made sure each Region holds an image of the run.
    const image = ours.find((i) => (i.place.region ?? homeRegion) === region)!;
    return { ...image, spec: typeof entry === 'string' ? spec : { ...spec, launchTemplate: entry.launchTemplate } };
  });
}

/** Enables fast launch everywhere asked, in parallel; `asked` hears of each image before EnableFastLaunch is sent. */
export async function enableFastLaunchEverywhere(
  targets: FastLaunchTarget[],
  wait: WaitSettings,
  asked: (image: PlacedImage) => void,
): Promise<string[]> {
  return Promise.all(
    targets.map(async ({ place, imageId, spec }) => {
      asked({ place, imageId });
      const where = placedId(place, imageId);
      const enable = () => enableFastLaunch.executeWithOptions({ summary: `EnableFastLaunch on ${where}` }, [imageId, spec, place]);
      // Once sent, EnableFastLaunch must finish, so that a clean-up's DisableFastLaunch never races it.
      const state = await (patched('enable-fast-launch-completes') ? CancellationScope.nonCancellable(enable) : enable());
      await waitForFastLaunch.executeWithOptions({ ...pollOptions(wait), summary: `wait until fast launch on ${where} is enabled` }, [
        imageId,
        'enabled',
        place,
      ]);
      return targets.length > 1 ? `${where} enabled` : state;
    }),
  );
}
