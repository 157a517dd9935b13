import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME } from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';

/**
 * The AWS CLI (botocore's RPC v2 CBOR serializer and parser) against the sandbox's AppStream. This
 * botocore still prefers JSON for AppStream, so the test hands it AppStream's model with
 * `smithy-rpc-v2-cbor` as its only protocol, as a newer model that lists CBOR first would be read.
 */

const sandbox = awsCliSandboxForThisFile(
  { profile: 'test', durations: { builderTransition: 600_000 } },
  { onlyProtocol: { service: 'appstream', protocol: 'smithy-rpc-v2-cbor' } },
);
const { json: aws, fails: awsFails } = sandbox.cli('appstream');

test('aws appstream over RPC v2 CBOR: describe, create and a typed error', { timeout: 120_000 }, async () => {
  const { Images } = await aws<{ Images: { Name: string; CreatedTime: number }[] }>(
    'describe-images',
    '--names',
    APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
  );
  assert.equal(Images[0]?.Name, APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME);
  // awscli v1 prints the epoch seconds it read from CBOR tag 1.
  assert.equal(typeof Images[0]!.CreatedTime, 'number');

  const { ImageBuilder } = await aws<{ ImageBuilder: { Name: string; State: string } }>(
    'create-image-builder',
    '--name',
    'cli-cbor-builder',
    '--image-name',
    APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
    '--instance-type',
    'stream.standard.medium',
  );
  assert.deepEqual([ImageBuilder.Name, ImageBuilder.State], ['cli-cbor-builder', 'PENDING']);

  // --debug shows the request botocore sent: RPC v2's path and header, not JSON 1.1's X-Amz-Target.
  const stderr = await awsFails('describe-image-builders', '--names', 'no-such-builder', '--debug');
  assert.match(stderr, /\(ResourceNotFoundException\) when calling the DescribeImageBuilders operation/);
  assert.match(stderr, /\/service\/PhotonAdminProxyService\/operation\/DescribeImageBuilders/);
  assert.match(stderr, /'smithy-protocol': b?'rpc-v2-cbor'/);
  assert.doesNotMatch(stderr, /X-Amz-Target/i);
  assert.equal((await sandbox.admin.calls()).appstream.CreateImageBuilder?.total, 1);
});
