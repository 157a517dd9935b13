import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AppStreamClient,
  CopyImageCommand,
  CreateFleetCommand,
  CreateUpdatedImageCommand,
  DeleteFleetCommand,
  DeleteImageCommand,
  DescribeFleetsCommand,
  DescribeImagesCommand,
  type Fleet,
  type Image,
  StartFleetCommand,
  StopFleetCommand,
  UpdateFleetCommand,
  UpdateImagePermissionsCommand,
} from '@aws-sdk/client-appstream';
import {
  APPSTREAM_ALWAYS_ON_FLEET,
  APPSTREAM_ELASTIC_FLEET,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_ON_DEMAND_FLEET,
  APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
  createSandbox,
  SANDBOX_ACCESS_KEYS,
  SandboxAdmin,
  type RunningSandbox,
} from '../index';
import { rejectsWith } from './support/rejects-with';

/** AppStream fleets and CopyImage in the sandbox, driven through the real AWS SDK client. */

const [ACCOUNT_A, ACCOUNT_B] = SANDBOX_ACCESS_KEYS;
// Long enough that no transition ends by itself during a test: only the admin API's advance moves them on.
const FLEET_START_MS = 600_000;
const FLEET_STOP_MS = 300_000;
const COPY_MS = 900_000;
const CONFIG = {
  throttling: { enabled: false },
  durations: { fleetStart: FLEET_START_MS, fleetStop: FLEET_STOP_MS, appStreamCopy: COPY_MS, appStreamImage: 600_000 },
};

let running: RunningSandbox;
let admin: SandboxAdmin;
let appstream: AppStreamClient;

function client(region = 'us-east-1', key = ACCOUNT_A!): AppStreamClient {
  return new AppStreamClient({
    endpoint: running.url,
    region,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  });
}

async function fleet(name: string, via = appstream): Promise<Fleet> {
  const { Fleets } = await via.send(new DescribeFleetsCommand({ Names: [name] }));
  assert.equal(Fleets?.length, 1);
  return Fleets[0]!;
}

async function image(name: string, via = appstream): Promise<Image> {
  const { Images } = await via.send(new DescribeImagesCommand({ Names: [name] }));
  assert.equal(Images?.length, 1);
  return Images[0]!;
}

/** An AVAILABLE private image of the golden image's platform (Windows Server 2022). */
async function newImage(name: string): Promise<void> {
  await admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
  await appstream.send(new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: name }));
  await admin.advance();
}

before(async () => {
  // Throttling off: the pagination test creates more fleets in a burst than the mutating bucket allows.
  running = await createSandbox({ port: 0, config: { profile: 'test', ...CONFIG } });
  admin = new SandboxAdmin(running.url);
  appstream = client();
});

after(async () => {
  appstream.destroy();
  await running.close();
});

beforeEach(async () => {
  await admin.reset(CONFIG);
});

