/**
 * Retention spares an image still in use, in whichever Region or account it lives: `findImagesInUse`
 * finds the instances running from it (in any state but terminated), the `$Default` and `$Latest`
 * versions of the published launch templates of its Region, and the published SSM parameters, in as
 * few calls as it can. Sandbox over HTTP, real SDK; the place is a copy Region, and another account.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilImageAvailable,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createAwsClients, type AwsClients } from '../activities/aws/clients';
import { findImagesInUse } from '../activities/ec2/image-usage';
import type { Place } from '../contracts/place';
import type { ImagesInUse } from '../contracts/retention';
import { startOwnSandbox, type OwnSandbox } from './support/own-sandbox';
import { REGION, TEST_CREDENTIALS } from './support/stack';

const COPY_REGION: Place = { region: 'us-west-2' };
const OTHER_ACCOUNT: Place = { region: 'us-west-2', roleArn: 'arn:aws:iam::444455556666:role/golden-image-distribution' };
const WAIT = { maxWaitTime: 30, minDelay: 1, maxDelay: 1 };

let sandbox: OwnSandbox;
let clients: AwsClients;

before(async () => {
  sandbox = await startOwnSandbox();
  clients = createAwsClients({ endpoint: sandbox.url, region: REGION, credentials: TEST_CREDENTIALS, requestTimeoutMs: 5_000 });
});
after(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.admin.reset({ profile: 'test' });
});

async function runInstance(ec2: EC2Client, imageId: string): Promise<string> {
  const out = await ec2.send(new RunInstancesCommand({ ImageId: imageId, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));
  const instanceId = out.Instances![0]!.InstanceId!;
  await waitUntilInstanceRunning({ client: ec2, ...WAIT }, { InstanceIds: [instanceId] });
  return instanceId;
}

/** One of Amazon's base images in the place's Region. */
async function baseImage(ec2: EC2Client): Promise<string> {
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  return Images[0]!.ImageId!;
}

/** `count` images of the place's own, made from an instance of Amazon's base image there. */
async function ownImages(ec2: EC2Client, count: number): Promise<string[]> {
  const builder = await runInstance(ec2, await baseImage(ec2));
  const imageIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const out = await ec2.send(new CreateImageCommand({ InstanceId: builder, Name: `web-${i}` }));
    imageIds.push(out.ImageId!);
  }
  await waitUntilImageAvailable({ client: ec2, ...WAIT }, { ImageIds: imageIds });
  return imageIds;
}

/** What the place's account made of `action` in its Region since the counts were reset. */
async function callsIn(place: Place, service: 'ec2' | 'ssm', action: string): Promise<number> {
  const accountId = place.roleArn ? place.roleArn.split(':')[4] : '111122223333';
  const counts = await sandbox.admin.calls({ accountId, region: place.region ?? REGION });
  return counts[service][action]?.total ?? 0;
}

test('in a copy Region: an instance, a launch template default version and an SSM parameter each keep an image; the unused one is free', async () => {
  const { ec2, ssm } = clients.at(COPY_REGION);
  const [running, byTemplate, byParameter, unused] = await ownImages(ec2, 4);
  const runningInstance = await runInstance(ec2, running!);
  // A terminated instance uses nothing.
  const gone = await runInstance(ec2, unused!);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [gone] }));
  await waitUntilInstanceTerminated({ client: ec2, ...WAIT }, { InstanceIds: [gone] });
  // The default version launches `byTemplate`; a newer version, not the default, launches Amazon's base image.
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: byTemplate } }));
  await ec2.send(
    new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: await baseImage(ec2) } }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/golden/web/latest', Value: byParameter, Type: 'String', DataType: 'aws:ec2:image' }));
  await sandbox.admin.resetCalls();

  const inUse: ImagesInUse = {
    launchTemplates: [
      { region: 'us-west-2', name: 'web' },
      // Deleted since it was published: it launches nothing.
      { region: 'us-west-2', name: 'web-retired' },
      // Another Region's template is not asked about in this one.
      { name: 'web' },
    ],
    // Eleven names: GetParameters takes ten at a time. Names SSM does not know point at nothing.
    ssmParameters: ['/golden/web/latest', ...Array.from({ length: 10 }, (_, i) => `/golden/other-${i}/latest`)],
  };
  const reasons = await findImagesInUse(clients, [running!, byTemplate!, byParameter!, unused!], inUse, COPY_REGION);

  assert.deepEqual(Object.keys(reasons).sort(), [running!, byTemplate!, byParameter!].sort());
  assert.equal(reasons[running!], `instance ${runningInstance} (running) runs from it`);
  assert.equal(reasons[byTemplate!], 'launch template web version 1 ($Default) launches it');
  assert.equal(reasons[byParameter!], 'SSM parameter /golden/web/latest names it');
  // The parameters and templates first, then one DescribeInstances for the images they did not explain.
  assert.equal(await callsIn(COPY_REGION, 'ssm', 'GetParameters'), 2);
  assert.equal(await callsIn(COPY_REGION, 'ec2', 'DescribeLaunchTemplateVersions'), 2);
  assert.equal(await callsIn(COPY_REGION, 'ec2', 'DescribeInstances'), 1);
  assert.equal(await callsIn({}, 'ec2', 'DescribeLaunchTemplateVersions'), 0);
});

