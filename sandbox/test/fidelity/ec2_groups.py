"""EC2 as boto3 and awscli drive it: every operation the project calls, its paginators and waiters."""

import itertools
import re

from botocore.exceptions import WaiterError

# Waiters poll every second here instead of every 15: the test profile's transitions take well under that.
QUICK = {'Delay': 1, 'MaxAttempts': 20}
WHOLE_SECONDS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.000)?Z$')
_names = itertools.count(1)


def unique(prefix):
    return f'fidelity-{prefix}-{next(_names)}'


def tags(resource, **values):
    return [{'ResourceType': resource, 'Tags': [{'Key': k, 'Value': v} for k, v in values.items()]}]


def wait(run, client, name, outcome='success', config=QUICK, **kwargs):
    """Runs a boto3 waiter and checks how it ended: success, a terminal failure, or its attempts running out."""
    run.waiters.setdefault(client.meta.service_model.service_name, set()).add(client.get_waiter(name).name)
    try:
        client.get_waiter(name).wait(WaiterConfig=config, **kwargs)
        got = 'success'
    except WaiterError as error:
        got = 'failure' if 'terminal failure' in str(error) else 'max-attempts' if 'Max attempts' in str(error) else str(error)
    run.equal(f'waiter {name} ends in {outcome}', got, outcome)


def launch(run, ec2, image, count=1, **tag_values):
    """Instances that are running by the time this returns."""
    answer = ec2.run_instances(
        ImageId=image,
        MinCount=count,
        MaxCount=count,
        InstanceType='t3.micro',
        TagSpecifications=tags('instance', **(tag_values or {'fidelity': 'yes'})),
    )
    ids = [instance['InstanceId'] for instance in answer['Instances']]
    run.advance()
    return ids


def image_of(run, ec2, instance_id, name=None):
    """An available AMI made from the instance."""
    image_id = ec2.create_image(InstanceId=instance_id, Name=name or unique('ami'), NoReboot=True)['ImageId']
    run.advance()
    return image_id


def instances(run, seeds):
    ec2 = run.client('ec2')
    answer = ec2.run_instances(
        ImageId=seeds['linuxAmi'],
        MinCount=2,
        MaxCount=2,
        InstanceType='t3.micro',
        TagSpecifications=tags('instance', group='instances'),
    )
    ids = [instance['InstanceId'] for instance in answer['Instances']]
    run.equal('RunInstances launches MaxCount instances, pending', [i['State']['Name'] for i in answer['Instances']], ['pending'] * 2)
    wait(run, ec2, 'instance_exists', InstanceIds=ids)
    wait(run, ec2, 'instance_running', InstanceIds=ids)

    described = ec2.describe_instances(InstanceIds=ids)
    instance = described['Reservations'][0]['Instances'][0]
    for field in ('VpcId', 'SubnetId', 'PrivateIpAddress', 'NetworkInterfaces', 'MetadataOptions', 'LaunchTime'):
        run.check(f'a running instance carries {field}', field in instance, sorted(instance))
    run.equal('an instance reports it is not configured for hibernation', instance.get('HibernationOptions'), {'Configured': False})
    tagged = ec2.describe_instances(Filters=[{'Name': 'tag:group', 'Values': ['instances']}])
    run.equal(
        'DescribeInstances filters by tag',
        sorted(i['InstanceId'] for r in tagged['Reservations'] for i in r['Instances']),
        sorted(ids),
    )
    run.fails_with(
        'an unknown instance ID is InvalidInstanceID.NotFound',
        lambda: ec2.describe_instances(InstanceIds=['i-0123456789abcdef0']),
        'InvalidInstanceID.NotFound',
        400,
    )
    run.fails_with(
        'a malformed instance ID is InvalidInstanceID.Malformed',
        lambda: ec2.describe_instances(InstanceIds=['i-nope']),
        'InvalidInstanceID.Malformed',
        400,
    )

    terminating = ec2.terminate_instances(InstanceIds=ids)['TerminatingInstances']
    run.equal('TerminateInstances answers shutting-down', {t['CurrentState']['Name'] for t in terminating}, {'shutting-down'})
    run.advance()
    wait(run, ec2, 'instance_terminated', InstanceIds=ids)
    # A terminated instance never stops: the waiter's failure acceptor must end it at once.
    wait(run, ec2, 'instance_stopped', outcome='failure', InstanceIds=ids)
    terminated = ec2.describe_instances(InstanceIds=ids)['Reservations'][0]['Instances'][0]
    run.check('a terminated instance reports its StateReason', 'StateReason' in terminated, sorted(terminated))

    launched = run.cli_json(
        'launches an instance',
        'ec2',
        'run-instances',
        '--image-id',
        seeds['linuxAmi'],
        '--count',
        '1',
        '--instance-type',
        't3.micro',
    )
    cli_id = launched['Instances'][0]['InstanceId']
    run.advance()
    states = run.cli_json(
        'reads it back', 'ec2', 'describe-instances', '--instance-ids', cli_id, '--query', 'Reservations[].Instances[].State.Name'
    )
    run.equal('aws ec2 describe-instances shows it running', states, ['running'])
    _, waited, stderr = run.cli('ec2', 'wait', 'instance-running', '--instance-ids', cli_id)
    run.check('aws ec2 wait instance-running', 'Waiter' not in stderr and waited is None, stderr)
    stopped = run.cli_json('terminates it', 'ec2', 'terminate-instances', '--instance-ids', cli_id)
    run.equal(
        'aws ec2 terminate-instances answers shutting-down', stopped['TerminatingInstances'][0]['CurrentState']['Name'], 'shutting-down'
    )
    run.cli_fails('an unknown ID', 'ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0', code='InvalidInstanceID.NotFound')


