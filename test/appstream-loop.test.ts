/**
 * appStreamImageUpdate carried to the fleets, end to end on the dev server and the sandbox: the update
 * tested, approved, copied, shared and put on fleets in two Regions; a rejection, a fleet that fails to
 * start, a rollback, cancels in the new stages, retention sparing an image a fleet uses, and bad input
 * refused before anything is made. Every outcome is checked with a client of the test's own.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateFleetCommand,
  DescribeFleetsCommand,
  DescribeImageBuildersCommand,
  DescribeImagesCommand,
  ListTagsForResourceCommand,
  StartFleetCommand,
  type AppStreamClient,
} from '@aws-sdk/client-appstream';
import { CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  APPSTREAM_ALWAYS_ON_FLEET,
  APPSTREAM_ELASTIC_FLEET,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_ON_DEMAND_FLEET,
  APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
} from '@golden-image/aws-sandbox';
import { createAwsClients } from '../activities/aws/clients';
import { startFleetRollback } from '../client/appstream-rollback';
import { approveRun, rejectRun } from '../client/runs';
import { startPipeline } from '../client/start-pipeline';
import type { AppStreamFleetRollbackResult, FleetsFailureDetails } from '../contracts/appstream-fleets';
import type { AppStreamImageUpdateConfig, AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import { PIPELINE_TAG } from '../contracts/tags';
import { setAppStreamUpdateAvailable } from './support/scenarios';
import { failureOf, recordHistory, stageIs, waitForProgress } from './support/runs';
import { REGION, stackForThisFile, TEST_CREDENTIALS } from './support/stack';

const stack = stackForThisFile();
const WEST = 'us-west-2';
const ACCOUNT_B = '444455556666';
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/golden-image-distribution`;
const FAST = { interval: '200ms', timeout: '2m' };
const WAITS = { image: FAST, copy: FAST, builder: FAST, fleet: FAST };
const PIPELINE_NAME = 'appstream-loop';
const WEST_FLEET = 'west-fleet';

const clientsFor = () => createAwsClients({ endpoint: stack.sandboxUrl, region: REGION, credentials: TEST_CREDENTIALS });
const appstreamIn = (region = REGION): AppStreamClient => clientsFor().at(region === REGION ? {} : { region }).appstream;

beforeEach(async () => {
  await stack.admin.reset({ profile: 'test' });
  await setAppStreamUpdateAvailable(stack.sandboxUrl, APPSTREAM_GOLDEN_IMAGE_NAME);
  await stack.admin.resetCalls();
});

function startUpdate(config: Partial<AppStreamImageUpdateConfig>): Promise<WorkflowHandle> {
  return startPipeline(
    stack.env.client,
    'appstream-update',
    {
      name: PIPELINE_NAME,
      existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
      newImageName: '{{pipeline}}-{{date}}-{{run}}',
      waits: WAITS,
      ...config,
    },
    { taskQueue: stack.taskQueue },
  );
}

/** A running Always-On fleet of the test's own in another Region, on AWS's base image there. */
async function westFleet(imageName = APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, name = WEST_FLEET): Promise<void> {
  const appstream = appstreamIn(WEST);
  await appstream.send(
    new CreateFleetCommand({
      Name: name,
      ImageName: imageName,
      InstanceType: 'stream.standard.medium',
      FleetType: 'ALWAYS_ON',
      ComputeCapacity: { DesiredInstances: 1 },
    }),
  );
  await appstream.send(new StartFleetCommand({ Name: name }));
  await stack.admin.advance();
}

async function fleetImage(name: string, region = REGION): Promise<{ arn?: string; state?: string }> {
  const [fleet] = (await appstreamIn(region).send(new DescribeFleetsCommand({ Names: [name] }))).Fleets ?? [];
  return { arn: fleet?.ImageArn, state: fleet?.State };
}

async function imageIn(name: string, region = REGION) {
  const out = await appstreamIn(region)
    .send(new DescribeImagesCommand({ Names: [name] }))
    .catch(() => ({ Images: [] }));
  return out.Images?.[0];
}

/** AppStream calls that change something: not describes, lists or the dry run's look. */
async function appStreamChanges(): Promise<Record<string, number>> {
  const calls = await stack.admin.calls();
  return Object.fromEntries(
    Object.entries(calls.appstream)
      .filter(([action, count]) => !/^(Describe|List)/.test(action) && count.total > 0)
      .map(([action, count]) => [action, count.total]),
  );
}

