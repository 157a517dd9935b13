/**
 * Retention keeps the images its runs released last. EC2's CreationDate is in whole seconds, and an
 * image is released when its run ends, not when it is created: the order comes from the release tag
 * (an ISO time in milliseconds), creation time only where an image has none. Sandbox over HTTP, real SDK.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { CreateUpdatedImageCommand, TagResourceCommand } from '@aws-sdk/client-appstream';
import { CreateImageCommand, CreateTagsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { APPSTREAM_GOLDEN_IMAGE_NAME } from '@golden-image/aws-sandbox';
import { findPipelineAppStreamImages } from '../activities/appstream/image-lookup';
import { findPipelineImages } from '../activities/ec2/image-lookup';
import { PIPELINE_TAG, RELEASED_TAG } from '../contracts/tags';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';

let sandbox: OwnSandbox;

before(async () => {
  sandbox = await startOwnSandbox();
});
after(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.admin.reset({ profile: 'test' });
});

const RELEASED_FIRST = '2030-01-01T00:00:00.100Z';
const RELEASED_LATER = '2030-01-01T00:00:00.900Z';

test('EC2: the image released last comes first, though it was created first', async () => {
  const [instanceId] = await sandbox.launchInstances('linux', 1);
  const create = async (name: string) => {
    const out = await sandbox.ec2.send(
      new CreateImageCommand({
        InstanceId: instanceId,
        Name: name,
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: PIPELINE_TAG, Value: 'web' }] }],
      }),
    );
    return out.ImageId!;
  };
  const older = await create('web-1');
  await sandbox.admin.advance(1_000); // a second apart, so CreationDate alone would put `newer` first
  const newer = await create('web-2');
  const release = (imageId: string, at: string) =>
    sandbox.ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: [{ Key: RELEASED_TAG, Value: at }] }));
  await release(newer, RELEASED_FIRST);
  await release(older, RELEASED_LATER);

  const { Images = [] } = await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [older, newer] }));
  const created = Object.fromEntries(Images.map((image) => [image.ImageId, image.CreationDate]));
  assert.ok(created[older]! < created[newer]!, `created ${JSON.stringify(created)}`);
  const listed = await findPipelineImages(sandbox.ec2, PIPELINE_TAG, 'web', RELEASED_TAG);
  assert.deepEqual(
    listed.map((image) => image.imageId),
    [older, newer],
  );
});

test('AppStream: the image released last comes first, though it was created first', async () => {
  await sandbox.admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
  const create = async (name: string) => {
    const out = await sandbox.appstream.send(
      new CreateUpdatedImageCommand({
        existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        newImageName: name,
        newImageTags: { [PIPELINE_TAG]: 'web' },
      }),
    );
    return out.image!.Arn!;
  };
  const older = await create('web-1');
  await sandbox.admin.advance(1_000);
  const newer = await create('web-2');
  await sandbox.appstream.send(new TagResourceCommand({ ResourceArn: newer, Tags: { [RELEASED_TAG]: RELEASED_FIRST } }));
  await sandbox.appstream.send(new TagResourceCommand({ ResourceArn: older, Tags: { [RELEASED_TAG]: RELEASED_LATER } }));

  const listed = await findPipelineAppStreamImages(sandbox.appstream, PIPELINE_TAG, 'web', RELEASED_TAG);
  assert.deepEqual(
    listed.map((image) => image.name),
    ['web-1', 'web-2'],
  );
});
