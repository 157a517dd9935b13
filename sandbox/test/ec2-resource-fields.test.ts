import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, SANDBOX_ACCESS_KEYS, WINDOWS_BASE_AMI_ID } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/** Fields real EC2 returns on AMIs and instances that code could read, through the AWS SDK's own parser. */

// Each test launches several instances; RunInstances' own bucket (5, refilled at 2 a second) is not what these tests are about.
const sandbox = ec2SandboxForThisFile({ profile: 'test', throttling: { enabled: false } });

async function describeImage(imageId: string) {
  const { Images } = await sandbox.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  return Images![0]!;
}

async function describeInstance(instanceId: string, ec2 = sandbox.ec2): Promise<Instance> {
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return Reservations![0]!.Instances![0]!;
}

async function instanceIdsWhere(name: string, value: string): Promise<string[]> {
  const { Reservations } = await sandbox.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: name, Values: [value] }] }));
  return (Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!));
}

/** A client for `key`'s account in `region`, on the same sandbox. */
function ec2Client(key: (typeof SANDBOX_ACCESS_KEYS)[number], region: string): EC2Client {
  return new EC2Client({
    endpoint: sandbox.url,
    region,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  });
}

test('AMIs carry their boot mode, IMDS and TPM support, deprecation time and deregistration protection', async () => {
  const linux = await describeImage(LINUX_BASE_AMI_ID);
  assert.equal(linux.BootMode, 'uefi-preferred');
  assert.equal(linux.ImdsSupport, 'v2.0');
  assert.equal(linux.TpmSupport, undefined);
  assert.equal(linux.DeregistrationProtection, 'disabled');
  // Public AMIs are deprecated two years after creation, in AMI date format.
  assert.equal(linux.DeprecationTime, '2028-11-09T21:03:17.000Z');
  const windows = await describeImage(WINDOWS_BASE_AMI_ID);
  assert.equal(windows.BootMode, 'uefi');
  assert.equal(windows.TpmSupport, 'v2.0');
  assert.equal(windows.ImdsSupport, undefined);
});

test("an image made from an instance keeps its AMI's boot settings and has no deprecation time", async () => {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: WINDOWS_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  await sandbox.admin.advance();
  const { ImageId } = await sandbox.ec2.send(new CreateImageCommand({ InstanceId: Instances![0]!.InstanceId!, Name: 'fields-windows' }));
  await sandbox.admin.advance();
  const image = await describeImage(ImageId!);
  assert.equal(image.BootMode, 'uefi');
  assert.equal(image.TpmSupport, 'v2.0');
  assert.equal(image.DeprecationTime, undefined);
  assert.equal(image.DeregistrationProtection, 'disabled');
});

test('an instance carries its network: VPC, subnet, private IP and its primary network interface', async () => {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  const launched = Instances![0]!;
  assert.deepEqual(launched.StateReason, { Code: 'pending', Message: 'pending' });
  await sandbox.admin.advance();
  const instance = await describeInstance(launched.InstanceId!);
  assert.match(instance.VpcId ?? '', /^vpc-[0-9a-f]{17}$/);
  assert.match(instance.SubnetId ?? '', /^subnet-[0-9a-f]{17}$/);
  assert.match(instance.PrivateIpAddress ?? '', /^10\.0\.\d+\.\d+$/);
  assert.equal(instance.StateReason, undefined, 'a running instance has no state reason');
  const [eni] = instance.NetworkInterfaces ?? [];
  assert.match(eni?.NetworkInterfaceId ?? '', /^eni-[0-9a-f]{17}$/);
  assert.equal(eni?.SubnetId, instance.SubnetId);
  assert.equal(eni?.VpcId, instance.VpcId);
  assert.equal(eni?.PrivateIpAddress, instance.PrivateIpAddress);
  assert.equal(eni?.Attachment?.DeviceIndex, 0);
  assert.equal(eni?.Status, 'in-use');
  assert.deepEqual(
    eni?.PrivateIpAddresses?.map((a) => [a.Primary, a.PrivateIpAddress]),
    [[true, instance.PrivateIpAddress]],
  );
  const bySubnet = await sandbox.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'subnet-id', Values: [instance.SubnetId!] }] }));
  assert.ok(bySubnet.Reservations?.some((r) => r.Instances?.some((i) => i.InstanceId === instance.InstanceId)));
});

