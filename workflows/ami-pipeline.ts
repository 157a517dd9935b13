/**
 * `amiPipeline`: bake an AMI, from a prepared build instance or from a base image, and bring it into
 * service. Stages: resolve-source → launch-build → provision → create → wait-available → test →
 * distribute → fast-launch → approval → publish → rollout → retention; all but create and
 * wait-available are optional. Each shows in the UI (current details, search attributes, activity summaries)
 * and in the `progress` query.
 */
import {
  ApplicationFailure,
  CancellationScope,
  executeChild,
  ParentClosePolicy,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import type { AmiPipelineInput, AmiPipelineResult, PlacedImage } from '../contracts/ami-pipeline';
import { AMI_STAGES, type AmiStage } from '../contracts/ami-stages';
import type { StepSpec } from '../contracts/bake';
import { durationMs } from '../contracts/durations';
import { InvalidInputError } from '../contracts/input-validation';
import { placedId, roleAccount, sessionName, type Place } from '../contracts/place';
import { imageNameForThisRun, runIdentity } from './run-identity';
import { describeCounts } from '../contracts/progress';
import { rolloutWorkflowId } from '../contracts/root-volume-rollout';
import { PIPELINE_TAG, RECIPE_TAG, RELEASED_TAG, RUN_TAG, SOURCE_IMAGE_TAG } from '../contracts/tags';
import { ApprovalGate, approvalAsked } from './approval-gate';
import { copyTargets, distribute, removeCopies, type DistributeContext } from './distribute';
import { enableFastLaunchEverywhere, fastLaunchTargets } from './fast-launch-everywhere';
import { retireOldImages } from './image-retention';
import { inlineRollout } from './inline-rollout';
import { refreshGroups } from './instance-refresh';
import { publishImages } from './publish';
import { rootVolumeRollout } from './root-volume-rollout';
import { rolloutIncident } from './rollout-outcome';
import { rolloutTargets } from './rollout-targets';
import { launchFor, runSteps, stopBuild, terminateInstances, type BakeContext } from './bake';
import { Notifier, notificationsEnabled } from './notifications';
import { StageTracker } from './stage-tracker';
import { validatedInput } from './validated-input';

const {
  describeBuildInstance,
  checkLaunchTemplate,
  resolveFleet,
  createImage,
  waitForImageAvailable,
  preflightDistribution,
  disableFastLaunch,
  waitForFastLaunch,
  deregisterImage,
  removeCreatedImage,
  tagImage,
  resolveSourceImage,
  findPipelineImages,
  checkAutoScalingGroups,
  checkStepDocuments,
} = proxyActivities<Activities>(CALL_OPTIONS);

type SourceImage = Awaited<ReturnType<Activities['resolveSourceImage']>>;

export async function amiPipeline(raw: unknown): Promise<AmiPipelineResult> {
  // The gate's handlers first, before anything awaits, so that an answer sent early is refused with its reason.
  const gate = new ApprovalGate();
  // Before the input check: on replay a local activity's result arrives one activation late, so a patch
  // first asked for right after it would meet its marker in history before the workflow asked for it.
  const runId = runIdentity();
  const notifying = notificationsEnabled();
  const input = await validatedInput('ami', raw);
  const stages = new StageTracker(input.name, AMI_STAGES);
  const notifier = new Notifier(notifying, input.name, input.notify, (text) => stages.note(stages.stage, text));
  const imageName = imageNameForThisRun(input.imageName, input.name);
  const session = sessionName(input.name, runId);
  const optional = {
    'resolve-source': input.source,
    'launch-build': input.source,
    provision: input.source,
    test: input.test,
    distribute: input.distribution,
    'fast-launch': input.fastLaunch,
    approval: input.approval,
    publish: input.publish,
    rollout: input.rollout,
    retention: input.retention,
  };
  for (const [stage, spec] of Object.entries(optional)) if (!spec) stages.skip(stage as AmiStage, 'not configured');

  const run: RunContext = {
    input,
    stages,
    gate,
    runId,
    imageName,
    session,
    bake: { workflowId: workflowInfo().workflowId, runId, input, stages },
    notifier,
  };
  return notifier.around(
    () => stages.stage,
    async () => {
      if (!input.source && !input.test) return makeAndShip(run);
      try {
        return await makeAndShip(run);
      } finally {
        // Whatever happened, no instance the run launched is left: found by the run's tag, not by what the run knew.
        await Promise.all((['build', 'test'] as const).map((role) => terminateInstances(role, run.bake, stages.stage)));
      }
    },
    (result) => announce(notifier, result),
  );
}

/** What a finished run tells people: the images it made, per Region, and what it did to the fleet; or that nothing changed. */
function announce(notifier: Notifier, result: AmiPipelineResult): void {
  if (result.unchanged) {
    notifier.send('unchanged', {
      summary: `${result.pipeline}: unchanged, ${result.imageId} is up to date`,
      images: [{ image: result.imageId }],
    });
    return;
  }
  const fleets = [
    ...(result.groups ?? []).map((g) => `Auto Scaling group ${g.group}: ${g.status}`),
    ...(result.rollout ? [`instances: ${describeCounts(result.rollout)}`] : []),
  ];
  notifier.send('completed', {
    summary: `${result.pipeline}: ${result.imageId} (${result.imageName}) is ready${fleets.length ? ' and rolled out' : ''}`,
    images: imagesOf(result.imageId, result.copies ?? []),
    ...(fleets.length && { fleets }),
  });
}

/** The original (in the worker's Region) and its copies, each in its Region and, in another account, that account. */
const imagesOf = (imageId: string, copies: PlacedImage[]) => [
  { image: imageId },
  ...copies.map(({ place, imageId: image }) => ({
    ...(place.region && { region: place.region }),
    ...(place.roleArn && { account: roleAccount(place.roleArn) }),
    image,
  })),
];

interface RunContext {
  input: AmiPipelineInput;
  stages: StageTracker<AmiStage>;
  gate: ApprovalGate;
  runId: string;
  imageName: string;
  session: string;
  bake: BakeContext;
  notifier: Notifier;
}

async function makeAndShip({ input, stages, gate, runId, imageName, session, bake, notifier }: RunContext): Promise<AmiPipelineResult> {
  const baked = input.source ? await prepareBake(input, stages, bake, session) : undefined;
  if (baked?.unchanged) return baked.unchanged;

  const { imageId, build, homeRegion, groups } = await stages.run('create', async () => {
    const { build, homeRegion, groups } = baked ?? (await preflight(input, session));
    if (baked) await stopBuild(build.instanceId, bake);
    const request = {
      instanceId: build.instanceId,
      name: imageName,
      description: input.description,
      noReboot: input.noReboot,
      blockDeviceMappings: input.blockDeviceMappings,
      tags: {
        ...input.tags,
        [PIPELINE_TAG]: input.name,
        [RUN_TAG]: runId,
        ...(baked && { [SOURCE_IMAGE_TAG]: baked.source.imageId, [RECIPE_TAG]: baked.source.recipeHash }),
      },
      ownershipTag: RUN_TAG,
    };
    // Once CreateImage is sent it must finish, so that the run always knows the ID of what it made.
    const created = await CancellationScope.nonCancellable(() =>
      createImage.executeWithOptions({ summary: `CreateImage ${imageName} from ${build.instanceId}` }, [request]),
    ).catch(async (err: unknown) => {
      // EC2 may have made the image although the run never learnt its ID (its answer lost, then the activity failed).
      if (patched('remove-image-of-failed-create') && !input.keepUnfinishedImage) {
        const removed = await CancellationScope.nonCancellable(() =>
          removeCreatedImage.executeWithOptions({ summary: `deregister ${imageName} if EC2 made it` }, [
            { name: request.name, tags: request.tags, ownershipTag: request.ownershipTag },
          ]),
        );
        if (removed) stages.note('create', `deregistered ${removed}`);
      }
      throw err;
    });
    stages.addResource(created.imageId);
    stages.note('create', `${created.adopted ? 'adopted' : 'created'} ${created.imageId}`);
    return { imageId: created.imageId, build, homeRegion, groups };
  });

  const runTags = { ...input.tags, [PIPELINE_TAG]: input.name, [RUN_TAG]: runId };
  const distribution: DistributeContext = {
    workflowId: workflowInfo().workflowId,
    imageId,
    imageName,
    description: input.description,
    homeRegion: homeRegion ?? '',
    tags: runTags,
    ownershipTag: RUN_TAG,
    session,
    wait: input.waits.copy,
    notFoundGrace: input.waits.notFoundGrace,
  };
  const original: PlacedImage = { place: {}, imageId };
  const copies: PlacedImage[] = [];
  const copiesAsked: Place[] = [];
  const fastLaunched: PlacedImage[] = [];

  // Until the image reaches the fleet, a run that does not finish removes it and its copies (unless told to keep them).
  let decision: AmiPipelineResult['approval'];
  try {
    await stages.run('wait-available', () =>
      waitForImageAvailable.executeWithOptions({ ...pollOptions(input.waits.image), summary: `wait until ${imageId} is available` }, [
        { imageId, notFoundGraceUntil: new Date(Date.now() + durationMs(input.waits.notFoundGrace)).toISOString() },
      ]),
    );
    // The image is made: the build instance has served, and is not kept through approval.
    if (baked) await terminateInstances('build', bake, 'wait-available');
    if (input.test) {
      const spec = input.test;
      await stages.run('test', async () => {
        try {
          const instanceId = await launchFor('test', imageId, bake, 'test');
          await runSteps('test', instanceId, spec.steps, bake);
        } finally {
          await terminateInstances('test', bake, 'test');
        }
      });
    }
    if (input.distribution) {
      const spec = input.distribution;
      await stages.run('distribute', async () => {
        copiesAsked.push(...copyTargets(spec, session).map((t) => t.place));
        const { notes } = await distribute(spec, distribution, copies, (copy) => stages.addResource(placedId(copy.place, copy.imageId)));
        for (const note of notes) stages.note('distribute', note);
      });
    }
    if (input.fastLaunch) {
      const spec = input.fastLaunch;
      await stages.run('fast-launch', async () => {
        const targets = fastLaunchTargets(spec, homeRegion ?? '', [original, ...copies]);
        const notes = await enableFastLaunchEverywhere(targets, input.waits.fastLaunch, (image) => fastLaunched.push(image));
        for (const note of notes) stages.note('fast-launch', note);
      });
    }
    if (input.approval) {
      const policy = input.approval;
      decision = await stages.run('approval', async () => {
        stages.note('approval', `waiting up to ${policy.timeout} for ${approvalAsked(policy)}`);
        notifier.approvalNeeded(policy, {
          summary: `${input.name}: ${imageId} (${imageName}) waits for approval`,
          stage: 'approval',
          images: imagesOf(imageId, copies),
        });
        return gate.wait(policy, (line) => stages.note('approval', line));
      });
    }
  } catch (err) {
    if (!input.keepUnfinishedImage) {
      await CancellationScope.nonCancellable(async () => {
        if (fastLaunched.length && patched('disable-fast-launch-before-deregister')) {
          await Promise.all(fastLaunched.map((image) => turnOffFastLaunch(image, input, stages)));
        }
        // The copies go first: the original is their source while any is still being made.
        if (copiesAsked.length) {
          const { removed, failed } = await removeCopies(copies, copiesAsked, distribution);
          if (removed.length) stages.note(stages.stage, `deregistered copies ${removed.join(', ')}`);
          for (const reason of failed) stages.note(stages.stage, `a copy could not be removed: ${reason}`);
        }
        await deregisterImage.executeWithOptions({ summary: `deregister unfinished ${imageId} and its snapshots` }, [imageId]);
      });
      stages.note(stages.stage, `deregistered ${imageId}`);
    }
    throw err;
  }

  // From here on the images are in service: a launch template or a parameter may point at them.
  const published = input.publish
    ? await stages.run('publish', async () => {
        const out = await publishImages(input.publish!, homeRegion ?? '', [original, ...copies], workflowInfo().workflowId);
        for (const line of out.lines) stages.note('publish', line);
        return out;
      })
    : undefined;

  const refreshed =
    input.rollout?.autoScalingGroups && published
      ? await stages.run('rollout', () =>
          refreshGroups(
            input.rollout!,
            groups!.map((group) => {
              const version = published.versions.find((v) => v.region === group.region && v.launchTemplateId === group.launchTemplateId)!;
              return { ...group, place: group.region === homeRegion ? {} : { region: group.region }, version: version.version };
            }),
            input.waits.refresh,
            stages,
          ),
        )
      : undefined;

  const rollout =
    input.rollout && !input.rollout.autoScalingGroups
      ? await stages.run('rollout', async () => {
          const spec = input.rollout!;
          const summary = patched('rollout-as-child-workflow')
            ? await executeChild(rootVolumeRollout, {
                workflowId: rolloutWorkflowId(workflowInfo().workflowId),
                args: [
                  {
                    pipeline: input.name,
                    imageId,
                    spec,
                    platform: build.platform,
                    architecture: build.architecture,
                    wait: input.waits.rootVolume,
                    approval: input.approval,
                    notify: notifier.forChild(),
                  },
                ],
                // A terminated pipeline asks its rollout to stop starting instances; running replacements finish.
                parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
                staticSummary: `Roll \`${imageId}\` out onto ${spec.instanceIds ? `${spec.instanceIds.length} instances` : `the ${rolloutTargets(spec)}`}`,
              })
            : await inlineRollout(
                // Tags are resolved again here: the fleet may have changed while the image was being built and approved.
                spec.instanceIds ??
                  (await resolveFleet.executeWithOptions({ summary: `find running ${rolloutTargets(spec)}` }, [
                    { tags: spec.tags, launchTemplate: spec.launchTemplate, platform: build.platform, architecture: build.architecture },
                  ])),
                spec,
                { pipeline: input.name, imageId, wait: input.waits.rootVolume, onChange: (r) => stages.setInstances(r) },
              );
          stages.setInstances(summary.failed, summary);
          stages.note('rollout', describeCounts(summary));
          const incident = rolloutIncident(summary);
          if (incident) {
            stages.note('rollout', incident);
            notifier.send('incident', { summary: `${input.name}: ${incident}`, stage: 'rollout', reason: incident }, 'rollout');
          }
          return summary;
        })
      : undefined;

  // The image is on its fleet and the run has succeeded: only now may retention, this run's or a later
  // one's, count it. Until then it belongs to a run in flight, which may still be waiting or rolling out.
  // (The pipeline tag goes along unchanged, so that tagging stays within the policy's pipeline-tag condition.)
  if (patched('release-image-at-end-of-run')) {
    const released = { [PIPELINE_TAG]: input.name, [RELEASED_TAG]: new Date().toISOString() };
    await Promise.all(
      [original, ...copies].map(({ place, imageId: id }) =>
        tagImage.executeWithOptions(
          { summary: `mark ${placedId(place, id)} released` },
          copies.length ? [id, released, place] : [id, released],
        ),
      ),
    );
  }

  const retention = input.retention;
  const retired = retention
    ? await stages.run('retention', () =>
        retireOldImages(input.name, [original, ...copies], retention, input.waits.fastLaunch, {
          launchTemplates: input.publish?.launchTemplates ?? [],
          ssmParameters: input.publish?.ssmParameters.map((p) => p.name) ?? [],
        }),
      )
    : undefined;
  if (retired) stages.note('retention', retired.length ? `retired ${retired.join(', ')}` : 'nothing to retire');

  return {
    pipeline: input.name,
    imageId,
    imageName,
    ...(baked && { sourceImageId: baked.source.imageId }),
    ...(copies.length ? { copies } : {}),
    ...(published ? { published: published.lines } : {}),
    ...(refreshed ? { groups: refreshed } : {}),
    timings: stages.timings(),
    approval: decision,
    rollout,
    retired,
  };
}

/**
 * Before an unfinished image is deregistered, its fast launch goes off and the run waits until it is:
 * EC2 is still launching instances from the image to pre-provision snapshots while fast launch is on.
 * Should disabling fail, the image is deregistered all the same (the clean-up must not stop half-way).
 */
async function turnOffFastLaunch({ place, imageId }: PlacedImage, input: AmiPipelineInput, stages: StageTracker<AmiStage>): Promise<void> {
  const where = placedId(place, imageId);
  try {
    const wasOn = await disableFastLaunch.executeWithOptions({ summary: `DisableFastLaunch on unfinished ${where}` }, [imageId, place]);
    if (wasOn) {
      await waitForFastLaunch.executeWithOptions(
        { ...pollOptions(input.waits.fastLaunch), summary: `wait until fast launch on ${where} is disabled` },
        [imageId, 'disabled', place],
      );
    }
  } catch (err) {
    stages.note('fast-launch', `fast launch could not be disabled before deregistering: ${(err as Error).message}`);
  }
}

/**
 * Everything that can be known to be wrong is checked before the image is created: the build
 * instance, fast launch on a non-Windows image, the launch template, the rollout's targets, and for
 * distribution and publish the Regions, keys, roles and templates (which also tells the build Region).
 */
async function preflight(input: AmiPipelineInput, session: string, source?: SourceImage) {
  const build = source
    ? { instanceId: '', platform: source.platform, architecture: source.architecture }
    : await describeBuildInstance.executeWithOptions(
        { summary: `check build instance ${input.instanceId ?? JSON.stringify(input.instanceTags)}` },
        [input.instanceId ? { instanceIds: [input.instanceId] } : { tags: input.instanceTags }],
      );
  if (input.fastLaunch && build.platform !== 'windows') {
    throw ApplicationFailure.nonRetryable(
      `fast launch needs a Windows AMI, but ${source ? `source image ${source.imageId}` : `build instance ${build.instanceId}`} runs ${build.platform}`,
      'InvalidInput',
    );
  }
  const elsewhere = input.distribution || input.publish || input.fastLaunch?.regions;
  const homeRegion = elsewhere
    ? (
        await preflightDistribution.executeWithOptions({ summary: 'check Regions, accounts, KMS keys, roles and launch templates' }, [
          { distribution: input.distribution, publish: input.publish, fastLaunch: input.fastLaunch, session },
        ])
      ).homeRegion
    : undefined;
  // With fast launch in several Regions, the preflight above has checked each Region's template.
  if (input.fastLaunch?.launchTemplate && !input.fastLaunch.regions) {
    const template = input.fastLaunch.launchTemplate;
    await checkLaunchTemplate.executeWithOptions({ summary: `check launch template ${template.id ?? template.name}` }, [template]);
  }
  const groups = input.rollout?.autoScalingGroups ? await checkGroups(input, homeRegion!) : undefined;
  if (input.rollout && !groups) {
    const fleet = await resolveFleet.executeWithOptions({ summary: 'check rollout targets' }, [
      {
        instanceIds: input.rollout.instanceIds,
        tags: input.rollout.tags,
        launchTemplate: input.rollout.launchTemplate,
        platform: build.platform,
        architecture: build.architecture,
      },
    ]);
    const canary = input.rollout.canary?.instances;
    if (canary !== undefined && canary >= fleet.length) {
      throw ApplicationFailure.nonRetryable(
        `rollout.canary.instances: ${canary} is not fewer than the ${fleet.length} instances the rollout targets: a canary goes before the rest`,
        'InvalidInput',
      );
    }
  }
  return { build, homeRegion, groups };
}

/**
 * The groups a rollout refreshes: each must exist with no refresh running (asked of AWS), and launch
 * from a template publish writes in its Region, so that there is a new version to refresh onto.
 */
async function checkGroups(input: AmiPipelineInput, homeRegion: string) {
  const spec = input.rollout!;
  const groups = await checkAutoScalingGroups.executeWithOptions({ summary: 'check the Auto Scaling groups and alarms' }, [
    spec.autoScalingGroups!,
    spec,
  ]);
  const published = input.publish?.launchTemplates ?? [];
  const problems = groups.flatMap((group, i) =>
    published.some(
      (t) => (t.region ?? homeRegion) === group.region && (t.id === group.launchTemplateId || t.name === group.launchTemplateName),
    )
      ? []
      : [
          `rollout.autoScalingGroups[${i}]: group ${group.name} launches from ${group.launchTemplateName || group.launchTemplateId} in ${group.region}, which publish does not write a version of: add it to publish.launchTemplates`,
        ],
  );
  if (problems.length) throw ApplicationFailure.nonRetryable(new InvalidInputError(problems).message, 'InvalidInput');
  return groups;
}

/**
 * A bake's first stages: the base image resolved (and the run finished as `unchanged` when the newest
 * released image was made from it by the same recipe), every check made, the build instance launched
 * and provisioned. Returns what the create stage needs, as the preflight does for a prepared instance.
 */
async function prepareBake(input: AmiPipelineInput, stages: StageTracker<AmiStage>, bake: BakeContext, session: string) {
  const source = await stages.run('resolve-source', async () => {
    const found = await resolveSourceImage.executeWithOptions({ summary: 'resolve the base image' }, [input.source!, input.build!]);
    stages.note('resolve-source', `${found.imageId} (${found.name}), recipe ${found.recipeHash}`);
    return found;
  });
  if (input.refresh?.skipIfUnchanged) {
    const [newest] = await findPipelineImages.executeWithOptions({ summary: `find the newest released image of ${input.name}` }, [
      PIPELINE_TAG,
      input.name,
      RELEASED_TAG,
    ]);
    if (newest && newest.sourceImageId === source.imageId && newest.recipe === source.recipeHash) {
      const why = `unchanged: ${newest.imageId} was made from ${source.imageId} by the same recipe`;
      stages.note('resolve-source', why);
      for (const { stage, state } of stages.progress().stages) if (state === 'pending') stages.skip(stage, 'unchanged');
      return {
        unchanged: {
          pipeline: input.name,
          imageId: newest.imageId,
          imageName: newest.name,
          unchanged: true,
          sourceImageId: source.imageId,
          timings: stages.timings(),
        } satisfies AmiPipelineResult,
      };
    }
  }
  const checked = await stages.run('launch-build', async () => {
    const { build, homeRegion, groups } = await preflight(input, session, source);
    // SSM checks a step's document only when the step is sent: a wrong one fails here, before anything is launched.
    if (patched('check-step-documents')) {
      const uses = (stage: 'build' | 'test', steps: StepSpec[] = []) =>
        steps.map((s, i) => ({ path: `${stage}.steps[${i}]`, document: s.document, parameters: s.parameters }));
      await checkStepDocuments.executeWithOptions({ summary: "check the steps' SSM documents" }, [
        [...uses('build', input.build!.steps), ...uses('test', input.test?.steps)],
        source.platform,
      ]);
    }
    const instanceId = await launchFor('build', source.imageId, bake, 'launch-build');
    return { build: { ...build, instanceId }, homeRegion, groups };
  });
  await stages.run('provision', () => runSteps('provision', checked.build.instanceId, input.build!.steps, bake));
  return { ...checked, source };
}