def images(run, seeds):
    ec2 = run.client('ec2')
    [instance_id] = launch(run, ec2, seeds['linuxAmi'])
    name = unique('image')
    image_id = ec2.create_image(
        InstanceId=instance_id,
        Name=name,
        NoReboot=True,
        BlockDeviceMappings=[{'DeviceName': '/dev/xvda', 'Ebs': {'VolumeSize': 16, 'VolumeInitializationRate': 150}}],
        TagSpecifications=tags('image', pipeline='fidelity'),
    )['ImageId']
    wait(run, ec2, 'image_exists', ImageIds=[image_id])
    [pending] = ec2.describe_images(ImageIds=[image_id])['Images']
    run.equal('a new AMI is pending', pending['State'], 'pending')
    run.check('CreationDate is in whole seconds', WHOLE_SECONDS.match(pending['CreationDate']), pending['CreationDate'])
    run.fails_with(
        'a second CreateImage with the same name is InvalidAMIName.Duplicate',
        lambda: ec2.create_image(InstanceId=instance_id, Name=name),
        'InvalidAMIName.Duplicate',
        400,
    )
    run.advance()
    wait(run, ec2, 'image_available', ImageIds=[image_id])

    [image] = ec2.describe_images(Owners=['self'], Filters=[{'Name': 'name', 'Values': [name]}])['Images']
    run.equal('DescribeImages by owner and name', image['ImageId'], image_id)
    run.equal('VolumeInitializationRate is echoed', image['BlockDeviceMappings'][0]['Ebs'].get('VolumeInitializationRate'), 150)
    run.equal('the image keeps its tags', image.get('Tags'), [{'Key': 'pipeline', 'Value': 'fidelity'}])
    [windows] = ec2.describe_images(ImageIds=[seeds['windowsAmi']])['Images']
    for field in ('BootMode', 'TpmSupport', 'DeregistrationProtection', 'PlatformDetails'):
        run.check(f'a Windows base AMI carries {field}', field in windows, sorted(windows))
    run.equal('a Windows AMI has platform windows, as EC2 writes it', windows.get('Platform'), 'windows')
    [linux] = ec2.describe_images(ImageIds=[seeds['linuxAmi']])['Images']
    run.equal('an AL2023 AMI requires IMDSv2', linux.get('ImdsSupport'), 'v2.0')
    run.fails_with(
        'an unknown AMI ID is InvalidAMIID.NotFound',
        lambda: ec2.describe_images(ImageIds=['ami-0123456789abcdef0']),
        'InvalidAMIID.NotFound',
        400,
    )
    run.fails_with(
        'a malformed AMI ID is InvalidAMIID.Malformed', lambda: ec2.describe_images(ImageIds=['ami-x']), 'InvalidAMIID.Malformed', 400
    )

    deregistered = ec2.deregister_image(ImageId=image_id)
    run.equal('DeregisterImage returns true', deregistered.get('Return'), True)
    [gone] = ec2.describe_images(ImageIds=[image_id])['Images']
    run.equal('a deregistered AMI still shows by ID, deregistered', gone['State'], 'deregistered')
    listed = ec2.describe_images(Owners=['self'], Filters=[{'Name': 'name', 'Values': [name]}])['Images']
    run.equal('a deregistered AMI is not listed', listed, [])

    cli_name = unique('cli-image')
    created = run.cli_json('creates an AMI', 'ec2', 'create-image', '--instance-id', instance_id, '--name', cli_name, '--no-reboot')
    run.advance()
    _, _, stderr = run.cli('ec2', 'wait', 'image-available', '--image-ids', created['ImageId'])
    run.check('aws ec2 wait image-available', stderr.strip() == '', stderr)
    _, _, stderr = run.cli('ec2', 'wait', 'image-exists', '--image-ids', created['ImageId'])
    run.check('aws ec2 wait image-exists', stderr.strip() == '', stderr)
    mine = run.cli_json('lists my AMIs', 'ec2', 'describe-images', '--owners', 'self', '--query', 'Images[].Name')
    run.check('aws ec2 describe-images --owners self lists it', cli_name in mine, mine)
    result = run.cli_json('deregisters it', 'ec2', 'deregister-image', '--image-id', created['ImageId'])
    run.equal('aws ec2 deregister-image returns true', result.get('Return'), True)
    run.cli_fails('an unknown ID', 'ec2', 'describe-images', '--image-ids', 'ami-0123456789abcdef0', code='InvalidAMIID.NotFound')
    ec2.terminate_instances(InstanceIds=[instance_id])