test("a launch template's $Latest version keeps its image too", async () => {
  const { ec2 } = clients.at(COPY_REGION);
  const [byDefault, byLatest, unused] = await ownImages(ec2, 3);
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: byDefault } }));
  await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: unused } }));
  await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: byLatest } }));

  const reasons = await findImagesInUse(
    clients,
    [byDefault!, byLatest!, unused!],
    { launchTemplates: [{ region: 'us-west-2', name: 'web' }], ssmParameters: [] },
    COPY_REGION,
  );

  // Version 2, neither the default nor the latest, keeps nothing.
  assert.deepEqual(reasons, {
    [byDefault!]: 'launch template web version 1 ($Default) launches it',
    [byLatest!]: 'launch template web version 3 ($Latest) launches it',
  });
});

test('in another account only instances are looked for: the published templates and parameters live in the build account', async () => {
  const { ec2 } = clients.at(OTHER_ACCOUNT);
  const [running, unused] = await ownImages(ec2, 2);
  const instanceId = await runInstance(ec2, running!);
  await sandbox.admin.resetCalls();

  const inUse: ImagesInUse = { launchTemplates: [{ region: 'us-west-2', name: 'web' }], ssmParameters: ['/golden/web/latest'] };
  const reasons = await findImagesInUse(clients, [running!, unused!], inUse, OTHER_ACCOUNT);

  assert.deepEqual(reasons, { [running!]: `instance ${instanceId} (running) runs from it` });
  assert.equal(await callsIn(OTHER_ACCOUNT, 'ec2', 'DescribeInstances'), 1);
  assert.equal(await callsIn(OTHER_ACCOUNT, 'ec2', 'DescribeLaunchTemplateVersions'), 0);
  assert.equal(await callsIn(OTHER_ACCOUNT, 'ssm', 'GetParameters'), 0);
});

test('once every image is explained, nothing more is asked', async () => {
  const { ec2, ssm } = clients.at(COPY_REGION);
  const [image] = await ownImages(ec2, 1);
  await ssm.send(new PutParameterCommand({ Name: '/golden/web/latest', Value: image, Type: 'String', DataType: 'aws:ec2:image' }));
  await sandbox.admin.resetCalls();

  const reasons = await findImagesInUse(
    clients,
    [image!],
    { launchTemplates: [{ region: 'us-west-2', name: 'web' }], ssmParameters: ['/golden/web/latest'] },
    COPY_REGION,
  );

  assert.deepEqual(reasons, { [image!]: 'SSM parameter /golden/web/latest names it' });
  assert.equal(await callsIn(COPY_REGION, 'ssm', 'GetParameters'), 1);
  assert.equal(await callsIn(COPY_REGION, 'ec2', 'DescribeLaunchTemplateVersions'), 0);
  assert.equal(await callsIn(COPY_REGION, 'ec2', 'DescribeInstances'), 0);
});
