/**
 * `appStreamImageUpdate`: a managed AppStream 2.0 image update, carried to the fleets.
 * Stages: check-update → create → wait-available → tag → test → approval → copy → share → fleets →
 * retention. The dry run comes first (after a preflight of the copy Regions and fleets): when AWS has
 * no update for the image, the run ends as "no update available" having changed nothing. Until the
 * image reaches its first fleet, a run that fails or is cancelled deletes what it made, copies too.
 * Each stage shows in the UI (current details, search attributes, activity summaries) and in `progress`.
 */
import { ActivityCancellationType, ApplicationFailure, CancellationScope, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import type { AppStreamImageUpdateInput, AppStreamImageUpdateResult, AppStreamPlacedImage } from '../contracts/appstream-image-update';
import { APPSTREAM_UPDATE_STAGES, type AppStreamUpdateStage } from '../contracts/appstream-update-stages';
import type { ApprovalDecision } from '../contracts/approval';
import { ApprovalGate, approvalAsked } from './approval-gate';
import { updateFleets } from './appstream-fleets';
import { APPSTREAM_NAME, APPSTREAM_NAME_RULE } from '../contracts/appstream-names';
import { durationMs } from '../contracts/durations';
import { imageNameForThisRun, runIdentity } from './run-identity';
import { PIPELINE_TAG, RELEASED_TAG, RUN_TAG } from '../contracts/tags';
import { validatedInput } from './validated-input';
import { retireOldAppStreamImages } from './appstream-image-retention';
import { Notifier, notificationsEnabled } from './notifications';
import { StageTracker } from './stage-tracker';

const {
  preflightAppStreamUpdate,
  checkUpdateAvailable,
  createUpdatedImage,
  waitForAppStreamImage,
  tagAppStreamImage,
  deleteAppStreamImage,
  copyAppStreamImage,
  shareAppStreamImage,
  createImageBuilder,
  waitForImageBuilder,
  removeOwnImageBuilder,
} = proxyActivities<Activities>(CALL_OPTIONS);

export async function appStreamImageUpdate(raw: unknown): Promise<AppStreamImageUpdateResult> {
  // Before the input check, for the reason given in amiPipeline.
  const runId = runIdentity();
  const notifying = notificationsEnabled();
  const input = withLaterSettings(await validatedInput('appstream-update', raw));
  const stages = new StageTracker(input.name, APPSTREAM_UPDATE_STAGES);
  // Before anything else, so that an answer sent too early is refused with a reason.
  const gate = new ApprovalGate();
  const notifier = new Notifier(notifying, input.name, input.notify, (text) => stages.note(stages.stage, text));
  return notifier.around(
    () => stages.stage,
    () => updateImage(input, runId, stages, gate, notifier),
    (result) => announce(notifier, result),
  );
}

/** What a finished run tells people: that AWS had no update, or the new image per Region and the fleets it went to. */
function announce(notifier: Notifier, result: AppStreamImageUpdateResult): void {
  if (!result.updated) {
    notifier.send('no-update', { summary: `${result.pipeline}: no update available for ${result.existingImageName}` });
    return;
  }
  const fleets = (result.fleets ?? []).map((f) => `${f.region ? `${f.region}/` : ''}${f.name}: ${f.status}`);
  notifier.send('completed', {
    summary: `${result.pipeline}: ${result.imageName} is ready${fleets.length ? ' and on its fleets' : ''}`,
    images: [{ image: result.imageName }, ...(result.copies ?? []).map((c) => ({ ...(c.region && { region: c.region }), image: c.name }))],
    ...(fleets.length && { fleets }),
  });
}

async function updateImage(
  input: AppStreamImageUpdateInput,
  runId: string,
  stages: StageTracker<AppStreamUpdateStage>,
  gate: ApprovalGate,
  notifier: Notifier,
): Promise<AppStreamImageUpdateResult> {
  const imageName = imageNameForThisRun(input.newImageName, input.name);
  if (!APPSTREAM_NAME.test(imageName))
    throw ApplicationFailure.nonRetryable(`newImageName ${imageName}: ${APPSTREAM_NAME_RULE}`, 'InvalidInput');
  const ownTags = { [PIPELINE_TAG]: input.name, [RUN_TAG]: runId };

  const check = await stages.run('check-update', async () => {
    // What only AWS can say about the config, before anything is created: bad input costs no mutating call.
    if (input.copyTo.length || input.fleets.length) {
      await preflightAppStreamUpdate.executeWithOptions({ summary: 'preflight: copy Regions and fleets' }, [
        { existingImageName: input.existingImageName, copyTo: input.copyTo, fleets: input.fleets },
      ]);
    }
    return checkUpdateAvailable.executeWithOptions(
      { summary: `CreateUpdatedImage dry run: is there an update for ${input.existingImageName}?` },
      [input.existingImageName, imageName],
    );
  });
  if (!check.canUpdateImage) {
    stages.note('check-update', 'no update available');
    for (const stage of APPSTREAM_UPDATE_STAGES.slice(1)) stages.skip(stage, 'no update available');
    return {
      pipeline: input.name,
      updated: false,
      message: 'no update available',
      existingImageName: input.existingImageName,
      timings: stages.timings(),
    };
  }
  stages.note('check-update', 'update available');
  const configured = {
    test: input.test,
    approval: input.approval,
    copy: input.copyTo.length,
    share: input.shareWith.length,
    fleets: input.fleets.length,
    retention: input.retention,
  };
  for (const [stage, setting] of Object.entries(configured)) if (!setting) stages.skip(stage as keyof typeof configured, 'not configured');

  const created = await stages.run('create', async () => {
    // Once CreateUpdatedImage is sent it must finish, so that the run always knows what it made.
    const image = await CancellationScope.nonCancellable(() =>
      createUpdatedImage.executeWithOptions({ summary: `CreateUpdatedImage ${imageName} from ${input.existingImageName}` }, [
        {
          existingImageName: input.existingImageName,
          newImageName: imageName,
          description: input.newImageDescription,
          displayName: input.newImageDisplayName,
          tags: ownTags,
          ownershipTag: RUN_TAG,
        },
      ]),
    );
    stages.addResource(image.name);
    stages.note('create', `${image.adopted ? 'adopted' : 'created'} ${image.name}`);
    return image;
  });

  // Until the image is on its first fleet, a run that does not finish removes what it made (unless told to keep it):
  // the image, and every copy it had made.
  const copies: AppStreamPlacedImage[] = [];
  let approval: ApprovalDecision | undefined;
  let testedWith: string | undefined;
  try {
    const available = await stages.run('wait-available', () =>
      waitForAppStreamImage.executeWithOptions({ ...pollOptions(input.waits.image), summary: `wait until ${imageName} is AVAILABLE` }, [
        imageName,
        new Date(Date.now() + durationMs(input.waits.notFoundGrace)).toISOString(),
      ]),
    );
    await stages.run('tag', () =>
      tagAppStreamImage.executeWithOptions({ summary: `tag ${imageName}` }, [created.arn, { ...input.tags, ...ownTags }]),
    );
    if (input.test) testedWith = await stages.run('test', () => testImage(input, imageName, ownTags));
    if (input.approval) {
      const policy = input.approval;
      approval = await stages.run('approval', () => {
        stages.note('approval', `waiting up to ${policy.timeout} for ${approvalAsked(policy)}`);
        notifier.approvalNeeded(policy, {
          summary: `${input.name}: ${imageName} waits for approval`,
          stage: 'approval',
          images: [{ image: imageName }],
        });
        return gate.wait(policy, (line) => stages.note('approval', line));
      });
    }
    if (input.copyTo.length) {
      await stages.run('copy', () =>
        copyEverywhere(input, { runId, imageName, ownTags }, (copy) => {
          copies.push(copy);
          stages.addResource(`${copy.region}/${copy.name}`);
          return copy;
        }),
      );
    }
    if (input.shareWith.length) {
      const shared = await stages.run('share', () => shareEverywhere(input, [{ name: imageName, arn: available.arn }, ...copies]));
      stages.note('share', shared);
    }
  } catch (err) {
    if (!input.keepUnfinishedImage) {
      // AppStream refuses to delete an image it is still building or copying, so each deletion polls until it can.
      await CancellationScope.nonCancellable(() =>
        Promise.all(
          [...copies, { name: imageName }].map(({ name, region }: { name: string; region?: string }) =>
            deleteAppStreamImage.executeWithOptions(
              { ...pollOptions(input.waits.image), summary: `delete unfinished image ${name}${region ? ` in ${region}` : ''}` },
              region ? [name, region] : [name],
            ),
          ),
        ),
      );
      stages.note(stages.stage, `deleted ${[imageName, ...copies.map((c) => `${c.region}/${c.name}`)].join(', ')}`);
    }
    throw err;
  }

  const fleets = input.fleets.length
    ? await stages.run('fleets', () =>
        updateFleets(
          input.fleets.map((fleet) => ({
            name: fleet.name,
            ...(fleet.region ? { region: fleet.region } : {}),
            imageArn: (copies.find((c) => c.region === fleet.region) ?? { arn: created.arn }).arn,
            restart: input.fleetUpdate.restart,
          })),
          input.waits.fleet,
          (text) => stages.note('fleets', text),
        ),
      )
    : undefined;

  // The run has succeeded: only now may retention, this run's or a later one's, count its images.
  if (patched('release-image-at-end-of-run')) {
    const released = { [PIPELINE_TAG]: input.name, [RELEASED_TAG]: new Date().toISOString() };
    await tagAppStreamImage.executeWithOptions({ summary: `mark ${imageName} released` }, [created.arn, released]);
    for (const copy of copies) {
      await tagAppStreamImage.executeWithOptions({ summary: `mark ${copy.name} in ${copy.region} released` }, [
        copy.arn,
        released,
        copy.region,
      ]);
    }
  }

  const retention = input.retention
    ? await stages.run('retention', async () => {
        const kept = { retired: [] as string[], inUse: [] as string[] };
        for (const { name, region } of [{ name: imageName, region: undefined }, ...copies]) {
          const outcome = await retireOldAppStreamImages(input.name, name, input.retention!.keep, region);
          kept.retired.push(...outcome.retired);
          kept.inUse.push(...outcome.inUse);
        }
        return kept;
      })
    : undefined;
  if (retention) {
    stages.note('retention', retention.retired.length ? `deleted ${retention.retired.join(', ')}` : 'nothing to delete');
    if (retention.inUse.length) stages.note('retention', `kept (in use) ${retention.inUse.join(', ')}`);
  }

  return {
    pipeline: input.name,
    updated: true,
    imageName,
    arn: created.arn,
    timings: stages.timings(),
    ...(testedWith ? { testedWith } : {}),
    ...(approval ? { approval } : {}),
    ...(input.copyTo.length ? { copies } : {}),
    ...(input.shareWith.length ? { sharedWith: input.shareWith.map((s) => s.account) } : {}),
    ...(fleets ? { fleets } : {}),
    retired: retention?.retired,
  };
}

/** The test: an image builder from the new image must reach RUNNING. It is removed whatever happens, and the run waits until it is gone. */
async function testImage(input: AppStreamImageUpdateInput, imageName: string, ownTags: Record<string, string>): Promise<string> {
  const builder = input.test!.imageBuilder;
  // From the work, not the run: a retry or a replay names the same builder.
  const name = `test-${imageName}`.slice(0, 100);
  try {
    await createImageBuilder.executeWithOptions(
      {
        summary: `CreateImageBuilder ${name} (${builder.instanceType}) from ${imageName}`,
        // A cancel waits for a create already sent to end, so the removal never looks before the builder exists.
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      },
      [
        {
          name,
          imageName,
          instanceType: builder.instanceType,
          description: `golden-image test of ${imageName}`,
          subnetIds: builder.subnetIds,
          securityGroupIds: builder.securityGroupIds,
          tags: { ...input.tags, ...ownTags },
          ownershipTag: RUN_TAG,
        },
      ],
    );
    await waitForImageBuilder.executeWithOptions(
      { ...pollOptions(input.waits.builder), summary: `wait until test builder ${name} is RUNNING` },
      [name, 'RUNNING'],
    );
    return name;
  } finally {
    await CancellationScope.nonCancellable(async () => {
      await removeOwnImageBuilder.executeWithOptions(
        { ...pollOptions(input.waits.builder), summary: `stop and delete test builder ${name}` },
        [name, { tag: RUN_TAG, value: ownTags[RUN_TAG]! }],
      );
      await waitForImageBuilder.executeWithOptions(
        { ...pollOptions(input.waits.builder), summary: `wait until test builder ${name} is gone` },
        [name, 'DELETED'],
      );
    });
  }
}

/**
 * A copy in each Region, side by side: each CopyImage is sent to the end even on a cancel (so the run
 * knows what it made and can remove it), then waited for in its Region and tagged as the run's.
 */
async function copyEverywhere(
  input: AppStreamImageUpdateInput,
  run: { runId: string; imageName: string; ownTags: Record<string, string> },
  made: (copy: AppStreamPlacedImage & { region: string }) => AppStreamPlacedImage,
): Promise<void> {
  await Promise.all(
    input.copyTo.map(async (target) => {
      const name = target.name ? imageNameForThisRun(target.name, input.name) : run.imageName;
      await CancellationScope.nonCancellable(() =>
        copyAppStreamImage.executeWithOptions({ summary: `CopyImage ${run.imageName} to ${target.region} as ${name}` }, [
          {
            sourceName: run.imageName,
            destinationName: name,
            destinationRegion: target.region,
            description: target.description ?? input.newImageDescription,
            ownership: { tag: RUN_TAG, value: run.runId },
          },
        ]),
      );
      // Known from here on, so that a failure anywhere after removes it; its ARN once it is available.
      const entry = made({ region: target.region, name, arn: '' });
      const copy = await waitForAppStreamImage.executeWithOptions(
        { ...pollOptions(input.waits.copy), summary: `wait until ${name} in ${target.region} is AVAILABLE` },
        [name, new Date(Date.now() + durationMs(input.waits.notFoundGrace)).toISOString(), target.region],
      );
      await tagAppStreamImage.executeWithOptions({ summary: `tag ${name} in ${target.region}` }, [
        copy.arn,
        { ...input.tags, ...run.ownTags },
        target.region,
      ]);
      entry.arn = copy.arn;
    }),
  );
}

/** UpdateImagePermissions for every account, on the image and each copy; a note of what it did. */
async function shareEverywhere(input: AppStreamImageUpdateInput, images: AppStreamPlacedImage[]): Promise<string> {
  const outcomes = await Promise.all(
    images.flatMap(({ name, region }) =>
      input.shareWith.map((share) =>
        shareAppStreamImage.executeWithOptions({ summary: `share ${name}${region ? ` in ${region}` : ''} with ${share.account}` }, [
          { imageName: name, account: share.account, allowFleet: share.allowFleet, allowImageBuilder: share.allowImageBuilder },
          region,
        ]),
      ),
    ),
  );
  const fresh = outcomes.filter((o) => o === 'shared').length;
  return (
    `shared ${images.length} image${images.length > 1 ? 's' : ''} with ${input.shareWith.map((s) => s.account).join(', ')}` +
    (fresh < outcomes.length ? ` (${outcomes.length - fresh} already in place)` : '')
  );
}

/**
 * A run that recorded its validated input before copies, sharing and fleets existed has none of them
 * in it (see validated-input.ts): it goes on doing what it did then.
 */
function withLaterSettings(recorded: AppStreamImageUpdateInput): AppStreamImageUpdateInput {
  return {
    ...recorded,
    copyTo: recorded.copyTo ?? [],
    shareWith: recorded.shareWith ?? [],
    fleets: recorded.fleets ?? [],
    fleetUpdate: recorded.fleetUpdate ?? { restart: false },
  };
}