def tagging(run, seeds):
    ec2 = run.client('ec2')
    [instance_id] = launch(run, ec2, seeds['linuxAmi'])
    image_id = image_of(run, ec2, instance_id)
    ec2.create_tags(Resources=[image_id, instance_id], Tags=[{'Key': 'stage', 'Value': 'tagged'}])
    found = ec2.describe_images(Owners=['self'], Filters=[{'Name': 'tag:stage', 'Values': ['tagged']}])['Images']
    run.equal('CreateTags tags an AMI; DescribeImages finds it by tag', [i['ImageId'] for i in found], [image_id])
    reservations = ec2.describe_instances(Filters=[{'Name': 'tag-key', 'Values': ['stage']}])['Reservations']
    run.equal('CreateTags tags an instance too', [i['InstanceId'] for r in reservations for i in r['Instances']], [instance_id])
    run.cli_json('tags an AMI', 'ec2', 'create-tags', '--resources', image_id, '--tags', 'Key=cli,Value=yes')
    keys = run.cli_json('reads the tags', 'ec2', 'describe-images', '--image-ids', image_id, '--query', 'Images[0].Tags[].Key')
    run.equal('aws ec2 create-tags adds to the tags', sorted(keys), ['cli', 'stage'])
    run.fails_with(
        'tagging an unknown AMI is InvalidAMIID.NotFound',
        lambda: ec2.create_tags(Resources=['ami-0123456789abcdef0'], Tags=[{'Key': 'k', 'Value': 'v'}]),
        'InvalidAMIID.NotFound',
        400,
    )
    ec2.terminate_instances(InstanceIds=[instance_id])


