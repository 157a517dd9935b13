/** Retention: after a run, keep the newest `keep` images of its pipeline and retire the rest. */
import { z } from 'zod';

export const retention = z.strictObject({
  keep: z.number().int().min(1, 'must be >= 1 (the new image is always kept)').max(1000),
});
