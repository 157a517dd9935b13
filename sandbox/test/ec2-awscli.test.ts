import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LINUX_BASE_AMI_ID } from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';

/**
 * The official AWS CLI (botocore) against the sandbox: proof that the wire
 * format is real EC2, not something only the JS SDK happens to accept.
 */

// AMIs stay pending until the test advances the clock: each aws CLI call takes a second or two to start, longer than the test profile's 1.5 s.
const sandbox = awsCliSandboxForThisFile({ profile: 'test', durations: { image: 600_000 } });
const { json: aws, fails: awsFails } = sandbox.cli('ec2');

test('aws ec2: run-instances, describe-instances, create-image, wait image-available, describe-images, deregister-image', async () => {
  const reservation = await aws<{ Instances: { InstanceId: string; State: { Name: string }; ImageId: string }[] }>(
    'run-instances',
    '--image-id',
    LINUX_BASE_AMI_ID,
    '--count',
    '1',
    '--instance-type',
    't3.micro',
    '--tag-specifications',
    'ResourceType=instance,Tags=[{Key=role,Value=cli-build}]',
  );
  assert.equal(reservation.Instances.length, 1);
  const instance = reservation.Instances[0]!;
  assert.match(instance.InstanceId, /^i-[0-9a-f]{17}$/);
  assert.equal(instance.ImageId, LINUX_BASE_AMI_ID);
  assert.equal(instance.State.Name, 'pending');

  await sandbox.admin.advance();
  const described = await aws<[string, string][]>(
    'describe-instances',
    '--filters',
    'Name=tag:role,Values=cli-build',
    '--query',
    'Reservations[].Instances[].[InstanceId,State.Name]',
  );
  assert.deepEqual(described, [[instance.InstanceId, 'running']]);

  const { ImageId: imageId } = await aws<{ ImageId: string }>(
    'create-image',
    '--instance-id',
    instance.InstanceId,
    '--name',
    'cli-golden (1)',
    '--no-reboot',
    '--block-device-mappings',
    '[{"DeviceName":"/dev/xvda","Ebs":{"VolumeSize":16,"VolumeInitializationRate":150}}]',
    '--tag-specifications',
    'ResourceType=image,Tags=[{Key=pipeline,Value=cli}]',
  );
  assert.match(imageId, /^ami-[0-9a-f]{17}$/);
  const pending = await aws<string[]>('describe-images', '--image-ids', imageId, '--query', 'Images[].State');
  assert.deepEqual(pending, ['pending']);

  const duplicate = await awsFails('create-image', '--instance-id', instance.InstanceId, '--name', 'cli-golden (1)');
  assert.match(duplicate, /InvalidAMIName\.Duplicate/);

  // The waiter's first poll is immediate; after advancing it succeeds without its 15 s delay.
  await sandbox.admin.advance();
  await aws('wait', 'image-available', '--image-ids', imageId);

  const mine = await aws<{ Id: string; State: string; Rate: number; Size: number; Tags: { Key: string; Value: string }[] }[]>(
    'describe-images',
    '--owners',
    'self',
    '--query',
    'Images[].{Id:ImageId,State:State,Rate:BlockDeviceMappings[0].Ebs.VolumeInitializationRate,Size:BlockDeviceMappings[0].Ebs.VolumeSize,Tags:Tags}',
  );
  assert.deepEqual(mine, [{ Id: imageId, State: 'available', Rate: 150, Size: 16, Tags: [{ Key: 'pipeline', Value: 'cli' }] }]);

  const deregistered = await aws<{ Return: boolean }>('deregister-image', '--image-id', imageId);
  assert.equal(deregistered.Return, true);
  assert.deepEqual(await aws('describe-images', '--owners', 'self', '--query', 'Images[].ImageId'), []);
  const notFound = await awsFails('describe-images', '--image-ids', imageId);
  assert.match(notFound, /InvalidAMIID\.NotFound/);

  const calls = await sandbox.admin.calls();
  assert.equal(calls.ec2.CreateImage?.total, 2);
  assert.equal(calls.ec2.DeregisterImage?.total, 1);
});