def storage(run, seeds):
    ec2 = run.client('ec2')
    [instance_id] = launch(run, ec2, seeds['linuxAmi'])
    volumes = ec2.describe_volumes(Filters=[{'Name': 'attachment.instance-id', 'Values': [instance_id]}])['Volumes']
    run.equal('a running instance has its root volume, in use', [v['State'] for v in volumes], ['in-use'])
    volume_ids = [v['VolumeId'] for v in volumes]
    wait(run, ec2, 'volume_in_use', VolumeIds=volume_ids)
    # No volume here is ever detached: the waiter must poll the in-use volume until its attempts run out.
    wait(run, ec2, 'volume_available', outcome='max-attempts', config={'Delay': 1, 'MaxAttempts': 2}, VolumeIds=volume_ids)

    image_id = image_of(run, ec2, instance_id)
    [image] = ec2.describe_images(ImageIds=[image_id])['Images']
    snapshot_id = image['BlockDeviceMappings'][0]['Ebs']['SnapshotId']
    wait(run, ec2, 'snapshot_completed', SnapshotIds=[snapshot_id])
    mine = ec2.describe_snapshots(OwnerIds=['self'])['Snapshots']
    run.check("DescribeSnapshots lists the AMI's snapshot as mine", snapshot_id in [s['SnapshotId'] for s in mine], mine)
    run.fails_with(
        "an AMI's snapshot cannot be deleted: InvalidSnapshot.InUse",
        lambda: ec2.delete_snapshot(SnapshotId=snapshot_id),
        'InvalidSnapshot.InUse',
        400,
    )
    ec2.deregister_image(ImageId=image_id)
    ec2.delete_snapshot(SnapshotId=snapshot_id)
    run.fails_with(
        'a deleted snapshot is InvalidSnapshot.NotFound',
        lambda: ec2.describe_snapshots(SnapshotIds=[snapshot_id]),
        'InvalidSnapshot.NotFound',
        400,
    )

    listed = run.cli_json('lists every volume (MaxResults=1000 by default)', 'ec2', 'describe-volumes', '--query', 'Volumes[].VolumeId')
    run.check('aws ec2 describe-volumes lists the root volume', volume_ids[0] in listed, listed)
    snaps = run.cli_json('lists my snapshots', 'ec2', 'describe-snapshots', '--owner-ids', 'self', '--query', 'Snapshots[].SnapshotId')
    run.check('aws ec2 describe-snapshots --owner-ids self', snapshot_id not in snaps, snaps)
    run.cli_fails('a deleted snapshot', 'ec2', 'delete-snapshot', '--snapshot-id', snapshot_id, code='InvalidSnapshot.NotFound')

    ec2.terminate_instances(InstanceIds=[instance_id])
    run.advance()
    wait(run, ec2, 'volume_deleted', VolumeIds=volume_ids)


def launch_templates(run, seeds):
    ec2 = run.client('ec2')
    name = unique('template')
    created = ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={'ImageId': seeds['linuxAmi'], 'InstanceType': 't3.micro'},
    )['LaunchTemplate']
    run.equal('CreateLaunchTemplate starts at version 1', (created['DefaultVersionNumber'], created['LatestVersionNumber']), (1, 1))
    by_name = ec2.describe_launch_templates(LaunchTemplateNames=[name])['LaunchTemplates']
    run.equal('DescribeLaunchTemplates by name', [t['LaunchTemplateId'] for t in by_name], [created['LaunchTemplateId']])
    by_id = ec2.describe_launch_templates(LaunchTemplateIds=[seeds['launchTemplateId']])['LaunchTemplates']
    run.equal('DescribeLaunchTemplates by ID', [t['LaunchTemplateName'] for t in by_id], [seeds['launchTemplateName']])
    run.fails_with(
        'a taken name is InvalidLaunchTemplateName.AlreadyExistsException',
        lambda: ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={'ImageId': seeds['linuxAmi']}),
        'InvalidLaunchTemplateName.AlreadyExistsException',
        400,
    )
    run.fails_with(
        'an unknown name is InvalidLaunchTemplateName.NotFoundException',
        lambda: ec2.describe_launch_templates(LaunchTemplateNames=['no-such-template']),
        'InvalidLaunchTemplateName.NotFoundException',
        400,
    )
    names = run.cli_json('lists templates', 'ec2', 'describe-launch-templates', '--query', 'LaunchTemplates[].LaunchTemplateName')
    run.check('aws ec2 describe-launch-templates lists both', {name, seeds['launchTemplateName']} <= set(names), names)