describe('fleets', () => {
  test('seeded: an Always-On and an On-Demand fleet RUNNING on the golden image, and an Elastic one without an image', async () => {
    const { Fleets } = await appstream.send(new DescribeFleetsCommand({}));
    assert.deepEqual(
      Fleets?.map((f) => [f.Name, f.FleetType, f.State, f.ImageName, f.Platform]),
      [
        [APPSTREAM_ALWAYS_ON_FLEET, 'ALWAYS_ON', 'RUNNING', APPSTREAM_GOLDEN_IMAGE_NAME, 'WINDOWS_SERVER_2022'],
        [APPSTREAM_ON_DEMAND_FLEET, 'ON_DEMAND', 'RUNNING', APPSTREAM_GOLDEN_IMAGE_NAME, 'WINDOWS_SERVER_2022'],
        [APPSTREAM_ELASTIC_FLEET, 'ELASTIC', 'RUNNING', undefined, 'WINDOWS_SERVER_2022'],
      ],
    );
    const alwaysOn = Fleets[0]!;
    assert.equal(alwaysOn.Arn, `arn:aws:appstream:us-east-1:111122223333:fleet/${APPSTREAM_ALWAYS_ON_FLEET}`);
    assert.equal(alwaysOn.ImageArn, (await image(APPSTREAM_GOLDEN_IMAGE_NAME)).Arn);
    assert.deepEqual(alwaysOn.ComputeCapacityStatus, { Desired: 2, Running: 2, InUse: 0, Available: 2 });
    assert.equal(Fleets[2]!.ImageArn, undefined);
    const dump = await admin.state();
    assert.deepEqual(
      dump.appstream.fleets.map((f) => [f.name, f.state, f.imageName]),
      Fleets.map((f) => [f.Name, f.State, f.ImageName]),
    );
    await rejectsWith(appstream.send(new DescribeFleetsCommand({ Names: ['no-such-fleet'] })), 'ResourceNotFoundException');
  });

  test('DescribeFleets pages with NextToken (no MaxResults: AppStream picks the page size)', async () => {
    for (let i = 0; i < 24; i++) {
      await appstream.send(
        new CreateFleetCommand({
          Name: `paged-${i}`,
          InstanceType: 'stream.standard.small',
          FleetType: 'ON_DEMAND',
          ImageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
          ComputeCapacity: { DesiredInstances: 1 },
        }),
      );
    }
    const first = await appstream.send(new DescribeFleetsCommand({}));
    assert.equal(first.Fleets?.length, 25);
    assert.ok(first.NextToken);
    const second = await appstream.send(new DescribeFleetsCommand({ NextToken: first.NextToken }));
    assert.deepEqual(
      second.Fleets?.map((f) => f.Name),
      ['paged-22', 'paged-23'],
    );
    assert.equal(second.NextToken, undefined);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await appstream.send(new DescribeFleetsCommand({ NextToken: token }));
      names.push(...(page.Fleets ?? []).map((f) => f.Name!));
      token = page.NextToken;
    } while (token);
    assert.equal(names.length, 27);
    await rejectsWith(appstream.send(new DescribeFleetsCommand({ NextToken: 'bogus' })), 'ValidationException');
  });

  test('CreateFleet: created STOPPED; an Elastic fleet takes a platform and no image; bad combinations are refused', async () => {
    const { Fleet: created } = await appstream.send(
      new CreateFleetCommand({
        Name: 'web',
        InstanceType: 'stream.standard.medium',
        FleetType: 'ALWAYS_ON',
        ImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        ComputeCapacity: { DesiredInstances: 3 },
        DisplayName: 'Web',
      }),
    );
    assert.deepEqual([created?.State, created?.ComputeCapacityStatus?.Desired, created?.ComputeCapacityStatus?.Running], ['STOPPED', 3, 0]);
    await rejectsWith(
      appstream.send(
        new CreateFleetCommand({
          Name: 'web',
          InstanceType: 'stream.standard.medium',
          ImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
          ComputeCapacity: { DesiredInstances: 1 },
        }),
      ),
      'ResourceAlreadyExistsException',
    );
    await rejectsWith(
      appstream.send(
        new CreateFleetCommand({
          Name: 'elastic-image',
          InstanceType: 'stream.standard.medium',
          FleetType: 'ELASTIC',
          Platform: 'WINDOWS_SERVER_2022',
          ImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        }),
      ),
      'InvalidParameterCombinationException',
    );
    await rejectsWith(
      appstream.send(
        new CreateFleetCommand({ Name: 'no-image', InstanceType: 'stream.standard.medium', ComputeCapacity: { DesiredInstances: 1 } }),
      ),
      'InvalidParameterCombinationException',
    );
    await rejectsWith(
      appstream.send(
        new CreateFleetCommand({
          Name: 'ghost',
          InstanceType: 'stream.standard.medium',
          ImageName: 'no-such-image',
          ComputeCapacity: { DesiredInstances: 1 },
        }),
      ),
      'ResourceNotFoundException',
    );
    const { Fleet: elastic } = await appstream.send(
      new CreateFleetCommand({
        Name: 'apps',
        InstanceType: 'stream.standard.medium',
        FleetType: 'ELASTIC',
        Platform: 'AMAZON_LINUX2',
        MaxConcurrentSessions: 5,
      }),
    );
    assert.deepEqual(
      [elastic?.FleetType, elastic?.Platform, elastic?.ImageName, elastic?.MaxConcurrentSessions],
      ['ELASTIC', 'AMAZON_LINUX2', undefined, 5],
    );
  });

  test('UpdateFleet: a RUNNING fleet takes a same-platform image; another platform only when STOPPED', async () => {
    await newImage('golden-v2');
    const { Fleet: updated } = await appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET, ImageName: 'golden-v2' }));
    assert.deepEqual([updated?.ImageName, updated?.State], ['golden-v2', 'RUNNING']);
    assert.equal((await fleet(APPSTREAM_ALWAYS_ON_FLEET)).ImageArn, (await image('golden-v2')).Arn);

    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET, ImageName: APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME })),
      'IncompatibleImageException',
    );
    assert.equal((await fleet(APPSTREAM_ON_DEMAND_FLEET)).ImageName, APPSTREAM_GOLDEN_IMAGE_NAME);
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await admin.advance(FLEET_STOP_MS);
    const base2019 = await image(APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME);
    const { Fleet: moved } = await appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET, ImageArn: base2019.Arn }));
    assert.deepEqual(
      [moved?.ImageName, moved?.Platform, moved?.State],
      [APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME, 'WINDOWS_SERVER_2019', 'STOPPED'],
    );

    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET, ImageName: 'golden-v2', ImageArn: base2019.Arn })),
      'InvalidParameterCombinationException',
    );
    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: 'no-such-fleet', ImageName: 'golden-v2' })),
      'ResourceNotFoundException',
    );
  });

  test('UpdateFleet: refused while STARTING or STOPPING, for an Elastic fleet given an image, and for an image not AVAILABLE', async () => {
    await newImage('golden-v2');
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    assert.equal((await fleet(APPSTREAM_ALWAYS_ON_FLEET)).State, 'STOPPING');
    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET, ImageName: 'golden-v2' })),
      'ConcurrentModificationException',
    );
    await admin.advance(FLEET_STOP_MS);
    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    assert.equal((await fleet(APPSTREAM_ALWAYS_ON_FLEET)).State, 'STARTING');
    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET, ImageName: 'golden-v2' })),
      'ConcurrentModificationException',
    );
    assert.equal((await fleet(APPSTREAM_ALWAYS_ON_FLEET)).ImageName, APPSTREAM_GOLDEN_IMAGE_NAME);

    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ELASTIC_FLEET, ImageName: 'golden-v2' })),
      'OperationNotPermittedException',
    );
    await admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await appstream.send(new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'golden-v3' }));
    await rejectsWith(
      appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET, ImageName: 'golden-v3' })),
      'ResourceNotAvailableException',
    );
  });

  test('StopFleet and StartFleet go through STOPPING and STARTING over their durations', async () => {
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    assert.equal((await fleet(APPSTREAM_ON_DEMAND_FLEET)).State, 'STOPPING');
    await admin.advance(FLEET_STOP_MS - 10_000);
    assert.equal((await fleet(APPSTREAM_ON_DEMAND_FLEET)).State, 'STOPPING');
    await admin.advance(10_000);
    const stopped = await fleet(APPSTREAM_ON_DEMAND_FLEET);
    assert.deepEqual([stopped.State, stopped.ComputeCapacityStatus?.Running], ['STOPPED', 0]);
    // A stopped fleet stays stopped: StopFleet again changes nothing.
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    assert.equal((await fleet(APPSTREAM_ON_DEMAND_FLEET)).State, 'STOPPED');

    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    assert.equal((await fleet(APPSTREAM_ON_DEMAND_FLEET)).State, 'STARTING');
    await rejectsWith(appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET })), 'ConcurrentModificationException');
    await rejectsWith(appstream.send(new StartFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET })), 'ConcurrentModificationException');
    await admin.advance(FLEET_START_MS);
    const started = await fleet(APPSTREAM_ON_DEMAND_FLEET);
    assert.deepEqual([started.State, started.ComputeCapacityStatus?.Running, started.FleetErrors], ['RUNNING', 2, undefined]);
    await rejectsWith(appstream.send(new StartFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET })), 'OperationNotPermittedException');

    await rejectsWith(appstream.send(new DeleteFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET })), 'ResourceInUseException');
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await admin.advance(FLEET_STOP_MS);
    await appstream.send(new DeleteFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await rejectsWith(appstream.send(new DescribeFleetsCommand({ Names: [APPSTREAM_ON_DEMAND_FLEET] })), 'ResourceNotFoundException');
  });

  test('the admin start-failure switch: the next start ends STOPPED with FleetErrors; the one after succeeds', async () => {
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    await admin.advance(FLEET_STOP_MS);
    assert.deepEqual(await admin.failFleetStart(APPSTREAM_ALWAYS_ON_FLEET, { errorCode: 'IMAGE_NOT_FOUND' }), {
      fleetName: APPSTREAM_ALWAYS_ON_FLEET,
      applied: 'next',
    });
    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    const starting = await fleet(APPSTREAM_ALWAYS_ON_FLEET);
    assert.deepEqual([starting.State, starting.FleetErrors], ['STARTING', undefined]);
    await admin.advance(FLEET_START_MS);
    const failed = await fleet(APPSTREAM_ALWAYS_ON_FLEET);
    assert.equal(failed.State, 'STOPPED');
    assert.deepEqual(
      failed.FleetErrors?.map((e) => e.ErrorCode),
      ['IMAGE_NOT_FOUND'],
    );
    assert.deepEqual((await admin.state()).appstream.fleets.find((f) => f.name === APPSTREAM_ALWAYS_ON_FLEET)?.errors, ['IMAGE_NOT_FOUND']);

    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    await admin.advance(FLEET_START_MS);
    const recovered = await fleet(APPSTREAM_ALWAYS_ON_FLEET);
    assert.deepEqual([recovered.State, recovered.FleetErrors], ['RUNNING', undefined]);

    // Set while a start is under way, it fails that start.
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await admin.advance(FLEET_STOP_MS);
    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    assert.equal((await admin.failFleetStart(APPSTREAM_ON_DEMAND_FLEET)).applied, 'now');
    await admin.advance(FLEET_START_MS);
    assert.deepEqual(
      (await fleet(APPSTREAM_ON_DEMAND_FLEET)).FleetErrors?.map((e) => e.ErrorCode),
      ['INTERNAL_SERVICE_ERROR'],
    );
    await assert.rejects(admin.failFleetStart('no-such-fleet'), /HTTP 404/);
  });

  test('DeleteImage refuses an image a fleet uses, running or stopped; once no fleet uses it, it goes', async () => {
    await newImage('golden-v2');
    await appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET, ImageName: 'golden-v2' }));
    await rejectsWith(appstream.send(new DeleteImageCommand({ Name: 'golden-v2' })), 'ResourceInUseException');
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await admin.advance(FLEET_STOP_MS);
    await rejectsWith(appstream.send(new DeleteImageCommand({ Name: 'golden-v2' })), 'ResourceInUseException');
    await rejectsWith(appstream.send(new DeleteImageCommand({ Name: APPSTREAM_GOLDEN_IMAGE_NAME })), 'ResourceInUseException');
    await appstream.send(new UpdateFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET, ImageName: APPSTREAM_GOLDEN_IMAGE_NAME }));
    const { Image: deleting } = await appstream.send(new DeleteImageCommand({ Name: 'golden-v2' }));
    assert.equal(deleting?.State, 'DELETING');
  });
});