const LOOP: Partial<AppStreamImageUpdateConfig> = {
  test: { imageBuilder: { instanceType: 'stream.standard.medium' } },
  approval: { timeout: '5m' },
  copyTo: [{ region: WEST }],
  shareWith: [{ account: ACCOUNT_B, allowFleet: true, allowImageBuilder: false }],
  fleets: [{ name: APPSTREAM_ALWAYS_ON_FLEET }, { name: APPSTREAM_ON_DEMAND_FLEET }, { name: WEST_FLEET, region: WEST }],
};

describe('appStreamImageUpdate, from the update to the fleets', () => {
  test('the whole loop: tested, approved, copied, shared, on three fleets in two Regions; then rolled back', async () => {
    await westFleet();
    const before = {
      alwaysOn: await fleetImage(APPSTREAM_ALWAYS_ON_FLEET),
      onDemand: await fleetImage(APPSTREAM_ON_DEMAND_FLEET),
      west: await fleetImage(WEST_FLEET, WEST),
    };
    const handle = await startUpdate(LOOP);
    await waitForProgress(handle, stageIs('approval', 'running'), 60_000);
    await approveRun(stack.env.client, handle.workflowId, { by: 'loop-test' });
    const result = (await handle.result()) as AppStreamImageUpdateResult & { updated: true };
    await recordHistory(handle, 'appstream-image-update-loop');

    // The copy: available in its Region, tagged as the pipeline's.
    const copy = result.copies?.[0];
    assert.equal(copy?.region, WEST);
    const copyImage = await imageIn(copy!.name, WEST);
    assert.equal(copyImage?.State, 'AVAILABLE');
    const copyTags = (await appstreamIn(WEST).send(new ListTagsForResourceCommand({ ResourceArn: copyImage!.Arn }))).Tags ?? {};
    assert.equal(copyTags[PIPELINE_TAG], PIPELINE_NAME);

    // Shared: account B sees the image and its copy, as SHARED.
    for (const [name, region] of [
      [result.imageName, REGION],
      [copy!.name, WEST],
    ] as const) {
      const b = clientsFor().at({ roleArn: ROLE_B, region }).appstream;
      const seen = (await b.send(new DescribeImagesCommand({ Type: 'SHARED' }))).Images ?? [];
      assert.ok(
        seen.some((i) => i.Name === name),
        `account B sees ${name} in ${region}`,
      );
    }

    // The fleets: each on the image in its Region, each row saying where it was.
    assert.equal((await fleetImage(APPSTREAM_ALWAYS_ON_FLEET)).arn, result.arn);
    assert.equal((await fleetImage(APPSTREAM_ON_DEMAND_FLEET)).arn, result.arn);
    assert.equal((await fleetImage(WEST_FLEET, WEST)).arn, copy!.arn);
    assert.deepEqual(
      result.fleets?.map((f) => [f.name, f.status, f.previousImageArn]),
      [
        [APPSTREAM_ALWAYS_ON_FLEET, 'updated', before.alwaysOn.arn],
        [APPSTREAM_ON_DEMAND_FLEET, 'updated', before.onDemand.arn],
        [WEST_FLEET, 'updated', before.west.arn],
      ],
    );
    assert.equal(result.approval?.by, 'loop-test');

    // The test builder is gone.
    const builders = (await appstreamIn().send(new DescribeImageBuildersCommand({}))).ImageBuilders ?? [];
    assert.ok(!builders.some((b) => b.Name === result.testedWith), `test builder ${result.testedWith} deleted`);

    // Rolled back: every fleet on the image it was on.
    const rollback = await startFleetRollback(stack.env.client, handle.workflowId, FAST);
    const undone = (await rollback.result()) as AppStreamFleetRollbackResult;
    await recordHistory(rollback, 'appstream-fleet-rollback');
    assert.deepEqual(
      undone.fleets.map((f) => f.status),
      ['updated', 'updated', 'updated'],
    );
    assert.equal((await fleetImage(APPSTREAM_ALWAYS_ON_FLEET)).arn, before.alwaysOn.arn);
    assert.equal((await fleetImage(APPSTREAM_ON_DEMAND_FLEET)).arn, before.onDemand.arn);
    assert.equal((await fleetImage(WEST_FLEET, WEST)).arn, before.west.arn);
  });

  test('no update available: nothing is made, copied or changed, whatever the config asks', async () => {
    await stack.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, false);
    await westFleet();
    await stack.admin.resetCalls();
    const result = (await (await startUpdate(LOOP)).result()) as AppStreamImageUpdateResult;
    assert.equal(result.updated, false);
    assert.deepEqual(await appStreamChanges(), { CreateUpdatedImage: 1 }, 'only the dry run');
  });

  test('a rejected approval: nothing copied, shared or changed, and the new image deleted', async () => {
    await westFleet();
    const handle = await startUpdate(LOOP);
    await waitForProgress(handle, stageIs('approval', 'running'), 60_000);
    await rejectRun(stack.env.client, handle.workflowId, { by: 'loop-test', reason: 'the icons are wrong' });
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'Rejected');
    const changes = await appStreamChanges();
    for (const action of ['CopyImage', 'UpdateImagePermissions', 'UpdateFleet']) assert.equal(changes[action], undefined, `no ${action}`);
    const images = (await appstreamIn().send(new DescribeImagesCommand({ Type: 'PRIVATE' }))).Images ?? [];
    assert.ok(
      images.filter((i) => i.Name?.startsWith(`${PIPELINE_NAME}-`)).every((i) => i.State === 'DELETING'),
      'the new image is being deleted',
    );
  });

  test('a fleet that fails to start: the run fails naming it, the fleet after it is untouched, and a rollback puts back the ones it moved', async () => {
    await westFleet();
    await stack.admin.failFleetStart(APPSTREAM_ON_DEMAND_FLEET);
    const west = await fleetImage(WEST_FLEET, WEST);
    const handle = await startUpdate({
      copyTo: [{ region: WEST }],
      fleets: LOOP.fleets,
      fleetUpdate: { restart: true },
    });
    const failure = await failureOf(handle);
    assert.equal(failure.type, 'FleetUpdateFailed');
    assert.match(failure.message, new RegExp(`fleet ${APPSTREAM_ON_DEMAND_FLEET}: .*did not start`));
    const { fleets } = failure.details?.[0] as FleetsFailureDetails;
    assert.deepEqual(
      fleets.map((f) => [f.name, f.status]),
      [
        [APPSTREAM_ALWAYS_ON_FLEET, 'updated'],
        [APPSTREAM_ON_DEMAND_FLEET, 'failed'],
        [WEST_FLEET, 'untouched'],
      ],
    );
    assert.deepEqual(await fleetImage(WEST_FLEET, WEST), west, 'the fleet after it is untouched');
    assert.equal((await fleetImage(APPSTREAM_ALWAYS_ON_FLEET)).state, 'RUNNING', 'restarted');

    // The rollback puts both moved fleets back, and starts the one that failed to start (it ran before).
    const undone = (await (await startFleetRollback(stack.env.client, handle.workflowId, FAST)).result()) as AppStreamFleetRollbackResult;
    assert.deepEqual(
      undone.fleets.map((f) => [f.name, f.status]),
      [
        [APPSTREAM_ALWAYS_ON_FLEET, 'updated'],
        [APPSTREAM_ON_DEMAND_FLEET, 'updated'],
      ],
    );
    assert.equal((await fleetImage(APPSTREAM_ON_DEMAND_FLEET)).arn, fleets[1]!.previousImageArn);
    assert.equal((await fleetImage(APPSTREAM_ON_DEMAND_FLEET)).state, 'RUNNING');
  });

  for (const stage of ['test', 'approval', 'copy', 'share'] as const) {
    test(`cancelled in ${stage}: the image and every copy are deleted, and no test builder is left`, async () => {
      await westFleet();
      // Each stage held long enough to cancel it there.
      if (stage === 'copy') await stack.admin.configure({ durations: { appStreamCopy: 5_000 } });
      if (stage === 'test') await stack.admin.configure({ durations: { builderTransition: 5_000 } });
      if (stage === 'share') await stack.admin.fault({ service: 'appstream', action: 'UpdateImagePermissions', count: 1, hang: true });
      const handle = await startUpdate(stage === 'approval' ? LOOP : { ...LOOP, approval: undefined });
      await waitForProgress(handle, stageIs(stage, 'running'), 60_000);
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `cancelled: ${String(err)}`);
      const home = (await appstreamIn().send(new DescribeImagesCommand({ Type: 'PRIVATE' }))).Images ?? [];
      const west = (await appstreamIn(WEST).send(new DescribeImagesCommand({ Type: 'PRIVATE' }))).Images ?? [];
      const made = [...home, ...west].filter((i) => i.Name?.startsWith(`${PIPELINE_NAME}-`));
      if (stage === 'copy' || stage === 'share')
        assert.ok(
          made.some((i) => west.includes(i)),
          `the copy in ${WEST} was made`,
        );
      for (const image of made) assert.equal(image.State, 'DELETING', `${image.Name} deleted`);
      const builders = (await appstreamIn().send(new DescribeImageBuildersCommand({}))).ImageBuilders ?? [];
      assert.ok(!builders.some((b) => b.Name?.startsWith('test-') && b.State !== 'DELETING'), 'no test builder left');
      assert.equal((await fleetImage(APPSTREAM_ALWAYS_ON_FLEET)).arn?.includes(PIPELINE_NAME), false, 'no fleet moved');
    });
  }

  test('cancelled in fleets: the fleet under way finishes its restart, the ones after it are untouched, and the images stay', async () => {
    await westFleet();
    await stack.admin.configure({ durations: { fleetStart: 3_000 } });
    const west = await fleetImage(WEST_FLEET, WEST);
    const handle = await startUpdate({ copyTo: [{ region: WEST }], fleets: LOOP.fleets, fleetUpdate: { restart: true } });
    await waitForProgress(handle, stageIs('fleets', 'running'), 60_000);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `cancelled: ${String(err)}`);
    const first = await fleetImage(APPSTREAM_ALWAYS_ON_FLEET);
    assert.equal(first.state, 'RUNNING', 'the fleet under way was started again');
    assert.match(first.arn ?? '', new RegExp(`image/${PIPELINE_NAME}-`), 'and is on the new image');
    assert.deepEqual(await fleetImage(WEST_FLEET, WEST), west, 'the last fleet is untouched');
    assert.equal((await imageIn(first.arn!.split('/').pop()!))?.State, 'AVAILABLE', 'the image a fleet uses stays');
  });

  test('retention keeps an image a fleet still uses, in each Region', async () => {
    await westFleet();
    const first = (await (
      await startUpdate({ copyTo: [{ region: WEST }], fleets: [{ name: APPSTREAM_ALWAYS_ON_FLEET }, { name: WEST_FLEET, region: WEST }] })
    ).result()) as AppStreamImageUpdateResult & { updated: true };
    await setAppStreamUpdateAvailable(stack.sandboxUrl, first.imageName);
    const second = (await (
      await startUpdate({ existingImageName: first.imageName, copyTo: [{ region: WEST }], retention: { keep: 1 } })
    ).result()) as AppStreamImageUpdateResult & { updated: true };
    assert.deepEqual(second.retired, []);
    assert.equal((await imageIn(first.imageName))?.State, 'AVAILABLE', 'a fleet in the build Region still uses it');
    assert.equal((await imageIn(first.copies![0]!.name, WEST))?.State, 'AVAILABLE', `a fleet in ${WEST} still uses the copy`);
  });

  const bad: [string, Partial<AppStreamImageUpdateConfig>, RegExp][] = [
    ['an Elastic fleet', { fleets: [{ name: APPSTREAM_ELASTIC_FLEET }] }, /fleets\[0\]\.name: fleet golden-elastic is Elastic/],
    [
      'a fleet that does not exist',
      { fleets: [{ name: 'no-such-fleet' }] },
      /fleets\[0\]\.name: there is no fleet no-such-fleet in us-east-1/,
    ],
    [
      'a fleet in a Region with no copy',
      { fleets: [{ name: WEST_FLEET, region: WEST }] },
      /fleets\[0\]\.region: us-west-2 holds no image of this run/,
    ],
    ['a copy to the build Region', { copyTo: [{ region: REGION }] }, /copyTo\[0\]\.region: us-east-1 is the build Region/],
    [
      'a copy to a Region AWS does not know',
      { copyTo: [{ region: 'xx-east-9' }] },
      /copyTo\[0\]\.region: xx-east-9 is not a Region EC2 knows/,
    ],
    [
      'a fleet on another platform',
      { copyTo: [{ region: WEST }], fleets: [{ name: 'old-os', region: WEST }] },
      /fleets\[0\]\.name: fleet old-os runs WINDOWS_SERVER_2019, the image is WINDOWS_SERVER_2022/,
    ],
  ];
  for (const [what, config, problem] of bad) {
    test(`refuses ${what} before anything is made`, async () => {
      await westFleet();
      await westFleet(APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME, 'old-os');
      await stack.admin.resetCalls();
      const failure = await failureOf(await startUpdate(config));
      assert.equal(failure.type, 'InvalidInput');
      assert.match(failure.message, problem);
      assert.deepEqual(await appStreamChanges(), {}, 'no mutating call, not even the dry run');
    });
  }
});