def fast_launch(run, seeds):
    ec2 = run.client('ec2')
    [instance_id] = launch(run, ec2, seeds['windowsAmi'])
    image_id = image_of(run, ec2, instance_id)
    enabled = ec2.enable_fast_launch(
        ImageId=image_id,
        ResourceType='snapshot',
        SnapshotConfiguration={'TargetResourceCount': 5},
        LaunchTemplate={'LaunchTemplateId': seeds['launchTemplateId'], 'Version': '1'},
        MaxParallelLaunches=6,
    )
    run.equal('EnableFastLaunch answers enabling', enabled['State'], 'enabling')
    run.advance()
    [setting] = ec2.describe_fast_launch_images(ImageIds=[image_id])['FastLaunchImages']
    run.equal('DescribeFastLaunchImages shows it enabled', setting['State'], 'enabled')
    run.equal('with its launch template', setting['LaunchTemplate']['LaunchTemplateId'], seeds['launchTemplateId'])
    listed = run.cli_json(
        'reads it back', 'ec2', 'describe-fast-launch-images', '--image-ids', image_id, '--query', 'FastLaunchImages[].State'
    )
    run.equal('aws ec2 describe-fast-launch-images', listed, ['enabled'])
    disabled = ec2.disable_fast_launch(ImageId=image_id)
    run.equal('DisableFastLaunch answers disabling', disabled['State'], 'disabling')
    run.fails_with(
        'fast launch for a Linux AMI is InvalidParameter',
        lambda: ec2.enable_fast_launch(ImageId=seeds['linuxAmi'], ResourceType='snapshot', MaxParallelLaunches=6),
        'InvalidParameter',
        400,
    )
    run.fails_with(
        'fewer than 6 parallel launches is InvalidParameterValue',
        lambda: ec2.enable_fast_launch(ImageId=image_id, ResourceType='snapshot', MaxParallelLaunches=5),
        'InvalidParameterValue',
        400,
    )
    run.advance()
    again = run.cli_json('enables it again', 'ec2', 'enable-fast-launch', '--image-id', image_id, '--max-parallel-launches', '6')
    run.equal('aws ec2 enable-fast-launch', again['State'], 'enabling')
    off = run.cli_json('disables it', 'ec2', 'disable-fast-launch', '--image-id', image_id, '--force')
    run.equal('aws ec2 disable-fast-launch', off['State'], 'disabling')
    ec2.terminate_instances(InstanceIds=[instance_id])


def root_volume_tasks(run, seeds):
    ec2 = run.client('ec2')
    [instance_id] = launch(run, ec2, seeds['linuxAmi'])
    first = ec2.create_replace_root_volume_task(InstanceId=instance_id, ClientToken='fidelity-task', DeleteReplacedRootVolume=True)
    task = first['ReplaceRootVolumeTask']
    run.equal('CreateReplaceRootVolumeTask answers pending', task['TaskState'], 'pending')
    again = ec2.create_replace_root_volume_task(InstanceId=instance_id, ClientToken='fidelity-task', DeleteReplacedRootVolume=True)
    run.equal(
        'the same ClientToken returns the same task',
        again['ReplaceRootVolumeTask']['ReplaceRootVolumeTaskId'],
        task['ReplaceRootVolumeTaskId'],
    )
    run.fails_with(
        'the same ClientToken with other parameters is IdempotentParameterMismatch',
        lambda: ec2.create_replace_root_volume_task(InstanceId=instance_id, ClientToken='fidelity-task', DeleteReplacedRootVolume=False),
        'IdempotentParameterMismatch',
        400,
    )
    run.advance()
    by_id = ec2.describe_replace_root_volume_tasks(ReplaceRootVolumeTaskIds=[task['ReplaceRootVolumeTaskId']])['ReplaceRootVolumeTasks']
    run.equal('the task succeeds', [t['TaskState'] for t in by_id], ['succeeded'])
    by_instance = ec2.describe_replace_root_volume_tasks(Filters=[{'Name': 'instance-id', 'Values': [instance_id]}])
    run.equal('DescribeReplaceRootVolumeTasks filters by instance-id', len(by_instance['ReplaceRootVolumeTasks']), 1)
    created = run.cli_json('creates a task', 'ec2', 'create-replace-root-volume-task', '--instance-id', instance_id)
    run.advance()
    states = run.cli_json(
        'reads it back',
        'ec2',
        'describe-replace-root-volume-tasks',
        '--replace-root-volume-task-ids',
        created['ReplaceRootVolumeTask']['ReplaceRootVolumeTaskId'],
        '--query',
        'ReplaceRootVolumeTasks[].TaskState',
    )
    run.equal('aws ec2 describe-replace-root-volume-tasks', states, ['succeeded'])
    ec2.terminate_instances(InstanceIds=[instance_id])
    run.advance()
    run.fails_with(
        'a terminated instance cannot have its root volume replaced',
        lambda: ec2.create_replace_root_volume_task(InstanceId=instance_id),
        'IncorrectInstanceState',
        400,
    )


