/** Retention: after a run, keep the newest `keep` images of its pipeline and retire the rest. */
import { z } from 'zod';

export const retention = z.strictObject({
  keep: z.number().int().min(1, 'must be >= 1 (the new image is always kept)').max(1000),
});

/**
 * What a pipeline points at its images, so that retention never retires one still in use: its published
 * launch templates (in the build account; `region` omitted is the build Region) and SSM parameters (in
 * every Region of the build account that holds an image). Instances running from an image are found
 * without being listed.
 */
export interface ImagesInUse {
  launchTemplates: { region?: string; id?: string; name?: string }[];
  ssmParameters: string[];
}
