/**
 * Malformed and oversized requests to the sandbox itself, over loopback: each gets an AWS-style error
 * in its service's wire format (EC2 XML, AppStream JSON 1.1), none crashes it, and after each a normal
 * SDK call still works. At the end a whole pipeline runs on the same sandbox and dev server, and the
 * abuse left no resource behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DescribeImagesCommand as DescribeAppStreamImagesCommand } from '@aws-sdk/client-appstream';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { startPipeline } from '../client/start-pipeline';
import { APPSTREAM_GOLDEN_IMAGE_NAME, sendRawRequest, signRawRequest, WINDOWS_BASE_AMI_ID } from '@golden-image/aws-sandbox';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import { checkSandbox } from './support/sandbox-state';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let resourcesAtStart: Record<string, number>;

/** How many resources of each kind the sandbox holds. */
async function resourceCounts(): Promise<Record<string, number>> {
  const state = await stack.admin.state();
  return {
    images: state.images.length,
    snapshots: state.snapshots.length,
    instances: state.instances.length,
    volumes: state.volumes.length,
    tasks: state.replaceRootVolumeTasks.length,
    fastLaunch: state.fastLaunch.length,
    appStreamImages: state.appstream.images.length,
    builders: state.appstream.builders.length,
  };
}

before(async () => {
  stack = await startStack();
  // No throttling here: this file is about malformed requests, and it sends many describes in a row.
  await stack.admin.reset({ profile: 'test', throttling: { enabled: false } });
  resourcesAtStart = await resourceCounts();
});
after(async () => {
  await stack?.close();
});

const V = 'Version=2016-11-15';
const TEN_MB = 10 * 1024 * 1024;

interface BadRequest {
  label: string;
  /** EC2 requests are form posts; AppStream ones carry an X-Amz-Target. */
  target?: string;
  /** The service the request is signed for, when not the one its target names: the one that answers it. */
  signedFor?: 'ec2';
  body: string | Buffer;
  contentType?: string;
  status: number;
  code: string;
}

const EC2: BadRequest[] = [
  { label: 'bad percent-encoding', body: `Action=DescribeImages&${V}&ImageId.1=%zz`, status: 400, code: 'MalformedQueryString' },
  { label: 'empty parameter name', body: `=x&Action=DescribeImages&${V}`, status: 400, code: 'MalformedQueryString' },
  {
    label: 'a parameter that is both a value and a list',
    body: `Action=DescribeImages&${V}&ImageId=a&ImageId.1=b`,
    status: 400,
    code: 'MalformedQueryString',
  },
  { label: 'unknown action', body: `Action=Frobnicate&${V}`, status: 400, code: 'InvalidAction' },
  { label: 'no Action at all', body: V, status: 400, code: 'MissingAction' },
  { label: 'JSON sent to EC2', body: '{"Action":"DescribeImages"}', contentType: 'application/json', status: 400, code: 'MissingAction' },
  { label: 'not UTF-8', body: Buffer.from([0x41, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x3d, 0xff, 0xfe]), status: 400, code: 'InvalidAction' },
  {
    label: 'a number that is not one (MaxResults=lots)',
    body: `Action=DescribeImages&${V}&MaxResults=lots`,
    status: 400,
    code: 'InvalidParameterValue',
  },
  {
    label: 'a boolean that is not one (DryRun=maybe)',
    body: `Action=DescribeImages&${V}&DryRun=maybe`,
    status: 400,
    code: 'InvalidParameterValue',
  },
  {
    label: 'a required parameter missing (CreateImage without Name)',
    body: `Action=CreateImage&${V}&InstanceId=i-0123456789abcdef0`,
    status: 400,
    code: 'MissingParameter',
  },
  {
    label: 'a malformed ID in a mutating call',
    body: `Action=CreateReplaceRootVolumeTask&${V}&InstanceId=i-0123`,
    status: 400,
    code: 'InvalidInstanceID.Malformed',
  },
  {
    label: 'a key 3000 segments deep',
    body: `Action=DescribeImages&${V}&Filter.${Array.from({ length: 3000 }, (_, i) => i + 1).join('.')}=x`,
    status: 400,
    code: 'UnknownParameter',
  },
  {
    label: '__proto__ as a parameter name',
    body: `Action=DescribeImages&${V}&Filter.__proto__.Name=x`,
    status: 400,
    code: 'InvalidParameterValue',
  },
  {
    label: '20,000 parameters',
    body: `Action=DescribeImages&${V}&${Array.from({ length: 20_000 }, (_, i) => `ImageId.${i + 1}=ami-0123456789abcdef0`).join('&')}`,
    status: 400,
    code: 'InvalidAMIID.NotFound',
  },
  { label: 'a 10 MB body', body: Buffer.alloc(TEN_MB, 'a'), status: 413, code: 'RequestEntityTooLarge' },
];

