import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppStreamClient, CreateImageBuilderCommand, DescribeImageBuildersCommand, DescribeImagesCommand } from '@aws-sdk/client-appstream';
import { SmithyRpcV2CborProtocol } from '@smithy/core/cbor';
import { Decoder, encode } from 'cbor';
import { APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME, createSandbox, SandboxAdmin, SANDBOX_CREDENTIALS, type RunningSandbox } from '../index';
import { rejectsWith } from './support/rejects-with';
import { send, sign } from '../raw-signing';

/** AppStream over Smithy RPC v2 CBOR: the same actions and state as over JSON 1.1, in CBOR's wire format. */

let running: RunningSandbox;
let admin: SandboxAdmin;
let json: AppStreamClient;
let cbor: AppStreamClient;

before(async () => {
  running = await createSandbox({ port: 0, config: { profile: 'test' } });
  admin = new SandboxAdmin(running.url);
  const common = { endpoint: running.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  json = new AppStreamClient(common);
  // The SDK's own RPC v2 CBOR protocol, as a client update that switched AppStream's protocol would use.
  cbor = new AppStreamClient({ ...common, protocol: SmithyRpcV2CborProtocol });
});
after(() => running.close());

/** Tag 1 values are kept as `{ epochSeconds }`, so the test sees how timestamps were written. */
function decodeCbor(bytes: ArrayBuffer): Record<string, unknown> {
  return Decoder.decodeFirstSync(Buffer.from(bytes), { tags: { 1: (epochSeconds: number) => ({ epochSeconds }) } }) as Record<
    string,
    unknown
  >;
}

async function rpc(
  operation: string,
  input: unknown,
  path = `/service/PhotonAdminProxyService/operation/${operation}`,
  headers: Record<string, string> = {},
) {
  const request = {
    method: 'POST',
    url: `${running.url}${path}`,
    headers: { 'content-type': 'application/cbor', accept: 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', ...headers },
    body: input instanceof Buffer ? input : encode(input),
  };
  const response = await send(sign(request, { service: 'appstream' }));
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    smithyProtocol: response.headers.get('smithy-protocol'),
    body: decodeCbor(await response.arrayBuffer()),
  };
}

test('raw CBOR: DescribeImages answers a CBOR map, timestamps as tag 1 epoch seconds, smithy-protocol echoed', async () => {
  const reply = await rpc('DescribeImages', { Names: [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME] });
  assert.deepEqual([reply.status, reply.contentType, reply.smithyProtocol], [200, 'application/cbor', 'rpc-v2-cbor']);
  const [image] = reply.body.Images as Record<string, unknown>[];
  assert.equal(image!.Name, APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME);
  const created = image!.CreatedTime as { epochSeconds: number };
  assert.equal(typeof created.epochSeconds, 'number');
  assert.ok(Math.abs(created.epochSeconds * 1000 - Date.now()) < 400 * 24 * 3600 * 1000);
});

test('raw CBOR: a path prefix and the absolute service shape ID route the same way', async () => {
  for (const path of [
    '/v1/service/PhotonAdminProxyService/operation/DescribeImages',
    '/service/com.amazonaws.appstream.PhotonAdminProxyService/operation/DescribeImages',
  ]) {
    assert.equal((await rpc('DescribeImages', {}, path)).status, 200);
  }
});

test('raw CBOR errors: __type is the absolute shape ID, with the status JSON would answer', async () => {
  const missing = await rpc('DescribeImageBuilders', { Names: ['no-such-builder'] });
  assert.deepEqual(
    [missing.status, missing.smithyProtocol, missing.body.__type],
    [400, 'rpc-v2-cbor', 'com.amazonaws.appstream#ResourceNotFoundException'],
  );
  assert.match(missing.body.Message as string, /no-such-builder/);

  const unknown = await rpc('DescribeStacks', {});
  assert.equal(unknown.body.__type, 'com.amazonaws.appstream#UnknownOperationException');
  const garbage = await rpc('DescribeImages', Buffer.from([0xa1, 0x61]));
  assert.equal(garbage.body.__type, 'com.amazonaws.appstream#SerializationException');
  const notAMap = await rpc('DescribeImages', [1, 2]);
  assert.equal(notAMap.body.__type, 'com.amazonaws.appstream#SerializationException');
  const wrongType = await rpc('DescribeImages', { MaxResults: 'ten' });
  assert.equal(wrongType.body.__type, 'com.amazonaws.appstream#SerializationException');
  // The spec makes servers refuse an RPC v2 request that also names an X-Amz-Target.
  const targeted = await rpc('DescribeImages', {}, undefined, { 'x-amz-target': 'PhotonAdminProxyService.DescribeImages' });
  assert.equal(targeted.body.__type, 'com.amazonaws.appstream#SerializationException');
  const calls = await admin.calls();
  assert.equal(calls.appstream.DescribeStacks?.total, 1);
});

test('raw CBOR: throttling is a 400 ThrottlingException', async () => {
  await admin.reset({ profile: 'test', throttling: { enabled: true, scale: 0.01 } });
  try {
    const statuses: unknown[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await rpc('DescribeImages', {})).body.__type);
    assert.ok(statuses.includes('com.amazonaws.appstream#ThrottlingException'), String(statuses));
  } finally {
    await admin.reset({ profile: 'test' });
  }
});

test('SDK over CBOR: a builder created over CBOR is seen over JSON, and errors come back typed', async () => {
  const { ImageBuilder } = await cbor.send(
    new CreateImageBuilderCommand({
      Name: 'cbor-builder',
      ImageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
      InstanceType: 'stream.standard.medium',
    }),
  );
  assert.equal(ImageBuilder?.Name, 'cbor-builder');
  assert.ok(ImageBuilder?.CreatedTime instanceof Date);
  const { ImageBuilders } = await json.send(new DescribeImageBuildersCommand({ Names: ['cbor-builder'] }));
  assert.equal(ImageBuilders?.[0]?.CreatedTime?.getTime(), ImageBuilder.CreatedTime.getTime());

  const { Images } = await cbor.send(new DescribeImagesCommand({ Names: [APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME] }));
  assert.ok(Images?.[0]?.PublicBaseImageReleasedDate instanceof Date);
  await rejectsWith(cbor.send(new DescribeImageBuildersCommand({ Names: ['no-such-builder'] })), 'ResourceNotFoundException', 400);
});
