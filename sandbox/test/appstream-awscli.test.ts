import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APPSTREAM_GOLDEN_IMAGE_NAME, APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME, APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME } from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';

/**
 * The official AWS CLI (botocore) against the sandbox's AppStream: proof that
 * the JSON 1.1 protocol is AWS's own, not something only the JS SDK accepts.
 */

// Images and builders move on only when the test advances the clock: each aws CLI call takes a second or two to start.
const sandbox = awsCliSandboxForThisFile({ profile: 'test', durations: { appStreamImage: 600_000, builderTransition: 600_000 } });
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