test('a running instance in the default subnet has a public IPv4 address and DNS name, on its network interface too', async () => {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  const launched = Instances![0]!;
  // As in the run-instances CLI example: a pending instance has no public address yet.
  assert.equal(launched.PublicIpAddress, undefined);
  assert.equal(launched.PublicDnsName, '');
  assert.equal(launched.NetworkInterfaces?.[0]?.Association, undefined);
  await sandbox.admin.advance();
  const instance = await describeInstance(launched.InstanceId!);
  const ip = instance.PublicIpAddress ?? '';
  assert.match(ip, /^3\.(8\d|9[0-5])\.\d{1,3}\.\d{1,3}$/);
  assert.equal(instance.PublicDnsName, `ec2-${ip.replaceAll('.', '-')}.compute-1.amazonaws.com`);
  const association = { IpOwnerId: 'amazon', PublicDnsName: instance.PublicDnsName, PublicIp: ip };
  const [eni] = instance.NetworkInterfaces ?? [];
  assert.deepEqual(eni?.Association, association);
  assert.deepEqual(eni?.PrivateIpAddresses?.[0]?.Association, association);
  assert.deepEqual(await instanceIdsWhere('ip-address', ip), [launched.InstanceId]);
  assert.deepEqual(await instanceIdsWhere('dns-name', instance.PublicDnsName!), [launched.InstanceId]);
  assert.deepEqual(await instanceIdsWhere('ip-address', '198.51.100.7'), []);
});

test('public addresses differ between instances, accounts and Regions, and name the Region outside us-east-1', async () => {
  const [keyA, keyB] = SANDBOX_ACCESS_KEYS as [(typeof SANDBOX_ACCESS_KEYS)[number], (typeof SANDBOX_ACCESS_KEYS)[number]];
  const otherAccount = ec2Client(keyB, 'us-east-1');
  const otherRegion = ec2Client(keyA, 'eu-west-1');
  try {
    const { Images } = await otherRegion.send(
      new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023*'] }] }),
    );
    const launches: [EC2Client, string, number][] = [
      [sandbox.ec2, LINUX_BASE_AMI_ID, 2],
      [otherAccount, LINUX_BASE_AMI_ID, 1],
      [otherRegion, Images![0]!.ImageId!, 1],
    ];
    const launched = await Promise.all(
      launches.map(async ([ec2, imageId, count]) => {
        const { Instances } = await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: count, MaxCount: count }));
        return Instances!.map((i) => [ec2, i.InstanceId!] as const);
      }),
    );
    await sandbox.admin.advance();
    const described = await Promise.all(launched.flat().map(([ec2, id]) => describeInstance(id, ec2)));
    const ips = described.map((i) => i.PublicIpAddress);
    assert.equal(new Set(ips).size, 4, `four instances, four addresses: ${ips.join(', ')}`);
    const west = described.at(-1)!;
    assert.equal(west.PublicDnsName, `ec2-${west.PublicIpAddress!.replaceAll('.', '-')}.eu-west-1.compute.amazonaws.com`);
  } finally {
    otherAccount.destroy();
    otherRegion.destroy();
  }
});

test('AssociatePublicIpAddress=false launches without a public address; with a second interface EC2 refuses it', async () => {
  const { Instances } = await sandbox.ec2.send(
    new RunInstancesCommand({
      ImageId: LINUX_BASE_AMI_ID,
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }],
    }),
  );
  await sandbox.admin.advance();
  const instance = await describeInstance(Instances![0]!.InstanceId!);
  assert.equal(instance.State?.Name, 'running');
  assert.equal(instance.PublicIpAddress, undefined);
  assert.equal(instance.PublicDnsName, '');
  assert.equal(instance.NetworkInterfaces?.[0]?.Association, undefined);
  await rejectsWith(
    sandbox.ec2.send(
      new RunInstancesCommand({
        ImageId: LINUX_BASE_AMI_ID,
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [
          { DeviceIndex: 0, AssociatePublicIpAddress: true },
          { DeviceIndex: 1, SubnetId: 'subnet-0a1b2c3d4e5f60001' },
        ],
      }),
    ),
    'InvalidParameterCombination',
  );
});

