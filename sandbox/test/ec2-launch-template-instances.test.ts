import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeInstancesCommand,
  type Instance,
  ModifyLaunchTemplateCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/**
 * RunInstances with a LaunchTemplate, through the real SDK: the version's data fills in what the request
 * leaves out, and every instance carries EC2's `aws:ec2launchtemplate:id` and `:version` tags.
 */

const sandbox = ec2SandboxForThisFile();

beforeEach(async () => {
  // These tests are about what RunInstances answers, not how often: seven launches in a row would draw
  // RunInstances' bucket (5, refilled at 2 a second) dry, and the SDK's jittered retries may come too soon.
  await sandbox.admin.reset({ profile: 'test', throttling: { enabled: false } });
});

/** A template whose version 1 is a Linux t3.micro and version 2 a Windows m5.xlarge; version 1 stays the default. */
async function twoVersionTemplate(name: string): Promise<string> {
  const { LaunchTemplate } = await sandbox.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: { ImageId: LINUX_BASE_AMI_ID, InstanceType: 't3.micro' },
    }),
  );
  const id = LaunchTemplate!.LaunchTemplateId!;
  await sandbox.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: id,
      LaunchTemplateData: { ImageId: WINDOWS_BASE_AMI_ID, InstanceType: 'm5.xlarge' },
    }),
  );
  return id;
}

async function launch(input: Partial<RunInstancesCommandInput>): Promise<Instance> {
  const { Instances } = await sandbox.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ...input }));
  return Instances![0]!;
}

const tag = (instance: Instance, key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;
const launchedFrom = (instance: Instance) => [tag(instance, 'aws:ec2launchtemplate:id'), tag(instance, 'aws:ec2launchtemplate:version')];

describe('RunInstances from a launch template', () => {
  test("takes the version's image and type unless the request gives them, and tags each instance with the template and version", async () => {
    const id = await twoVersionTemplate('web');

    const byDefault = await launch({ LaunchTemplate: { LaunchTemplateName: 'web' } });
    assert.deepEqual([byDefault.ImageId, byDefault.InstanceType, byDefault.Platform], [LINUX_BASE_AMI_ID, 't3.micro', undefined]);
    assert.deepEqual(launchedFrom(byDefault), [id, '1']);

    const latest = await launch({ LaunchTemplate: { LaunchTemplateId: id, Version: '$Latest' } });
    assert.deepEqual([latest.ImageId, latest.InstanceType, latest.Platform], [WINDOWS_BASE_AMI_ID, 'm5.xlarge', 'windows']);
    assert.deepEqual(launchedFrom(latest), [id, '2']);

    // The request overrides the version's data; the user's own tags sit beside EC2's.
    const overridden = await launch({
      LaunchTemplate: { LaunchTemplateName: 'web', Version: '2' },
      ImageId: LINUX_BASE_AMI_ID,
      InstanceType: 'c5.large',
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'fleet', Value: 'web' }] }],
    });
    assert.deepEqual([overridden.ImageId, overridden.InstanceType], [LINUX_BASE_AMI_ID, 'c5.large']);
    assert.deepEqual(launchedFrom(overridden), [id, '2']);
    assert.equal(tag(overridden, 'fleet'), 'web');

    // `$Default` follows ModifyLaunchTemplate.
    await sandbox.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '2' }));
    const newDefault = await launch({ LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Default' } });
    assert.deepEqual([newDefault.ImageId, ...launchedFrom(newDefault)], [WINDOWS_BASE_AMI_ID, id, '2']);

    // Launched without a template: no system tags.
    const plain = await launch({ ImageId: LINUX_BASE_AMI_ID });
    assert.deepEqual(launchedFrom(plain), [undefined, undefined]);

    // DescribeInstances finds the template's instances by its system tag, and those only.
    await twoVersionTemplate('other');
    const other = await launch({ LaunchTemplate: { LaunchTemplateName: 'other' } });
    const { Reservations } = await sandbox.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:aws:ec2launchtemplate:id', Values: [id] }] }),
    );
    const found = Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId)).sort();
    assert.deepEqual(found, [byDefault, latest, overridden, newDefault].map((i) => i.InstanceId).sort());
    assert.ok(!found.includes(other.InstanceId) && !found.includes(plain.InstanceId));
  });

  test("an unknown template or version, or a template without an image, fails with EC2's error and launches nothing", async () => {
    const id = await twoVersionTemplate('web');
    await sandbox.ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: 'no-image', LaunchTemplateData: { InstanceType: 't3.micro' } }),
    );
    const cases: [string, Partial<RunInstancesCommandInput>, string][] = [
      ['unknown name', { LaunchTemplate: { LaunchTemplateName: 'nope' } }, 'InvalidLaunchTemplateName.NotFoundException'],
      ['unknown ID', { LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0' } }, 'InvalidLaunchTemplateId.NotFound'],
      ['malformed ID', { LaunchTemplate: { LaunchTemplateId: 'web' } }, 'InvalidLaunchTemplateId.Malformed'],
      ['unknown version', { LaunchTemplate: { LaunchTemplateId: id, Version: '3' } }, 'InvalidLaunchTemplateId.VersionNotFound'],
      ['both ID and name', { LaunchTemplate: { LaunchTemplateId: id, LaunchTemplateName: 'web' } }, 'InvalidParameterCombination'],
      ['neither ID nor name', { LaunchTemplate: { Version: '1' } }, 'MissingParameter'],
      ['no image anywhere', { LaunchTemplate: { LaunchTemplateName: 'no-image' } }, 'MissingParameter'],
    ];
    for (const [label, input, code] of cases) {
      await rejectsWith(launch(input), code).catch((e: Error) => assert.fail(`${label}: ${e.message}`));
    }
    const { Reservations } = await sandbox.ec2.send(new DescribeInstancesCommand({}));
    assert.deepEqual(Reservations, []);
  });
});
