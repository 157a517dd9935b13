import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AppStreamClient,
  type AppStreamClientConfig,
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandInput,
  CreateUpdatedImageCommand,
  DeleteImageBuilderCommand,
  DeleteImageCommand,
  DescribeImageBuildersCommand,
  DescribeImagesCommand,
  type Image,
  type ImageBuilder,
  ListTagsForResourceCommand,
  paginateDescribeImages,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-appstream';
import {
  createSandbox,
  SandboxAdmin,
  type RunningSandbox,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
  SANDBOX_CREDENTIALS,
} from '../index';
import { rejectsWith } from './support/rejects-with';
import { send, sign } from '../raw-signing';

/** AppStream 2.0 in the sandbox, driven through the real AWS SDK client. */

let running: RunningSandbox;
let appstream: AppStreamClient;
let admin: SandboxAdmin;

const GOLDEN_ARN = `arn:aws:appstream:us-east-1:111122223333:image/${APPSTREAM_GOLDEN_IMAGE_NAME}`;
const BASE_2022_ARN = `arn:aws:appstream:us-east-1::image/${APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME}`;

function client(extra: Partial<AppStreamClientConfig> = {}): AppStreamClient {
  return new AppStreamClient({
    endpoint: running.url,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    ...extra,
  });
}

