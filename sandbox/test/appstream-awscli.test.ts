import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APPSTREAM_ALWAYS_ON_FLEET,
  APPSTREAM_ELASTIC_FLEET,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_ON_DEMAND_FLEET,
  APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
} from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';

/**
 * The official AWS CLI (botocore) against the sandbox's AppStream: proof that
 * the JSON 1.1 protocol is AWS's own, not something only the JS SDK accepts.
 */

// Images, builders and fleets move on only when the test advances the clock: each aws CLI call takes a second or two to start.
const sandbox = awsCliSandboxForThisFile({
  profile: 'test',
  durations: { appStreamImage: 600_000, builderTransition: 600_000, fleetStart: 600_000, fleetStop: 600_000, appStreamCopy: 600_000 },
});
const { json: aws, fails: awsFails } = sandbox.cli('appstream');

interface CliImage {
  Name: string;
  Arn: string;
  State: string;
  Visibility: string;
  CreatedTime: number;
}

interface CliBuilder {
  Name: string;
  Arn: string;
  ImageArn: string;
  State: string;
  InstanceType: string;
}

test('aws appstream: describe-images, create-updated-image --dry-run and for real', async () => {
  const { Images } = await aws<{ Images: CliImage[] }>('describe-images', '--names', APPSTREAM_GOLDEN_IMAGE_NAME);
  assert.equal(Images.length, 1);
  assert.equal(Images[0]!.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
  assert.equal(Images[0]!.Arn, `arn:aws:appstream:us-east-1:111122223333:image/${APPSTREAM_GOLDEN_IMAGE_NAME}`);
  assert.equal(Images[0]!.State, 'AVAILABLE');
  // CLI v1 prints timestamps as they came over the wire (cli_timestamp_format none): JSON 1.1 epoch seconds.
  assert.equal(Images[0]!.CreatedTime, Date.parse('2026-11-15T09:30:00Z') / 1000);

  const dryRun = await aws<{ image: CliImage; canUpdateImage: boolean }>(
    'create-updated-image',
    '--existing-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--new-image-name',
    'cli-golden-v2',
    '--dry-run',
  );
  assert.equal(dryRun.canUpdateImage, false);
  assert.equal(dryRun.image.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
  const noUpdate = await awsFails(
    'create-updated-image',
    '--existing-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--new-image-name',
    'cli-golden-v2',
    '--no-dry-run',
  );
  assert.match(noUpdate, /OperationNotPermittedException/);

  const response = await fetch(`${sandbox.url}/_sandbox/appstream/updates`, {
    method: 'POST',
    body: JSON.stringify({ imageName: APPSTREAM_GOLDEN_IMAGE_NAME, available: true }),
  });
  assert.equal(response.status, 200);
  const withUpdate = await aws<{ canUpdateImage: boolean }>(
    'create-updated-image',
    '--existing-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--new-image-name',
    'cli-golden-v2',
    '--dry-run',
  );
  assert.equal(withUpdate.canUpdateImage, true);

  const created = await aws<{ image: CliImage; canUpdateImage: boolean }>(
    'create-updated-image',
    '--existing-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--new-image-name',
    'cli-golden-v2',
    '--new-image-tags',
    'pipeline=cli,stage=update',
  );
  assert.equal(created.image.State, 'PENDING');
  const taken = await awsFails(
    'create-updated-image',
    '--existing-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--new-image-name',
    'cli-golden-v2',
  );
  assert.match(taken, /ResourceAlreadyExistsException/);

  await sandbox.admin.advance();
  const tags = await aws<{ Tags: Record<string, string> }>('list-tags-for-resource', '--resource-arn', created.image.Arn);
  assert.deepEqual(tags.Tags, { pipeline: 'cli', stage: 'update' });
  // Page size 1 makes the CLI follow NextToken through every page.
  const names = await aws<string[]>('describe-images', '--page-size', '1', '--query', 'Images[].[Name,State]');
  assert.deepEqual(names, [
    [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, 'AVAILABLE'],
    [APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME, 'AVAILABLE'],
    [APPSTREAM_GOLDEN_IMAGE_NAME, 'AVAILABLE'],
    ['cli-golden-v2', 'AVAILABLE'],
  ]);
  const notFound = await awsFails('describe-images', '--names', 'no-such-image');
  assert.match(notFound, /ResourceNotFoundException/);
});

test('aws appstream: create-image-builder, describe-image-builders, stop-image-builder', async () => {
  const { ImageBuilder: created } = await aws<{ ImageBuilder: CliBuilder }>(
    'create-image-builder',
    '--name',
    'cli-builder',
    '--image-name',
    APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
    '--instance-type',
    'stream.standard.medium',
    '--tags',
    'pipeline=cli',
  );
  assert.equal(created.State, 'PENDING');
  assert.equal(created.Arn, 'arn:aws:appstream:us-east-1:111122223333:image-builder/cli-builder');
  assert.equal(created.ImageArn, `arn:aws:appstream:us-east-1::image/${APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME}`);

  await sandbox.admin.advance();
  const described = await aws<{ ImageBuilders: CliBuilder[] }>('describe-image-builders', '--names', 'cli-builder');
  assert.deepEqual(
    described.ImageBuilders.map((b) => [b.Name, b.State, b.InstanceType]),
    [['cli-builder', 'RUNNING', 'stream.standard.medium']],
  );

  const stopped = await aws<{ ImageBuilder: CliBuilder }>('stop-image-builder', '--name', 'cli-builder');
  assert.equal(stopped.ImageBuilder.State, 'STOPPING');
  await sandbox.admin.advance();
  const states = await aws<string[]>('describe-image-builders', '--query', 'ImageBuilders[].State');
  assert.deepEqual(states, ['STOPPED']);
  const again = await awsFails('stop-image-builder', '--name', 'cli-builder');
  assert.match(again, /OperationNotPermittedException/);
  assert.match(again, /STOPPED/);

  const calls = await sandbox.admin.calls();
  assert.equal(calls.appstream.CreateImageBuilder?.total, 1);
  assert.equal(calls.appstream.StopImageBuilder?.total, 2);
});

interface CliFleet {
  Name: string;
  Arn: string;
  FleetType: string;
  State: string;
  ImageName?: string;
  Platform: string;
  FleetErrors?: { ErrorCode: string; ErrorMessage: string }[];
}

test('aws appstream: create-fleet, describe-fleets, update-fleet, stop-fleet, start-fleet', async () => {
  const seeded = await aws<string[][]>('describe-fleets', '--query', 'Fleets[].[Name,FleetType,State]');
  assert.deepEqual(seeded, [
    [APPSTREAM_ALWAYS_ON_FLEET, 'ALWAYS_ON', 'RUNNING'],
    [APPSTREAM_ON_DEMAND_FLEET, 'ON_DEMAND', 'RUNNING'],
    [APPSTREAM_ELASTIC_FLEET, 'ELASTIC', 'RUNNING'],
  ]);
  const { Fleet: created } = await aws<{ Fleet: CliFleet }>(
    'create-fleet',
    '--name',
    'cli-fleet',
    '--instance-type',
    'stream.standard.medium',
    '--fleet-type',
    'ON_DEMAND',
    '--image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--compute-capacity',
    'DesiredInstances=1',
  );
  assert.deepEqual([created.State, created.Arn], ['STOPPED', 'arn:aws:appstream:us-east-1:111122223333:fleet/cli-fleet']);

  const { Fleet: moved } = await aws<{ Fleet: CliFleet }>(
    'update-fleet',
    '--name',
    'cli-fleet',
    '--image-name',
    APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  );
  assert.deepEqual([moved.ImageName, moved.Platform], [APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME, 'WINDOWS_SERVER_2019']);
  assert.equal(await aws('start-fleet', '--name', 'cli-fleet'), undefined);
  assert.deepEqual(await aws('describe-fleets', '--names', 'cli-fleet', '--query', 'Fleets[].State'), ['STARTING']);
  assert.match(
    await awsFails('update-fleet', '--name', 'cli-fleet', '--image-name', APPSTREAM_GOLDEN_IMAGE_NAME),
    /ConcurrentModificationException/,
  );
  await sandbox.admin.advance();
  assert.match(
    await awsFails('update-fleet', '--name', 'cli-fleet', '--image-name', APPSTREAM_GOLDEN_IMAGE_NAME),
    /IncompatibleImageException/,
  );
  assert.equal(await aws('stop-fleet', '--name', 'cli-fleet'), undefined);
  assert.deepEqual(await aws('describe-fleets', '--names', 'cli-fleet', '--query', 'Fleets[].State'), ['STOPPING']);
  await sandbox.admin.advance();

  await sandbox.admin.failFleetStart('cli-fleet', { errorCode: 'FLEET_INSTANCE_PROVISIONING_FAILURE' });
  await aws('start-fleet', '--name', 'cli-fleet');
  await sandbox.admin.advance();
  const { Fleets } = await aws<{ Fleets: CliFleet[] }>('describe-fleets', '--names', 'cli-fleet');
  assert.deepEqual(
    [Fleets[0]!.State, Fleets[0]!.FleetErrors?.map((e) => e.ErrorCode)],
    ['STOPPED', ['FLEET_INSTANCE_PROVISIONING_FAILURE']],
  );
  assert.match(await awsFails('describe-fleets', '--names', 'no-such-fleet'), /ResourceNotFoundException/);
});

test('aws appstream: copy-image to another Region, where the copy is COPYING, then AVAILABLE', async () => {
  const answer = await aws<{ DestinationImageName: string }>(
    'copy-image',
    '--source-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--destination-image-name',
    'cli-golden-eu',
    '--destination-region',
    'eu-west-1',
    '--destination-image-description',
    'copied by the CLI',
  );
  assert.deepEqual(answer, { DestinationImageName: 'cli-golden-eu' });
  const inIreland = () =>
    aws<string[][]>('describe-images', '--region', 'eu-west-1', '--names', 'cli-golden-eu', '--query', 'Images[].[State,Description]');
  assert.deepEqual(await inIreland(), [['COPYING', 'copied by the CLI']]);
  await sandbox.admin.advance();
  assert.deepEqual(await inIreland(), [['AVAILABLE', 'copied by the CLI']]);
  const taken = await awsFails(
    'copy-image',
    '--source-image-name',
    APPSTREAM_GOLDEN_IMAGE_NAME,
    '--destination-image-name',
    'cli-golden-eu',
    '--destination-region',
    'eu-west-1',
  );
  assert.match(taken, /ResourceAlreadyExistsException/);
});
