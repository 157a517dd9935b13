/**
 * The distribute stage: copies of the new image in other Regions and accounts, each waited for until it
 * is available, then launch permissions, deprecation and deregistration protection on every image of
 * the run, the original too. Every copy the run has asked for is recorded in `made` the moment EC2 names
 * it, so that a run that fails or is cancelled later removes it (see `removeCopies`).
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlacedImage } from '../contracts/ami-pipeline';
import { deprecationTime } from '../contracts/deprecation-time';
import type { DistributionSpec } from '../contracts/distribution';
import type { WaitSettings } from '../contracts/duration-fields';
import { durationMs } from '../contracts/durations';
import { placedId, placeName, roleAccount, type Place } from '../contracts/place';
import { CALL_OPTIONS, pollOptions } from './activity-options';

const { copyImage, shareImage, deprecateImage, protectImage, unprotectImage, deregisterImage, removeCreatedImage, waitForImageAvailable } =
  proxyActivities<Activities>(CALL_OPTIONS);

export interface DistributeContext {
  workflowId: string;
  imageId: string;
  imageName: string;
  description?: string;
  homeRegion: string;
  /** The pipeline and run tags, which every copy carries as the original does. */
  tags: Record<string, string>;
  ownershipTag: string;
  session: string;
  wait: WaitSettings;
  notFoundGrace: string;
}

interface CopyTarget {
  place: Place;
  kmsKeyId?: string;
}

/** Where the copies go: this account's Regions, then each other account's. */
export function copyTargets(spec: DistributionSpec, session: string): CopyTarget[] {
  return [
    ...spec.regions.map(({ region, kmsKeyId }) => ({ place: { region }, kmsKeyId })),
    ...spec.accounts.flatMap(({ roleArn, regions, kmsKeyId }) =>
      regions.map((region) => ({ place: { region, roleArn, session }, kmsKeyId })),
    ),
  ];
}

/** What the distribute stage did, for its row in the stage table. */
export interface DistributeOutcome {
  notes: string[];
}

export async function distribute(
  spec: DistributionSpec,
  ctx: DistributeContext,
  made: PlacedImage[],
  onCopy: (copy: PlacedImage) => void,
): Promise<DistributeOutcome> {
  const notes: string[] = [];
  const targets = copyTargets(spec, ctx.session);
  const accounts = [...new Set(spec.accounts.map((a) => roleAccount(a.roleArn)))];
  // Another account can copy only what it may launch: the original is shared with it first.
  if (accounts.length) {
    await shareImage.executeWithOptions({ summary: `let ${accounts.join(', ')} copy ${ctx.imageId}` }, [
      ctx.imageId,
      { accounts, organizations: [], organizationalUnits: [] },
    ]);
  }

  // Once asked for, a copy's ID must come back, so that a failing or cancelled run can remove it.
  const started = await CancellationScope.nonCancellable(() =>
    Promise.allSettled(
      targets.map(async ({ place, kmsKeyId }) => {
        const imageId = await copyImage.executeWithOptions({ summary: `CopyImage ${ctx.imageId} to ${placeName(place)}` }, [
          {
            sourceImageId: ctx.imageId,
            sourceRegion: ctx.homeRegion,
            name: ctx.imageName,
            description: ctx.description,
            kmsKeyId,
            // From the work, not the run: a retry, a replay or a reset asks for the same copy.
            workKey: `${ctx.workflowId}/${ctx.imageId}/${place.roleArn ? roleAccount(place.roleArn) : 'home'}/${place.region}`,
            tags: ctx.tags,
            ownershipTag: ctx.ownershipTag,
          },
          place,
        ]);
        const copy = { place, imageId };
        made.push(copy);
        onCopy(copy);
        return copy;
      }),
    ),
  );
  // In the order the config gives, not the order EC2 answered: the run's result and its later calls read alike every time.
  made.sort((a, b) => targets.findIndex((t) => t.place === a.place) - targets.findIndex((t) => t.place === b.place));
  const failedCopy = started.find((s) => s.status === 'rejected');
  if (failedCopy) throw failedCopy.reason;
  const copies = started.map((s) => (s as PromiseFulfilledResult<PlacedImage>).value);

  const graceUntil = new Date(Date.now() + durationMs(ctx.notFoundGrace)).toISOString();
  await allOrNothing(
    copies.map(
      ({ place, imageId }) =>
        () =>
          waitForImageAvailable.executeWithOptions(
            { ...pollOptions(ctx.wait), summary: `wait until copy ${placedId(place, imageId)} is available` },
            [{ imageId, notFoundGraceUntil: graceUntil }, place],
          ),
    ),
  );
  notes.push(`copied to ${copies.map((c) => placedId(c.place, c.imageId)).join(', ') || 'no other Region'}`);

  const everyImage: PlacedImage[] = [{ place: {}, imageId: ctx.imageId }, ...copies];
  const { accounts: shareAccounts, organizations, organizationalUnits } = spec.shareWith;
  const share = {
    accounts: spec.shareWith.public ? [...new Set([...shareAccounts, 'all'])] : shareAccounts,
    organizations,
    organizationalUnits,
  };
  if (share.accounts.length + organizations.length + organizationalUnits.length) {
    // An account's own copy needs no permission for that account.
    const forOthers = ({ place }: PlacedImage) => ({
      ...share,
      accounts: share.accounts.filter((account) => !place.roleArn || account !== roleAccount(place.roleArn)),
    });
    const toShare = everyImage.filter((image) => Object.values(forOthers(image)).some((list) => list.length));
    await forEvery(toShare, (image) =>
      shareImage.executeWithOptions({ summary: `share ${placedId(image.place, image.imageId)}` }, [
        image.imageId,
        forOthers(image),
        image.place,
      ]),
    );
    notes.push(`shared with ${[...share.accounts, ...organizations, ...organizationalUnits].join(', ')}`);
  }
  if (spec.deprecateAfter) {
    const at = deprecationTime(spec.deprecateAfter, Date.now());
    await forEvery(everyImage, ({ place, imageId }) =>
      deprecateImage.executeWithOptions({ summary: `deprecate ${placedId(place, imageId)} at ${at}` }, [imageId, at, place]),
    );
    notes.push(`deprecated from ${at}`);
  }
  if (spec.deregistrationProtection) {
    await forEvery(everyImage, ({ place, imageId }) =>
      protectImage.executeWithOptions({ summary: `protect ${placedId(place, imageId)} from deregistration` }, [imageId, place]),
    );
    notes.push('deregistration protection on');
  }
  return { notes };
}