const APPSTREAM: BadRequest[] = [
  { label: 'bad JSON', target: 'PhotonAdminProxyService.DescribeImages', body: '{"Names": [', status: 400, code: 'SerializationException' },
  {
    label: 'a JSON array instead of an object',
    target: 'PhotonAdminProxyService.DescribeImages',
    body: '[1, 2]',
    status: 400,
    code: 'SerializationException',
  },
  {
    label: 'JSON nested 100,000 deep',
    target: 'PhotonAdminProxyService.DescribeImages',
    body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    status: 400,
    code: 'SerializationException',
  },
  {
    label: 'a member of the wrong type',
    target: 'PhotonAdminProxyService.DescribeImages',
    body: '{"MaxResults": "ten"}',
    status: 400,
    code: 'SerializationException',
  },
  {
    label: 'a number out of range',
    target: 'PhotonAdminProxyService.DescribeImages',
    body: '{"MaxResults": -5}',
    status: 400,
    code: 'ValidationException',
  },
  {
    label: 'a required member missing',
    target: 'PhotonAdminProxyService.CreateUpdatedImage',
    body: '{"existingImageName": "x"}',
    status: 400,
    code: 'ValidationException',
  },
  { label: 'unknown operation', target: 'PhotonAdminProxyService.Frobnicate', body: '{}', status: 400, code: 'UnknownOperationException' },
  {
    label: 'X-Amz-Target without the operation',
    target: 'PhotonAdminProxyService.',
    body: '{}',
    status: 400,
    code: 'UnknownOperationException',
  },
  {
    label: 'X-Amz-Target without the dot and operation (not AppStream: EC2 answers)',
    target: 'PhotonAdminProxyService',
    signedFor: 'ec2',
    body: '{}',
    status: 400,
    code: 'MissingAction',
  },
  {
    label: 'X-Amz-Target without the service (EC2 answers)',
    target: '.DescribeImages',
    signedFor: 'ec2',
    body: '{}',
    status: 400,
    code: 'MissingAction',
  },
  {
    label: 'a 10 MB body',
    target: 'PhotonAdminProxyService.DescribeImages',
    body: JSON.stringify({ Names: ['x'.repeat(TEN_MB)] }),
    status: 413,
    code: 'RequestEntityTooLarge',
  },
];

/** Sent as a client would send it: signed with the sandbox's key, so each request meets the checks after SigV4's. */
async function send(request: BadRequest): Promise<{ status: number; code: string | undefined }> {
  const headers: Record<string, string> = request.target
    ? { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': request.target }
    : { 'content-type': request.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8' };
  const raw = { method: 'POST', url: stack.sandboxUrl, headers, body: request.body };
  const response = await sendRawRequest(signRawRequest(raw, { service: request.signedFor ?? (request.target ? 'appstream' : 'ec2') }));
  const text = await response.text();
  // EC2 errors are <Response><Errors><Error><Code>; AppStream's are {"__type": ...}.
  const code = text.startsWith('{')
    ? (JSON.parse(text) as { __type?: string }).__type
    : /<Errors><Error><Code>([^<]+)<\/Code><Message>[^<]*<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID>/.exec(
        text,
      )?.[1];
  return { status: response.status, code };
}

/** A well-formed SDK call on each service still gets its answer. */
async function stillServes(): Promise<void> {
  const ec2 = await stack.ec2.send(new DescribeImagesCommand({ ImageIds: [WINDOWS_BASE_AMI_ID] }));
  assert.equal(ec2.Images?.[0]?.ImageId, WINDOWS_BASE_AMI_ID);
  const appstream = await stack.clients.appstream.send(new DescribeAppStreamImagesCommand({ Names: [APPSTREAM_GOLDEN_IMAGE_NAME] }));
  assert.equal(appstream.Images?.[0]?.Name, APPSTREAM_GOLDEN_IMAGE_NAME);
}

for (const [service, requests] of [
  ['EC2', EC2],
  ['AppStream', APPSTREAM],
] as const) {
  describe(`${service}: malformed and oversized requests get AWS-style errors, and the sandbox keeps serving`, () => {
    for (const request of requests) {
      test(request.label, async () => {
        assert.deepEqual(await send(request), { status: request.status, code: request.code });
        await stillServes();
      });
    }
  });
}

test('afterwards a whole pipeline runs on the same sandbox, and the abuse changed nothing', async () => {
  assert.deepEqual(await resourceCounts(), resourcesAtStart, 'no malformed request made or removed anything');
  const instanceId = await stack.launchInstance('windows');
  const handle = await startPipeline(
    stack.env.client,
    'ami',
    { name: 'after-abuse', instanceId, waits: { image: { interval: '100ms', timeout: '1m' } } },
    { taskQueue: stack.taskQueue },
  );
  const result = (await handle.result()) as AmiPipelineResult;
  await checkSandbox(stack.admin, { amis: [result.imageId], tasksPerInstance: {}, appStreamImages: [] });
});