def distribution(run, seeds):
    """Copies to another Region, deprecation, deregistration protection and launch template versions."""
    ec2 = run.client('ec2')
    west = run.client('ec2', region='eu-west-1')
    [instance_id] = launch(run, ec2, seeds['linuxAmi'])
    source = image_of(run, ec2, instance_id)
    copy_name = unique('copy')
    request = {
        'SourceRegion': 'us-east-1',
        'SourceImageId': source,
        'Name': copy_name,
        'ClientToken': copy_name,
        'Encrypted': True,
        'TagSpecifications': tags('image', stage='copy'),
    }
    copy = west.copy_image(**request)['ImageId']
    run.equal('CopyImage with the same ClientToken answers the same AMI', west.copy_image(**request)['ImageId'], copy)
    run.fails_with(
        'the same ClientToken with other parameters is IdempotentParameterMismatch',
        lambda: west.copy_image(**{**request, 'Name': unique('copy')}),
        'IdempotentParameterMismatch',
        400,
    )
    [pending] = west.describe_images(ImageIds=[copy])['Images']
    run.equal('a copy is pending in the destination Region', (pending['State'], pending.get('SourceImageId')), ('pending', source))
    run.advance()
    wait(run, west, 'image_available', ImageIds=[copy])
    [copied] = west.describe_images(ImageIds=[copy])['Images']
    run.check('the copy has encrypted snapshots', all(m['Ebs']['Encrypted'] for m in copied['BlockDeviceMappings']), copied)
    cli_copy = run.cli_json(
        'copies an AMI',
        'ec2',
        'copy-image',
        '--region',
        'eu-west-1',
        '--source-region',
        'us-east-1',
        '--source-image-id',
        source,
        '--name',
        unique('cli-copy'),
    )
    run.check('aws ec2 copy-image answers an AMI ID', cli_copy['ImageId'].startswith('ami-'), cli_copy)

    deprecation = ec2.enable_image_deprecation(ImageId=source, DeprecateAt='2030-01-01T00:00:00Z')
    run.equal('EnableImageDeprecation returns true', deprecation.get('Return'), True)
    [deprecated] = ec2.describe_images(ImageIds=[source])['Images']
    run.equal('DeprecationTime is as set', deprecated.get('DeprecationTime'), '2030-01-01T00:00:00.000Z')
    run.equal('DisableImageDeprecation returns true', ec2.disable_image_deprecation(ImageId=source).get('Return'), True)
    run.cli_json('deprecates an AMI', 'ec2', 'enable-image-deprecation', '--image-id', source, '--deprecate-at', '2030-06-01T00:00:00Z')
    run.cli_json('cancels it', 'ec2', 'disable-image-deprecation', '--image-id', source)

    protection = ec2.enable_image_deregistration_protection(ImageId=source)
    run.equal('EnableImageDeregistrationProtection returns true', protection.get('Return'), 'true')
    [protected] = ec2.describe_images(ImageIds=[source])['Images']
    run.equal('DescribeImages shows the protection', protected.get('DeregistrationProtection'), 'enabled-without-cooldown')
    run.fails_with(
        'DeregisterImage is refused while protection holds', lambda: ec2.deregister_image(ImageId=source), 'OperationNotPermitted', 400
    )
    run.cli_fails('refused while protected', 'ec2', 'deregister-image', '--image-id', source, code='OperationNotPermitted')
    run.cli_json('lifts the protection', 'ec2', 'disable-image-deregistration-protection', '--image-id', source)
    run.cli_json('protects with a cooldown', 'ec2', 'enable-image-deregistration-protection', '--image-id', source, '--with-cooldown')
    ec2.disable_image_deregistration_protection(ImageId=source)

    name = unique('versions')
    template_id = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={'ImageId': seeds['linuxAmi']})[
        'LaunchTemplate'
    ]['LaunchTemplateId']
    version = ec2.create_launch_template_version(
        LaunchTemplateId=template_id, SourceVersion='$Latest', LaunchTemplateData={'ImageId': source}
    )['LaunchTemplateVersion']
    run.equal('CreateLaunchTemplateVersion numbers it 2', version['VersionNumber'], 2)
    modified = ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion='2')['LaunchTemplate']
    run.equal('ModifyLaunchTemplate sets the default version', modified['DefaultVersionNumber'], 2)
    [default] = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=['$Default'])['LaunchTemplateVersions']
    run.equal(
        '$Default is version 2, with the new image', (default['VersionNumber'], default['LaunchTemplateData'].get('ImageId')), (2, source)
    )
    run.cli_json(
        'adds a version',
        'ec2',
        'create-launch-template-version',
        '--launch-template-name',
        name,
        '--launch-template-data',
        '{"InstanceType": "t3.small"}',
    )
    run.cli_json('sets the default', 'ec2', 'modify-launch-template', '--launch-template-name', name, '--default-version', '3')
    listed = run.cli_json(
        'lists versions',
        'ec2',
        'describe-launch-template-versions',
        '--launch-template-name',
        name,
        '--query',
        'LaunchTemplateVersions[].VersionNumber',
    )
    run.equal('aws ec2 describe-launch-template-versions lists all three', sorted(listed), [1, 2, 3])
    run.fails_with(
        'an unknown version is InvalidLaunchTemplateId.VersionNotFound',
        lambda: ec2.describe_launch_template_versions(LaunchTemplateName=name, Versions=['9']),
        'InvalidLaunchTemplateId.VersionNotFound',
        400,
    )
    ec2.terminate_instances(InstanceIds=[instance_id])