/**
 * The undo of distribute for a run that did not finish: every copy it knows of is deregistered with its
 * snapshots (protection lifted first), and a copy asked for whose ID never came back is looked for by
 * its name and removed if it carries this run's tag. Each removal is tried; one failing does not stop the rest.
 */
export async function removeCopies(
  made: PlacedImage[],
  asked: Place[],
  ctx: Pick<DistributeContext, 'imageName' | 'tags' | 'ownershipTag'>,
): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const known = new Set(made.map((c) => placeName(c.place)));
  const outcomes = await Promise.allSettled([
    ...made.map(async ({ place, imageId }) => {
      await unprotectImage.executeWithOptions({ summary: `lift deregistration protection from ${placedId(place, imageId)}` }, [
        imageId,
        place,
      ]);
      await deregisterImage.executeWithOptions({ summary: `deregister unfinished copy ${placedId(place, imageId)} and its snapshots` }, [
        imageId,
        place,
      ]);
      removed.push(placedId(place, imageId));
    }),
    ...asked
      .filter((place) => !known.has(placeName(place)))
      .map(async (place) => {
        const imageId = await removeCreatedImage.executeWithOptions(
          { summary: `deregister the copy in ${placeName(place)} if EC2 made it` },
          [{ name: ctx.imageName, tags: ctx.tags, ownershipTag: ctx.ownershipTag }, place],
        );
        if (imageId) removed.push(placedId(place, imageId));
      }),
  ]);
  const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []));
  return { removed, failed };
}

/** Runs every call at once; the first failure cancels the others and fails the whole. */
async function allOrNothing<T>(calls: (() => Promise<T>)[]): Promise<T[]> {
  const scope = new CancellationScope();
  try {
    return await scope.run(() => Promise.all(calls.map((call) => call())));
  } catch (err) {
    scope.cancel();
    throw err;
  }
}

const forEvery = (images: PlacedImage[], call: (image: PlacedImage) => Promise<unknown>) =>
  allOrNothing(images.map((image) => () => call(image)));