/** The admin switch for "AWS has updates for this image". */
async function setUpdateAvailable(imageName: string, available = true): Promise<string[]> {
  const response = await fetch(`${running.url}/_sandbox/appstream/updates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imageName, available }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { updatesAvailable: string[] }).updatesAvailable;
}

async function describeImage(name: string): Promise<Image> {
  const { Images } = await appstream.send(new DescribeImagesCommand({ Names: [name] }));
  assert.equal(Images?.length, 1);
  return Images[0]!;
}

async function describeBuilder(name: string): Promise<ImageBuilder> {
  const { ImageBuilders } = await appstream.send(new DescribeImageBuildersCommand({ Names: [name] }));
  assert.equal(ImageBuilders?.length, 1);
  return ImageBuilders[0]!;
}

/** An AVAILABLE private image made by CreateUpdatedImage from the seeded golden image. */
async function updatedImage(name: string, tags: Record<string, string> = {}): Promise<Image> {
  await setUpdateAvailable(APPSTREAM_GOLDEN_IMAGE_NAME);
  const { image } = await appstream.send(
    new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: name, newImageTags: tags }),
  );
  return image!;
}

async function createBuilder(name: string, extra: Partial<CreateImageBuilderCommandInput> = {}): Promise<ImageBuilder> {
  const { ImageBuilder } = await appstream.send(
    new CreateImageBuilderCommand({
      Name: name,
      ImageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
      InstanceType: 'stream.standard.medium',
      ...extra,
    }),
  );
  return ImageBuilder!;
}

async function rawPost(target: string, body: string) {
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `PhotonAdminProxyService.${target}` };
  const response = await send(sign({ method: 'POST', url: running.url, headers, body }, { service: 'appstream' }));
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    json: (await response.json()) as Record<string, unknown>,
  };
}

before(async () => {
  running = await createSandbox({ port: 0, config: { profile: 'test' } });
  appstream = client();
  admin = new SandboxAdmin(running.url);
});

after(async () => {
  appstream.destroy();
  await running.close();
});

beforeEach(async () => {
  await admin.reset();
});

describe('images', () => {
  test('seeded: two public AWS base images and one private golden image', async () => {
    const { Images } = await appstream.send(new DescribeImagesCommand({}));
    assert.deepEqual(
      Images?.map((i) => [i.Name, i.Visibility, i.State, i.Platform]),
      [
        [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, 'PUBLIC', 'AVAILABLE', 'WINDOWS_SERVER_2022'],
        [APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME, 'PUBLIC', 'AVAILABLE', 'WINDOWS_SERVER_2019'],
        [APPSTREAM_GOLDEN_IMAGE_NAME, 'PRIVATE', 'AVAILABLE', 'WINDOWS_SERVER_2022'],
      ],
    );
    const golden = Images[2]!;
    assert.equal(golden.Arn, GOLDEN_ARN);
    assert.equal(golden.BaseImageArn, BASE_2022_ARN);
    assert.equal(Images[0]!.Arn, BASE_2022_ARN);
    assert.ok(golden.CreatedTime instanceof Date && golden.CreatedTime.toISOString() === '2026-11-15T09:30:00.000Z');
    assert.ok(golden.PublicBaseImageReleasedDate instanceof Date);
    assert.equal(golden.ImageBuilderSupported, true);
    assert.deepEqual(golden.Applications, []);
    assert.equal(golden.LatestAppstreamAgentVersion, 'FALSE');
    assert.equal(golden.ImageSharedWithOthers, 'FALSE');
    assert.equal(golden.StateChangeReason, undefined);
    assert.equal(golden.ImageErrors, undefined);
  });

  test('CreateUpdatedImage dry run answers canUpdateImage and creates nothing; no update means no image', async () => {
    const noUpdate = await appstream.send(
      new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'golden-v2', dryRun: true }),
    );
    assert.equal(noUpdate.canUpdateImage, false);
    assert.equal(noUpdate.image?.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
    await rejectsWith(
      appstream.send(new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'golden-v2' })),
      'OperationNotPermittedException',
      400,
    );

    assert.deepEqual(await setUpdateAvailable(APPSTREAM_GOLDEN_IMAGE_NAME), [APPSTREAM_GOLDEN_IMAGE_NAME]);
    const withUpdate = await appstream.send(
      new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'golden-v2', dryRun: true }),
    );
    assert.equal(withUpdate.canUpdateImage, true);
    assert.equal(withUpdate.image?.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
    assert.equal(withUpdate.image?.State, 'AVAILABLE');
    await rejectsWith(appstream.send(new DescribeImagesCommand({ Names: ['golden-v2'] })), 'ResourceNotFoundException', 400);
    assert.equal((await appstream.send(new DescribeImagesCommand({}))).Images?.length, 3);
  });

  test('CreateUpdatedImage: PENDING → AVAILABLE with tags; a taken name, an unknown or public image are refused', async () => {
    await setUpdateAvailable(APPSTREAM_GOLDEN_IMAGE_NAME);
    const created = await appstream.send(
      new CreateUpdatedImageCommand({
        existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME,
        newImageName: 'golden-2026-11-22',
        newImageDescription: 'November patches',
        newImageDisplayName: 'Golden (Nov)',
        newImageTags: { pipeline: 'appstream', 'golden-image:run': 'r1' },
      }),
    );
    assert.equal(created.canUpdateImage, true);
    const image = created.image!;
    assert.equal(image.Name, 'golden-2026-11-22');
    assert.equal(image.Arn, 'arn:aws:appstream:us-east-1:111122223333:image/golden-2026-11-22');
    assert.equal(image.State, 'PENDING');
    assert.equal(image.Visibility, 'PRIVATE');
    assert.equal(image.BaseImageArn, GOLDEN_ARN);
    assert.equal(image.Description, 'November patches');
    assert.equal(image.DisplayName, 'Golden (Nov)');
    assert.equal(image.Platform, 'WINDOWS_SERVER_2022');
    assert.equal(image.LatestAppstreamAgentVersion, 'TRUE');

    await admin.advance(1000);
    assert.equal((await describeImage('golden-2026-11-22')).State, 'PENDING');
    await admin.advance(600);
    assert.equal((await describeImage('golden-2026-11-22')).State, 'AVAILABLE');

    const { Tags } = await appstream.send(new ListTagsForResourceCommand({ ResourceArn: image.Arn }));
    assert.deepEqual(Tags, { pipeline: 'appstream', 'golden-image:run': 'r1' });
    await appstream.send(new TagResourceCommand({ ResourceArn: image.Arn, Tags: { stage: 'tagged' } }));
    await appstream.send(new UntagResourceCommand({ ResourceArn: image.Arn, TagKeys: ['golden-image:run'] }));
    assert.deepEqual((await appstream.send(new ListTagsForResourceCommand({ ResourceArn: image.Arn }))).Tags, {
      pipeline: 'appstream',
      stage: 'tagged',
    });
    await rejectsWith(appstream.send(new ListTagsForResourceCommand({ ResourceArn: `${GOLDEN_ARN}-nope` })), 'ResourceNotFoundException');
    await rejectsWith(
      appstream.send(new TagResourceCommand({ ResourceArn: image.Arn, Tags: { 'aws:reserved': 'x' } })),
      'ValidationException',
    );

    const dumped = (await admin.state()).appstream.images.find((i) => i.name === 'golden-2026-11-22');
    assert.equal(dumped?.state, 'AVAILABLE');
    assert.deepEqual(dumped?.tags, { pipeline: 'appstream', stage: 'tagged' });
    assert.ok(typeof dumped?.readyAt === 'number' && dumped.readyAt >= dumped.createdAt);

    const again = (newImageName: string, existingImageName = APPSTREAM_GOLDEN_IMAGE_NAME) =>
      appstream.send(new CreateUpdatedImageCommand({ existingImageName, newImageName }));
    const taken = await rejectsWith(again('golden-2026-11-22'), 'ResourceAlreadyExistsException', 400);
    assert.match(taken.message, /golden-2026-11-22/);
    await rejectsWith(again('golden-x', 'no-such-image'), 'ResourceNotFoundException', 400);
    await setUpdateAvailable(APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME);
    await rejectsWith(again('golden-x', APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME), 'OperationNotPermittedException');
    const invalid = await rejectsWith(again('-bad name'), 'ValidationException', 400);
    assert.match(invalid.message, /^1 validation error detected: Value '-bad name' at 'newImageName' failed to satisfy constraint/);
  });

  test('an injected failure ends the image FAILED with StateChangeReason and ImageErrors', async () => {
    await admin.fail({
      kind: 'appStreamImage',
      next: true,
      code: 'IMAGE_UPDATE_FAILURE',
      message: 'Windows Update failed with 0x80070643',
    });
    const failing = await updatedImage('golden-fails');
    assert.equal(failing.State, 'PENDING');
    await admin.advance();
    const failed = await describeImage('golden-fails');
    assert.equal(failed.State, 'FAILED');
    assert.deepEqual(failed.StateChangeReason, { Code: 'IMAGE_UPDATE_FAILURE', Message: 'Windows Update failed with 0x80070643' });
    assert.equal(failed.ImageErrors?.length, 1);
    assert.equal(failed.ImageErrors[0]!.ErrorCode, 'INTERNAL_SERVICE_ERROR');
    assert.equal(failed.ImageErrors[0]!.ErrorMessage, 'Windows Update failed with 0x80070643');
    assert.ok(failed.ImageErrors[0]!.ErrorTimestamp instanceof Date);

    // By name, while the image is being built; an error-list code lands in ImageErrors.
    const byName = await updatedImage('golden-fails-by-name');
    await admin.fail({ kind: 'appStreamImage', id: byName.Name!, code: 'IAM_SERVICE_ROLE_IS_MISSING', message: 'role missing' });
    await admin.advance();
    const failedByName = await describeImage('golden-fails-by-name');
    assert.deepEqual(failedByName.StateChangeReason, { Code: 'IMAGE_UPDATE_FAILURE', Message: 'role missing' });
    assert.equal(failedByName.ImageErrors?.[0]?.ErrorCode, 'IAM_SERVICE_ROLE_IS_MISSING');

    await updatedImage('golden-healthy');
    await admin.advance();
    assert.equal((await describeImage('golden-healthy')).State, 'AVAILABLE');
  });

  test('DescribeImages: pages of MaxResults 2, Type filter, Names or Arns but not both', async () => {
    for (const name of ['golden-a', 'golden-b', 'golden-c']) await updatedImage(name);
    const pages: string[][] = [];
    for await (const page of paginateDescribeImages({ client: appstream, pageSize: 2 }, {})) pages.push(page.Images!.map((i) => i.Name!));
    assert.deepEqual(pages, [
      [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME],
      [APPSTREAM_GOLDEN_IMAGE_NAME, 'golden-a'],
      ['golden-b', 'golden-c'],
    ]);

    const names = async (type: 'PUBLIC' | 'PRIVATE' | 'SHARED') =>
      (await appstream.send(new DescribeImagesCommand({ Type: type }))).Images?.map((i) => i.Name);
    assert.deepEqual(await names('PUBLIC'), [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME]);
    assert.deepEqual(await names('PRIVATE'), [APPSTREAM_GOLDEN_IMAGE_NAME, 'golden-a', 'golden-b', 'golden-c']);
    assert.deepEqual(await names('SHARED'), []);

    // Like every sandbox describe, results come in creation order, whatever the request's order.
    const byArn = await appstream.send(new DescribeImagesCommand({ Arns: [GOLDEN_ARN, BASE_2022_ARN] }));
    assert.deepEqual(
      byArn.Images?.map((i) => i.Name),
      [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, APPSTREAM_GOLDEN_IMAGE_NAME],
    );
    await rejectsWith(
      appstream.send(new DescribeImagesCommand({ Names: ['golden-a'], Arns: [GOLDEN_ARN] })),
      'InvalidParameterCombinationException',
      400,
    );
    await rejectsWith(appstream.send(new DescribeImagesCommand({ Names: ['golden-a', 'golden-zzz'] })), 'ResourceNotFoundException', 400);
    await rejectsWith(appstream.send(new DescribeImagesCommand({ MaxResults: 26 })), 'ValidationException', 400);
    await rejectsWith(appstream.send(new DescribeImagesCommand({ NextToken: 'garbage' })), 'ValidationException', 400);
  });

  test('DeleteImage: refused while PENDING and while a builder uses the image, and for public images; then DELETING → gone', async () => {
    await updatedImage('golden-retire');
    await rejectsWith(appstream.send(new DeleteImageCommand({ Name: 'golden-retire' })), 'ConcurrentModificationException', 400);
    await admin.advance();

    await createBuilder('uses-retire', { ImageName: 'golden-retire' });
    const inUse = await rejectsWith(appstream.send(new DeleteImageCommand({ Name: 'golden-retire' })), 'ResourceInUseException', 400);
    assert.match(inUse.message, /uses-retire/);
    await admin.advance();
    await appstream.send(new StopImageBuilderCommand({ Name: 'uses-retire' }));
    await admin.advance();
    await appstream.send(new DeleteImageBuilderCommand({ Name: 'uses-retire' }));
    // A builder being deleted still holds the image.
    await rejectsWith(appstream.send(new DeleteImageCommand({ Name: 'golden-retire' })), 'ResourceInUseException');
    await admin.advance();

    const { Image } = await appstream.send(new DeleteImageCommand({ Name: 'golden-retire' }));
    assert.equal(Image?.State, 'DELETING');
    assert.equal((await describeImage('golden-retire')).State, 'DELETING');
    await admin.advance();
    await rejectsWith(appstream.send(new DescribeImagesCommand({ Names: ['golden-retire'] })), 'ResourceNotFoundException');
    await rejectsWith(appstream.send(new DeleteImageCommand({ Name: 'golden-retire' })), 'ResourceNotFoundException');
    await rejectsWith(
      appstream.send(new DeleteImageCommand({ Name: APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME })),
      'OperationNotPermittedException',
    );
    assert.equal(
      (await admin.state()).appstream.images.some((i) => i.name === 'golden-retire'),
      false,
    );
  });
});

describe('image builders', () => {
  test('full cycle: create → RUNNING → stop → STOPPED → start → RUNNING → stop → delete, each state observed', async () => {
    const created = await createBuilder('golden-builder', {
      ImageArn: GOLDEN_ARN,
      ImageName: undefined,
      DisplayName: 'Golden builder',
      Description: 'installs apps',
      EnableDefaultInternetAccess: true,
      VpcConfig: { SubnetIds: ['subnet-0123456789abcdef0'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
      Tags: { pipeline: 'builder' },
    });
    assert.equal(created.State, 'PENDING');
    assert.equal(created.Arn, 'arn:aws:appstream:us-east-1:111122223333:image-builder/golden-builder');
    assert.equal(created.ImageArn, GOLDEN_ARN);
    assert.equal(created.InstanceType, 'stream.standard.medium');
    assert.equal(created.Platform, 'WINDOWS_SERVER_2022');
    assert.equal(created.EnableDefaultInternetAccess, true);
    assert.deepEqual(created.VpcConfig, { SubnetIds: ['subnet-0123456789abcdef0'], SecurityGroupIds: ['sg-0123456789abcdef0'] });
    assert.ok(created.CreatedTime instanceof Date);
    assert.deepEqual((await appstream.send(new ListTagsForResourceCommand({ ResourceArn: created.Arn }))).Tags, { pipeline: 'builder' });

    const observed: string[] = [(await describeBuilder('golden-builder')).State!];
    const step = async (call?: () => Promise<{ ImageBuilder?: ImageBuilder }>) => {
      if (call) observed.push((await call()).ImageBuilder!.State!);
      else {
        await admin.advance();
        observed.push((await describeBuilder('golden-builder')).State!);
      }
    };
    await step();
    await step(() => appstream.send(new StopImageBuilderCommand({ Name: 'golden-builder' })));
    await step();
    await step(() => appstream.send(new StartImageBuilderCommand({ Name: 'golden-builder' })));
    await step();
    await step(() => appstream.send(new StopImageBuilderCommand({ Name: 'golden-builder' })));
    await step();
    await step(() => appstream.send(new DeleteImageBuilderCommand({ Name: 'golden-builder' })));
    assert.equal((await describeBuilder('golden-builder')).State, 'DELETING');
    await admin.advance();
    assert.deepEqual(observed, ['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'DELETING']);
    await rejectsWith(appstream.send(new DescribeImageBuildersCommand({ Names: ['golden-builder'] })), 'ResourceNotFoundException', 400);
    assert.deepEqual((await appstream.send(new DescribeImageBuildersCommand({}))).ImageBuilders, []);
    // The name is free again.
    assert.equal((await createBuilder('golden-builder')).State, 'PENDING');
  });

  test('transitions take builderTransition; calls in the wrong state are refused', async () => {
    await createBuilder('b1');
    await rejectsWith(appstream.send(new StopImageBuilderCommand({ Name: 'b1' })), 'OperationNotPermittedException', 400);
    await admin.advance(400);
    assert.equal((await describeBuilder('b1')).State, 'PENDING');
    await admin.advance(100);
    assert.equal((await describeBuilder('b1')).State, 'RUNNING');
    await rejectsWith(appstream.send(new StartImageBuilderCommand({ Name: 'b1' })), 'ResourceNotAvailableException', 400);
    await rejectsWith(appstream.send(new DeleteImageBuilderCommand({ Name: 'b1' })), 'OperationNotPermittedException', 400);
    await appstream.send(new StopImageBuilderCommand({ Name: 'b1' }));
    await rejectsWith(appstream.send(new StopImageBuilderCommand({ Name: 'b1' })), 'OperationNotPermittedException');
    await admin.advance();
    const stopStopped = await rejectsWith(
      appstream.send(new StopImageBuilderCommand({ Name: 'b1' })),
      'OperationNotPermittedException',
      400,
    );
    assert.match(stopStopped.message, /STOPPED/);
    await rejectsWith(appstream.send(new StartImageBuilderCommand({ Name: 'nope' })), 'ResourceNotFoundException', 400);
  });

  test('CreateImageBuilder validation: name, duplicate, instance type, image source and state', async () => {
    await createBuilder('dup');
    await rejectsWith(createBuilder('dup'), 'ResourceAlreadyExistsException', 400);
    await rejectsWith(createBuilder('bad name!'), 'ValidationException', 400);
    await rejectsWith(createBuilder('t3', { InstanceType: 't3.micro' }), 'InvalidParameterCombinationException', 400);
    await rejectsWith(createBuilder('no-image', { ImageName: 'no-such-image' }), 'ResourceNotFoundException', 400);
    await rejectsWith(createBuilder('both', { ImageArn: GOLDEN_ARN }), 'InvalidParameterCombinationException', 400);
    await rejectsWith(createBuilder('neither', { ImageName: undefined }), 'InvalidParameterCombinationException', 400);
    await updatedImage('still-pending');
    await rejectsWith(createBuilder('from-pending', { ImageName: 'still-pending' }), 'ResourceNotAvailableException', 400);
  });

  test('DescribeImageBuilders pages with MaxResults and NextToken; unknown names are not found', async () => {
    const names = ['ib-1', 'ib-2', 'ib-3', 'ib-4', 'ib-5'];
    for (const name of names) await createBuilder(name);
    const pages: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await appstream.send(new DescribeImageBuildersCommand({ MaxResults: 2, NextToken }));
      pages.push(page.ImageBuilders!.map((b) => b.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(pages, [['ib-1', 'ib-2'], ['ib-3', 'ib-4'], ['ib-5']]);
    const some = await appstream.send(new DescribeImageBuildersCommand({ Names: ['ib-4', 'ib-2'] }));
    assert.deepEqual(
      some.ImageBuilders?.map((b) => b.Name),
      ['ib-2', 'ib-4'],
    );
    await rejectsWith(appstream.send(new DescribeImageBuildersCommand({ Names: ['ib-1', 'ib-9'] })), 'ResourceNotFoundException');
  });

  test('injected builder failures: FAILED is terminal, UPDATING_AGENT is a detour before RUNNING', async () => {
    await admin.fail({ kind: 'builder', next: true, code: 'IMAGE_UNAVAILABLE', message: 'base image unavailable' });
    await createBuilder('fails');
    await admin.advance();
    const failed = await describeBuilder('fails');
    assert.equal(failed.State, 'FAILED');
    assert.deepEqual(failed.StateChangeReason, { Code: 'IMAGE_UNAVAILABLE', Message: 'base image unavailable' });
    assert.equal(failed.ImageBuilderErrors?.[0]?.ErrorCode, 'INTERNAL_SERVICE_ERROR');
    assert.ok(failed.ImageBuilderErrors?.[0]?.ErrorTimestamp instanceof Date);
    await rejectsWith(appstream.send(new StartImageBuilderCommand({ Name: 'fails' })), 'ResourceNotAvailableException');
    assert.equal((await appstream.send(new DeleteImageBuilderCommand({ Name: 'fails' }))).ImageBuilder?.State, 'DELETING');

    // A stopped builder takes the agent update on its next start.
    await createBuilder('agent');
    await admin.advance();
    await appstream.send(new StopImageBuilderCommand({ Name: 'agent' }));
    await admin.advance();
    await admin.fail({ kind: 'builder', id: 'agent', state: 'UPDATING_AGENT' });
    assert.equal((await appstream.send(new StartImageBuilderCommand({ Name: 'agent' }))).ImageBuilder?.State, 'PENDING');
    await admin.advance(500);
    assert.equal((await describeBuilder('agent')).State, 'UPDATING_AGENT');
    await admin.advance(500);
    assert.equal((await describeBuilder('agent')).State, 'RUNNING');

    // A running builder fails now.
    await admin.fail({ kind: 'builder', id: 'agent', code: 'INTERNAL_ERROR', message: 'instance lost' });
    assert.equal((await describeBuilder('agent')).State, 'FAILED');
    // 'fails' finished deleting during the advances above.
    const dump = await admin.state();
    assert.deepEqual(
      dump.appstream.builders.map((b) => [b.name, b.state]),
      [['agent', 'FAILED']],
    );
  });
});

describe('throttling, faults and protocol', () => {
  test('a describe burst beyond the bucket gets 400 ThrottlingException and is counted as throttled', async () => {
    // Scale 0.5: the describe bucket holds 10 tokens and refills 2.5 per second.
    await admin.reset({ throttling: { enabled: true, scale: 0.5 } });
    const noRetry = client({ maxAttempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => noRetry.send(new DescribeImagesCommand({}))));
    noRetry.destroy();
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(rejected.length >= 17 && rejected.length <= 20, `expected about 20 throttled, got ${rejected.length}`);
    for (const r of rejected) {
      const error = r.reason as Error & { $metadata: { httpStatusCode: number } };
      assert.equal(error.name, 'ThrottlingException');
      assert.equal(error.message, 'Rate exceeded');
      assert.equal(error.$metadata.httpStatusCode, 400);
    }
    assert.deepEqual((await admin.calls()).appstream.DescribeImages, { total: 30, throttled: rejected.length, faulted: 0 });
  });

  test('bucket sizes are configurable per class, and throttling can be switched off', async () => {
    await admin.configure({ throttling: { buckets: { 'appstream:mutating': { capacity: 1, refillPerSecond: 0.01 } } } });
    const noRetry = client({ maxAttempts: 1 });
    await createBuilder('first');
    await rejectsWith(
      noRetry.send(
        new CreateImageBuilderCommand({ Name: 'second', ImageName: APPSTREAM_GOLDEN_IMAGE_NAME, InstanceType: 'stream.standard.small' }),
      ),
      'ThrottlingException',
      400,
    );
    // Describes draw from their own bucket.
    assert.equal((await noRetry.send(new DescribeImageBuildersCommand({}))).ImageBuilders?.length, 1);

    await admin.configure({ throttling: { enabled: false } });
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => noRetry.send(new DescribeImagesCommand({}))));
    noRetry.destroy();
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 40);
  });

  test('injected 500s fail the next N calls; the SDK retries them by default; resets drop the connection', async () => {
    await admin.fault({
      service: 'appstream',
      action: 'DescribeImageBuilders',
      count: 2,
      error: { code: 'InternalFailure', status: 500, message: 'injected' },
    });
    const noRetry = client({ maxAttempts: 1 });
    const error = await rejectsWith(noRetry.send(new DescribeImageBuildersCommand({})), 'InternalFailure', 500);
    assert.equal(error.message, 'injected');
    assert.deepEqual((await appstream.send(new DescribeImageBuildersCommand({}))).ImageBuilders, []);
    assert.deepEqual((await admin.calls()).appstream.DescribeImageBuilders, { total: 3, throttled: 0, faulted: 2 });

    await admin.fault({ service: 'appstream', action: 'DescribeImages', reset: true });
    await assert.rejects(noRetry.send(new DescribeImagesCommand({})), (e: Error & { code?: string }) =>
      /ECONNRESET|socket hang up/.test(`${e.code} ${e.message}`),
    );
    noRetry.destroy();
    assert.equal((await appstream.send(new DescribeImagesCommand({ Names: [APPSTREAM_GOLDEN_IMAGE_NAME] }))).Images?.length, 1);
  });

  test('malformed JSON → SerializationException, unknown operation → UnknownOperationException, both counted', async () => {
    const malformed = await rawPost('DescribeImages', '{"Names": [');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.contentType, 'application/x-amz-json-1.1');
    assert.equal(malformed.json.__type, 'SerializationException');
    assert.equal(typeof malformed.json.Message, 'string');

    const unknown = await rawPost('FrobnicateImages', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.__type, 'UnknownOperationException');

    const wrongType = await rawPost('DescribeImages', '{"Names": "golden"}');
    assert.equal(wrongType.json.__type, 'SerializationException');
    const missing = await rawPost('CreateUpdatedImage', '{"existingImageName": "golden-appstream-base"}');
    assert.deepEqual(missing.json, {
      __type: 'ValidationException',
      Message: "1 validation error detected: Value null at 'newImageName' failed to satisfy constraint: Member must not be null",
    });

    const ok = await rawPost('DescribeImages', JSON.stringify({ Names: [APPSTREAM_GOLDEN_IMAGE_NAME] }));
    assert.equal(ok.status, 200);
    const [image] = ok.json.Images as { Name: string; CreatedTime: number }[];
    assert.equal(image!.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
    // JSON 1.1 timestamps are epoch seconds.
    assert.equal(image!.CreatedTime, Date.parse('2026-11-15T09:30:00.000Z') / 1000);

    const calls = (await admin.calls()).appstream;
    assert.equal(calls.DescribeImages?.total, 3);
    assert.equal(calls.FrobnicateImages?.total, 1);
  });

  test('admin: update availability can be listed and withdrawn; reset clears it', async () => {
    await setUpdateAvailable('not-created-yet');
    await setUpdateAvailable(APPSTREAM_GOLDEN_IMAGE_NAME);
    assert.deepEqual(await setUpdateAvailable('not-created-yet', false), [APPSTREAM_GOLDEN_IMAGE_NAME]);
    const listed = (await (await fetch(`${running.url}/_sandbox/appstream/updates`)).json()) as { updatesAvailable: string[] };
    assert.deepEqual(listed.updatesAvailable, [APPSTREAM_GOLDEN_IMAGE_NAME]);
    const bad = await fetch(`${running.url}/_sandbox/appstream/updates`, { method: 'POST', body: '{"imageName": "x"}' });
    assert.equal(bad.status, 400);
    await admin.reset();
    assert.deepEqual((await admin.state()).appstream.updatesAvailable, []);
  });
});