def regions_and_disabling(run, seeds):
    """DescribeRegions and a Region the account has not enabled; DisableImage and EnableImage."""
    ec2 = run.client('ec2')
    enabled = ec2.describe_regions()['Regions']
    run.equal(
        'DescribeRegions lists the 17 Regions enabled by default', [r['OptInStatus'] for r in enabled], ['opt-in-not-required'] * 17
    )
    run.check('each with its endpoint', all(r['Endpoint'] == f"ec2.{r['RegionName']}.amazonaws.com" for r in enabled), enabled)
    not_opted_in = run.cli_json(
        'lists every Region',
        'ec2',
        'describe-regions',
        '--all-regions',
        '--query',
        'Regions[?OptInStatus==`not-opted-in`].RegionName',
    )
    run.check(
        '--all-regions adds the opt-in Regions, not opted in',
        'me-south-1' in not_opted_in and 'us-east-1' not in not_opted_in,
        not_opted_in,
    )
    named = ec2.describe_regions(RegionNames=['ap-east-1'], Filters=[{'Name': 'opt-in-status', 'Values': ['not-opted-in']}])
    run.equal('RegionNames names a Region not enabled', [r['RegionName'] for r in named['Regions']], ['ap-east-1'])
    run.fails_with(
        'an unknown Region name is InvalidParameterValue',
        lambda: ec2.describe_regions(RegionNames=['us--east-1']),
        'InvalidParameterValue',
        400,
    )
    hong_kong = run.client('ec2', region='ap-east-1')
    run.fails_with('a Region the account has not enabled refuses the call', hong_kong.describe_regions, 'AuthFailure', 401)
    run.admin('config', {'optedInRegions': ['ap-east-1']})
    try:
        [opted_in] = hong_kong.describe_regions(RegionNames=['ap-east-1'])['Regions']
        run.equal('once opted in, the Region answers, opted-in', opted_in['OptInStatus'], 'opted-in')
    finally:
        run.admin('config', {'optedInRegions': []})

    [instance_id] = launch(run, ec2, seeds['linuxAmi'])
    image = image_of(run, ec2, instance_id)
    run.equal('DisableImage returns true', ec2.disable_image(ImageId=image).get('Return'), True)
    run.equal('a disabled AMI is left out of DescribeImages', ec2.describe_images(ImageIds=[image])['Images'], [])
    [disabled] = ec2.describe_images(ImageIds=[image], IncludeDisabled=True)['Images']
    run.equal('IncludeDisabled shows it disabled', disabled['State'], 'disabled')
    run.fails_with(
        'a disabled AMI does not launch',
        lambda: ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1),
        'InvalidAMIID.Unavailable',
        400,
    )
    run.cli_json('enables the AMI', 'ec2', 'enable-image', '--image-id', image)
    [available] = ec2.describe_images(ImageIds=[image])['Images']
    run.equal('EnableImage makes it available again', available['State'], 'available')
    run.cli_json('disables the AMI', 'ec2', 'disable-image', '--image-id', image)
    run.equal('EnableImage returns true', ec2.enable_image(ImageId=image).get('Return'), True)
    ec2.terminate_instances(InstanceIds=[instance_id])


# The IDs of a page's items, to compare the pages with one unpaginated call. DescribeInstances counts
# instances, not reservations, against MaxResults, so a reservation may span two pages: compare instances.
def ids_of(key):
    return lambda items: [item[key] for item in items]