describe('persistence', () => {
  test('fleets survive a snapshot and restore: a start under way and a planned start failure go on after it', async () => {
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await appstream.send(new StopFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    await admin.advance(FLEET_STOP_MS);
    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ON_DEMAND_FLEET }));
    await admin.failFleetStart(APPSTREAM_ALWAYS_ON_FLEET);
    const before = (await appstream.send(new DescribeFleetsCommand({}))).Fleets;
    const saved = running.sandbox.snapshot();
    await admin.reset(CONFIG);
    running.sandbox.restore(saved);

    assert.deepEqual((await appstream.send(new DescribeFleetsCommand({}))).Fleets, before);
    await admin.advance(FLEET_START_MS);
    assert.equal((await fleet(APPSTREAM_ON_DEMAND_FLEET)).State, 'RUNNING');
    await appstream.send(new StartFleetCommand({ Name: APPSTREAM_ALWAYS_ON_FLEET }));
    await admin.advance(FLEET_START_MS);
    assert.deepEqual(
      (await fleet(APPSTREAM_ALWAYS_ON_FLEET)).FleetErrors?.map((e) => e.ErrorCode),
      ['INTERNAL_SERVICE_ERROR'],
    );
  });
});

describe('CopyImage', () => {
  test('the copy is COPYING in the destination Region, then AVAILABLE, with the source platform, base and agent, and no tags', async () => {
    const source = await image(APPSTREAM_GOLDEN_IMAGE_NAME);
    const answer = await appstream.send(
      new CopyImageCommand({
        SourceImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        DestinationImageName: 'golden-eu',
        DestinationRegion: 'eu-west-1',
        DestinationImageDescription: 'Golden, in Ireland',
      }),
    );
    assert.equal(answer.DestinationImageName, 'golden-eu');
    assert.equal((await image(APPSTREAM_GOLDEN_IMAGE_NAME)).State, 'AVAILABLE');
    await rejectsWith(appstream.send(new DescribeImagesCommand({ Names: ['golden-eu'] })), 'ResourceNotFoundException');

    const ireland = client('eu-west-1');
    try {
      const copying = await image('golden-eu', ireland);
      assert.equal(copying.State, 'COPYING');
      assert.equal(copying.Arn, 'arn:aws:appstream:eu-west-1:111122223333:image/golden-eu');
      await admin.advance(COPY_MS);
      const copy = await image('golden-eu', ireland);
      assert.deepEqual(
        [copy.State, copy.Visibility, copy.Platform, copy.BaseImageArn, copy.AppstreamAgentVersion, copy.Description],
        ['AVAILABLE', 'PRIVATE', source.Platform, source.BaseImageArn, source.AppstreamAgentVersion, 'Golden, in Ireland'],
      );
      assert.deepEqual(
        (await admin.state({ region: 'eu-west-1' })).appstream.images.map((i) => [i.name, i.tags]),
        [['golden-eu', {}]],
      );

      await rejectsWith(
        appstream.send(
          new CopyImageCommand({
            SourceImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
            DestinationImageName: 'golden-eu',
            DestinationRegion: 'eu-west-1',
          }),
        ),
        'ResourceAlreadyExistsException',
      );
      // A fleet in the destination Region can use the copy.
      const { Fleet: eu } = await ireland.send(
        new CreateFleetCommand({
          Name: 'eu-web',
          InstanceType: 'stream.standard.medium',
          ImageName: 'golden-eu',
          ComputeCapacity: { DesiredInstances: 1 },
        }),
      );
      assert.equal(eu?.ImageArn, copy.Arn);
    } finally {
      ireland.destroy();
    }
  });

  test('refused: an unknown source, a public or PENDING source, an unknown or disabled Region; a copy can be failed', async () => {
    const copy = (SourceImageName: string, DestinationRegion = 'eu-west-1', DestinationImageName = 'copy') =>
      appstream.send(new CopyImageCommand({ SourceImageName, DestinationImageName, DestinationRegion }));
    await rejectsWith(copy('no-such-image'), 'ResourceNotFoundException');
    await rejectsWith(copy(APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME), 'ResourceNotFoundException');
    await rejectsWith(copy(APPSTREAM_GOLDEN_IMAGE_NAME, 'mars-north-1'), 'ValidationException');
    await rejectsWith(copy(APPSTREAM_GOLDEN_IMAGE_NAME, 'af-south-1'), 'ValidationException');
    await admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await appstream.send(new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'golden-v2' }));
    await rejectsWith(copy('golden-v2'), 'ResourceNotAvailableException');

    // Within the same Region, under another name.
    await copy(APPSTREAM_GOLDEN_IMAGE_NAME, 'us-east-1', 'golden-copy');
    await admin.fail({ kind: 'appStreamImage', id: 'golden-copy' });
    await admin.advance(COPY_MS);
    const failed = await image('golden-copy');
    assert.deepEqual([failed.State, failed.StateChangeReason?.Code], ['FAILED', 'IMAGE_COPY_FAILURE']);
  });

  test('a copy shared with another account is SHARED to it there, and its fleets may use it when allowFleet', async () => {
    await appstream.send(
      new CopyImageCommand({
        SourceImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        DestinationImageName: 'golden-eu',
        DestinationRegion: 'eu-west-1',
      }),
    );
    await admin.advance(COPY_MS);
    const ireland = client('eu-west-1');
    const other = client('eu-west-1', ACCOUNT_B);
    try {
      const copy = await image('golden-eu', ireland);
      const create = () =>
        other.send(
          new CreateFleetCommand({
            Name: 'partner',
            InstanceType: 'stream.standard.medium',
            ImageArn: copy.Arn,
            ComputeCapacity: { DesiredInstances: 1 },
          }),
        );
      await rejectsWith(create(), 'ResourceNotFoundException');
      await ireland.send(
        new UpdateImagePermissionsCommand({
          Name: 'golden-eu',
          SharedAccountId: ACCOUNT_B!.accountId,
          ImagePermissions: { allowFleet: false, allowImageBuilder: true },
        }),
      );
      const { Images } = await other.send(new DescribeImagesCommand({ Type: 'SHARED' }));
      assert.deepEqual(
        Images?.map((i) => [i.Name, i.Visibility, i.ImagePermissions?.allowFleet]),
        [['golden-eu', 'SHARED', false]],
      );
      await rejectsWith(create(), 'OperationNotPermittedException');
      await ireland.send(
        new UpdateImagePermissionsCommand({
          Name: 'golden-eu',
          SharedAccountId: ACCOUNT_B!.accountId,
          ImagePermissions: { allowFleet: true },
        }),
      );
      const { Fleet: partner } = await create();
      assert.equal(partner?.ImageName, 'golden-eu');
    } finally {
      ireland.destroy();
      other.destroy();
    }
  });
});
