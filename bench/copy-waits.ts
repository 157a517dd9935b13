/**
 * What the copies of a distribution run cost in each destination Region. The sandbox's DescribeImages
 * count there (every one of them a copy wait's: nothing else describes images in a copy Region) is
 * sampled every second while the runs go, which tells when the copy waits described and how many
 * describes fell into one poll interval; the final counts give the CopyImage calls and what was
 * throttled, and the Region's images when each copy became available.
 */
import type { CallCounts, SandboxAdmin } from '@golden-image/aws-sandbox';
import type { PipelineProgress } from '../contracts/progress';
import { callsPerInterval, risesOf, sampleEverySecond, type CountSample } from './beats';
import { summarizeCalls } from './call-stats';
import { round1 } from './stats';
import type { RegionCopies } from './types';

/** Samples each Region until `stop` (or, should a failing scenario never call it, until `timeoutMs` has passed). */
export function watchCopyWaits(admin: SandboxAdmin, regions: string[], intervalMs: number, timeoutMs: number) {
  const sampling = sampleEverySecond(
    async () => ({ counts: await Promise.all(regions.map((region) => describeImagesIn(admin, region))) }),
    timeoutMs,
  );
  return {
    /**
     * The figures per Region, and when each copy became available, keyed as the runs' progress names
     * a copy (`us-west-2/ami-…`). `startedAt` is the scenario's start.
     */
    async stop(startedAt: number): Promise<{ regions: RegionCopies[]; readyAt: Map<string, number> }> {
      const taken = await sampling.stop();
      const samples = new Map(regions.map((region, r) => [region, taken.map((t): CountSample => ({ at: t.at, count: t.counts[r]! }))]));
      const readyAt = new Map<string, number>();
      const stats = await Promise.all(
        regions.map(async (region) => {
          const ready = (await admin.state({ region })).images.flatMap((i) => (i.readyAt === null ? [] : [[i.id, i.readyAt] as const]));
          for (const [id, at] of ready) readyAt.set(`${region}/${id}`, at);
          const lastReadyS = ready.length ? round1((Math.max(...ready.map(([, at]) => at)) - startedAt) / 1000) : 0;
          return { ...regionCopies(region, samples.get(region)!, await admin.calls({ region }), intervalMs), lastReadyS };
        }),
      );
      return { regions: stats, readyAt };
    },
  };
}

/** The DescribeImages calls a Region has had so far. */
async function describeImagesIn(admin: SandboxAdmin, region: string): Promise<number> {
  return (await admin.calls({ region })).ec2.DescribeImages?.total ?? 0;
}

/** When the last of a run's copies became available: its progress lists each copy among its resources. */
export function lastCopyReady(progress: PipelineProgress, readyAt: Map<string, number>): number | undefined {
  const copies = progress.resources.filter((id) => readyAt.has(id)).map((id) => readyAt.get(id)!);
  return copies.length ? Math.max(...copies) : undefined;
}

function regionCopies(region: string, samples: CountSample[], counts: CallCounts, intervalMs: number): Omit<RegionCopies, 'lastReadyS'> {
  const described = risesOf(samples);
  const perBeat = callsPerInterval(described, intervalMs);
  const describeImages = counts.ec2.DescribeImages?.total ?? 0;
  return {
    region,
    describeImages,
    beats: perBeat.length,
    describesPerBeat: perBeat.length ? round1(describeImages / perBeat.length) : 0,
    peakDescribesPerBeat: Math.max(0, ...perBeat),
    throttledDescribe: summarizeCalls(counts).throttledDescribe,
    copyImageCalls: counts.ec2.CopyImage?.total ?? 0,
    throttledCopyImage: counts.ec2.CopyImage?.throttled ?? 0,
    copyWaitsS: described.length ? round1((described[described.length - 1]!.at - described[0]!.at) / 1000) : 0,
  };
}