ITEM_IDS = {
    'DescribeInstances': lambda reservations: [i['InstanceId'] for r in reservations for i in r['Instances']],
    'DescribeSnapshots': ids_of('SnapshotId'),
    'DescribeVolumes': ids_of('VolumeId'),
    'DescribeLaunchTemplates': ids_of('LaunchTemplateId'),
    'DescribeReplaceRootVolumeTasks': ids_of('ReplaceRootVolumeTaskId'),
    'DescribeFastLaunchImages': ids_of('ImageId'),
    'DescribeImages': ids_of('ImageId'),
    'DescribeLaunchTemplateVersions': lambda versions: [f"{v['LaunchTemplateId']}:{v['VersionNumber']}" for v in versions],
}


# The smallest MaxResults the EC2 API reference allows where botocore's model states no minimum.
DOCUMENTED_MIN_PAGE = {'DescribeImages': 5, 'DescribeInstances': 5, 'DescribeSnapshots': 5, 'DescribeVolumes': 5}


def page_size(model, operation):
    stated = model.operation_model(operation).input_shape.members['MaxResults'].metadata.get('min')
    return max(stated or DOCUMENTED_MIN_PAGE.get(operation, 1), 1)


# What each paginated describe needs to list the caller's own items (DescribeLaunchTemplateVersions needs a template or a version).
PAGINATOR_ARGUMENTS = {
    'DescribeSnapshots': {'OwnerIds': ['self']},
    'DescribeImages': {'Owners': ['self']},
    'DescribeLaunchTemplateVersions': {'Versions': ['$Latest']},
}


def paginators(run, seeds):
    """Each paginator botocore defines for an operation the sandbox serves, at the smallest page its model allows."""
    ec2 = run.client('ec2')
    instance_ids = launch(run, ec2, seeds['linuxAmi'], count=6)
    for instance_id in instance_ids[:2]:
        ec2.create_replace_root_volume_task(InstanceId=instance_id)
    for _ in range(2):
        ec2.create_launch_template(LaunchTemplateName=unique('paged'), LaunchTemplateData={'ImageId': seeds['linuxAmi']})
    image_ids = [image_of(run, ec2, instance_id) for instance_id in instance_ids]
    [windows] = launch(run, ec2, seeds['windowsAmi'])
    for _ in range(2):
        ec2.enable_fast_launch(ImageId=image_of(run, ec2, windows), MaxParallelLaunches=6)
    run.advance()

    model = ec2.meta.service_model
    for operation in run.applicable['paginators']['ec2']:
        paginator = ec2.get_paginator(run.snake(operation))
        run.paginators.setdefault('ec2', set()).add(operation)
        result_key = paginator.result_keys[0].expression
        kwargs = PAGINATOR_ARGUMENTS.get(operation, {})
        everything = getattr(ec2, run.snake(operation))(**kwargs)[result_key]
        size = page_size(model, operation)
        pages = list(paginator.paginate(PaginationConfig={'PageSize': size}, **kwargs))
        ids = ITEM_IDS[operation]
        paged = [item for page in pages for item in ids(page[result_key])]
        run.equal(f'{operation} paginator pages hold every item once', sorted(paged), sorted(ids(everything)))
        run.check(
            f'{operation} paginator takes pages of {size}',
            len(pages) >= -(-len(paged) // size) and len(pages) > 1,
            f'{len(pages)} pages for {len(paged)} items',
        )
    run.check(
        'the paginated images include the new AMIs',
        set(image_ids) <= {i['ImageId'] for i in ec2.describe_images(Owners=['self'])['Images']},
    )
    paged = run.cli_json(
        'follows NextToken', 'ec2', 'describe-instances', '--page-size', '5', '--query', 'Reservations[].Instances[].InstanceId'
    )
    run.check('aws ec2 describe-instances --page-size 5 sees every instance', set(instance_ids) <= set(paged), paged)
    ec2.terminate_instances(InstanceIds=[*instance_ids, windows])


GROUPS = {
    'ec2-instances': instances,
    'ec2-images': images,
    'ec2-tags': tagging,
    'ec2-storage': storage,
    'ec2-launch-templates': launch_templates,
    'ec2-fast-launch': fast_launch,
    'ec2-replace-root-volume': root_volume_tasks,
    'ec2-paginators': paginators,
    'ec2-distribution': distribution,
    'ec2-regions': regions_and_disabling,
}