test('MetadataOptions default from the AMI (IMDSv2 for ImdsSupport v2.0) and follow the request', async () => {
  const { Instances: linux } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  const { Instances: windows } = await sandbox.ec2.send(
    new RunInstancesCommand({ ImageId: WINDOWS_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }),
  );
  const { Instances: custom } = await sandbox.ec2.send(
    new RunInstancesCommand({
      ImageId: WINDOWS_BASE_AMI_ID,
      MinCount: 1,
      MaxCount: 1,
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 3, InstanceMetadataTags: 'enabled' },
    }),
  );
  assert.equal(linux![0]!.MetadataOptions?.State, 'pending');
  await sandbox.admin.advance();
  const options = async (id: string) => (await describeInstance(id)).MetadataOptions;
  assert.deepEqual(await options(linux![0]!.InstanceId!), {
    State: 'applied',
    HttpTokens: 'required',
    HttpPutResponseHopLimit: 2,
    HttpEndpoint: 'enabled',
    HttpProtocolIpv6: 'disabled',
    InstanceMetadataTags: 'disabled',
  });
  const windowsOptions = await options(windows![0]!.InstanceId!);
  assert.equal(windowsOptions?.HttpTokens, 'optional');
  assert.equal(windowsOptions?.HttpPutResponseHopLimit, 1);
  const customOptions = await options(custom![0]!.InstanceId!);
  assert.equal(customOptions?.HttpTokens, 'required');
  assert.equal(customOptions?.HttpPutResponseHopLimit, 3);
  assert.equal(customOptions?.InstanceMetadataTags, 'enabled');
  await rejectsWith(
    sandbox.ec2.send(
      new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1, MetadataOptions: { HttpPutResponseHopLimit: 65 } }),
    ),
    'InvalidParameterValue',
  );
});

test('a terminated instance reports why, and no longer its network or public address', async () => {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
  const instanceId = Instances![0]!.InstanceId!;
  await sandbox.admin.advance();
  const ip = (await describeInstance(instanceId)).PublicIpAddress!;
  assert.ok(ip, 'running, it has a public address');
  await sandbox.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  await sandbox.admin.advance();
  const instance = await describeInstance(instanceId);
  assert.equal(instance.State?.Name, 'terminated');
  assert.deepEqual(instance.StateReason, {
    Code: 'Client.UserInitiatedShutdown',
    Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
  });
  assert.match(instance.StateTransitionReason ?? '', /^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
  assert.equal(instance.SubnetId, undefined);
  assert.deepEqual(instance.NetworkInterfaces ?? [], []);
  assert.equal(instance.PublicIpAddress, undefined);
  assert.equal(instance.PublicDnsName, '');
  assert.deepEqual(await instanceIdsWhere('ip-address', ip), []);
});

test('a subnet other than the default one does not exist', async () => {
  await rejectsWith(
    sandbox.ec2.send(
      new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1, SubnetId: 'subnet-0123456789abcdef0' }),
    ),
    'InvalidSubnetID.NotFound',
  );
});

test('a deprecated public AMI is left out unless IncludeDeprecated, as the EC2 API reference says', async () => {
  await sandbox.admin.advance(3 * 365 * 24 * 60 * 60 * 1000);
  const listed = await sandbox.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  assert.deepEqual(listed.Images, []);
  const included = await sandbox.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], IncludeDeprecated: true }));
  assert.deepEqual(included.Images?.map((i) => i.ImageId).sort(), [WINDOWS_BASE_AMI_ID, LINUX_BASE_AMI_ID].sort());
});
