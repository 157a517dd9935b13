/**
 * The sandbox world each scenario starts from. Time is compressed 60x (one AWS minute is one sandbox
 * second): AMIs take a random 20–60 "minutes", their copies to other Regions 30–90, root-volume
 * replacements 0.5–1.5 + 2–6 "minutes". The draws are seeded, so every mode of a run, and every run,
 * sees the same durations in creation order.
 * Throttling stays at AWS's published sizes (scale 1), the sandbox default.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SandboxAdmin, SandboxConfigOverrides } from '@golden-image/aws-sandbox';
import { runInstances } from '../dev/launch-instances';
import { pollUntil, sleep } from './bounded';

const DURATION_SEED = 7;

export const BENCH_SANDBOX: SandboxConfigOverrides = {
  profile: 'realistic',
  durations: { instance: 500 },
  durationRanges: {
    image: [20_000, 60_000],
    // A cross-Region copy takes as long as the image or longer: 1.5 times, as in the realistic profile (12 minutes against 8).
    copyImage: [30_000, 90_000],
    replaceRootVolumePending: [500, 1_500],
    replaceRootVolumeInProgress: [2_000, 6_000],
  },
  durationSeed: DURATION_SEED,
  // EC2's eventual consistency stays on: a new AMI is "not found" for 2 s.
  notFoundWindowMs: 2_000,
  throttling: { enabled: true, scale: 1 },
};

/** RunInstances' own bucket is 5, refilled at 2 a second: launch in big batches, and back off when throttled. */
const RUN_BATCH = 250;

export async function launchInstances(ec2: EC2Client, admin: SandboxAdmin, count: number, tags: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  for (let left = count, tries = 0; left > 0 && tries < 50; tries++) {
    const batch = Math.min(RUN_BATCH, left);
    try {
      ids.push(...(await runInstances(ec2, 'linux', batch, tags)));
      left -= batch;
    } catch (err) {
      if ((err as { name?: string }).name !== 'RequestLimitExceeded') throw err;
      await sleep(1_000);
    }
  }
  if (ids.length !== count) throw new Error(`bench: launched ${ids.length} of ${count} instances`);
  const wanted = new Set(ids);
  await pollUntil(`${count} instances to run`, 60_000, 250, async () => {
    const running = (await admin.state()).instances.filter((i) => wanted.has(i.id) && i.state === 'running').length;
    return running === count ? true : undefined;
  });
  return ids;
}
