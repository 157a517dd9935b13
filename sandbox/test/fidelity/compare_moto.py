"""One EC2 scenario, run by boto3 against two endpoints (the sandbox and moto_server), reduced to what can be
compared (states, error codes and statuses, which members an answer carries; never IDs or times), and
the steps where the two answers differ.

Input (stdin, JSON): {"targets": {name: {"endpoint", "accessKeyId", "secretAccessKey", "admin": bool}},
"linuxAmi": {name: ami}}. Output (stdout, JSON): {"steps": {step: {target: observation}}, "differences": [step, ...]}.
"""

import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from error_groups import sent_with  # noqa: E402
from harness import NO_RETRIES  # noqa: E402


class Target:
    def __init__(self, name, spec, ami):
        self.name = name
        self.spec = spec
        self.ami = ami
        self.ec2 = self.client()

    def client(self, secret=None, validate=True):
        return boto3.client(
            'ec2',
            endpoint_url=self.spec['endpoint'],
            region_name='us-east-1',
            aws_access_key_id=self.spec['accessKeyId'],
            aws_secret_access_key=secret or self.spec['secretAccessKey'],
            config=Config(retries=NO_RETRIES, parameter_validation=validate),
        )

    def advance(self):
        """Completes the sandbox's pending transitions; moto has none."""
        if self.spec['admin']:
            request = urllib.request.Request(f'{self.spec["endpoint"]}/_sandbox/advance', data=b'{}', method='POST')
            request.add_header('content-type', 'application/json')
            urllib.request.urlopen(request, timeout=30).read()


def observe(call):
    try:
        return call()
    except ClientError as error:
        return {'error': error.response['Error'].get('Code'), 'status': error.response['ResponseMetadata']['HTTPStatusCode']}
    except ResponseParserError:
        # moto_server answers an exception it did not map to an EC2 error with an HTML page.
        return {'error': 'an HTML page, not EC2 XML (an unhandled server exception)'}


def members(item):
    return sorted(item)


def scenario(t, seen):
    """The steps, in order, each recording an observation in `seen`."""
    ec2 = t.ec2
    launched = ec2.run_instances(ImageId=t.ami, MinCount=1, MaxCount=1, InstanceType='t3.micro')['Instances'][0]
    instance_id = launched['InstanceId']
    seen['RunInstances: state'] = launched['State']['Name']
    seen['RunInstances: members of an instance'] = members(launched)
    t.advance()
    described = ec2.describe_instances(InstanceIds=[instance_id])['Reservations'][0]['Instances'][0]
    seen['DescribeInstances: state once started'] = described['State']['Name']
    seen['DescribeInstances: members of a running instance'] = members(described)
    seen['DescribeInstances: MetadataOptions'] = described.get('MetadataOptions')
    seen['DescribeInstances: unknown ID'] = observe(lambda: ec2.describe_instances(InstanceIds=['i-0123456789abcdef0']))
    seen['DescribeInstances: malformed ID'] = observe(lambda: ec2.describe_instances(InstanceIds=['i-nope']))
    seen['DescribeInstances: MaxResults 4'] = observe(lambda: t.client(validate=False).describe_instances(MaxResults=4) and 'accepted')
    seen['DescribeInstances: MaxResults with InstanceIds'] = observe(
        lambda: ec2.describe_instances(InstanceIds=[instance_id], MaxResults=5) and 'accepted'
    )

    image_id = ec2.create_image(InstanceId=instance_id, Name='compare-golden', NoReboot=True)['ImageId']
    [image] = ec2.describe_images(ImageIds=[image_id])['Images']
    seen['CreateImage: state right after'] = image['State']
    seen['CreateImage: same name again'] = observe(lambda: ec2.create_image(InstanceId=instance_id, Name='compare-golden') and 'accepted')
    t.advance()
    [image] = ec2.describe_images(ImageIds=[image_id])['Images']
    seen['DescribeImages: state once done'] = image['State']
    seen['DescribeImages: members of a new AMI'] = members(image)
    seen['DescribeImages: CreationDate format'] = (
        'whole seconds' if image['CreationDate'].endswith(':00.000Z') or '.000Z' in image['CreationDate'] else image['CreationDate']
    )
    [base] = ec2.describe_images(ImageIds=[t.ami])['Images']
    seen['DescribeImages: members of the base AMI'] = members(base)
    seen['DescribeImages: owner self by name'] = [
        i['Name'] for i in ec2.describe_images(Owners=['self'], Filters=[{'Name': 'name', 'Values': ['compare-golden']}])['Images']
    ]
    seen['DescribeImages: unknown ID'] = observe(lambda: ec2.describe_images(ImageIds=['ami-0123456789abcdef0']))
    seen['DescribeImages: malformed ID'] = observe(lambda: ec2.describe_images(ImageIds=['ami-x']))
    seen['DescribeImages: misspelt filter name'] = observe(
        lambda: len(ec2.describe_images(Owners=['self'], Filters=[{'Name': 'nmae', 'Values': ['x']}])['Images'])
    )
    seen['DescribeImages: unknown parameter'] = observe(lambda: with_extra(t, {'Filtre.1.Name': 'name'}).describe_images() and 'accepted')
    seen['DescribeImages: unknown Version'] = observe(lambda: with_extra(t, {'Version': '2099-01-01'}).describe_images() and 'accepted')
    values = [f'ami-{n:017x}' for n in range(201)]
    seen['DescribeImages: 201 filter values'] = observe(
        lambda: ec2.describe_images(Filters=[{'Name': 'image-id', 'Values': values}]) and 'accepted'
    )
    seen['DescribeImages: DryRun'] = observe(lambda: ec2.describe_images(DryRun=True) and 'accepted')

    ec2.create_tags(Resources=[image_id], Tags=[{'Key': 'stage', 'Value': 'compare'}])
    seen['CreateTags: then filter by tag'] = [
        i['ImageId'] == image_id
        for i in ec2.describe_images(Owners=['self'], Filters=[{'Name': 'tag:stage', 'Values': ['compare']}])['Images']
    ]
    seen['CreateTags: unknown AMI'] = observe(
        lambda: ec2.create_tags(Resources=['ami-0123456789abcdef0'], Tags=[{'Key': 'k', 'Value': 'v'}]) and 'accepted'
    )

    snapshot_id = image['BlockDeviceMappings'][0]['Ebs']['SnapshotId']
    [snapshot] = ec2.describe_snapshots(SnapshotIds=[snapshot_id])['Snapshots']
    seen['DescribeSnapshots: state'] = snapshot['State']
    seen['DescribeSnapshots: members'] = members(snapshot)
    seen["DeleteSnapshot: an AMI's snapshot"] = observe(lambda: ec2.delete_snapshot(SnapshotId=snapshot_id) and 'accepted')
    volumes = ec2.describe_volumes(Filters=[{'Name': 'attachment.instance-id', 'Values': [instance_id]}])['Volumes']
    seen['DescribeVolumes: root volume state'] = [v['State'] for v in volumes]
    seen['DescribeVolumes: members'] = members(volumes[0]) if volumes else None
    seen['DescribeVolumes: MaxResults 1000 (the CLI default)'] = observe(lambda: ec2.describe_volumes(MaxResults=1000) and 'accepted')

    template = ec2.create_launch_template(LaunchTemplateName='compare-template', LaunchTemplateData={'ImageId': t.ami})['LaunchTemplate']
    seen['CreateLaunchTemplate: versions'] = (template['DefaultVersionNumber'], template['LatestVersionNumber'])
    seen['CreateLaunchTemplate: same name again'] = observe(
        lambda: ec2.create_launch_template(LaunchTemplateName='compare-template', LaunchTemplateData={'ImageId': t.ami}) and 'accepted'
    )
    seen['DescribeLaunchTemplates: unknown name'] = observe(lambda: ec2.describe_launch_templates(LaunchTemplateNames=['no-such-template']))

    seen['DeregisterImage: answer'] = {k: v for k, v in ec2.deregister_image(ImageId=image_id).items() if k != 'ResponseMetadata'}
    seen['DescribeImages: a just-deregistered AMI by ID'] = observe(
        lambda: [i['State'] for i in ec2.describe_images(ImageIds=[image_id])['Images']]
    )
    seen['DeleteSnapshot: once the AMI is gone'] = observe(lambda: ec2.delete_snapshot(SnapshotId=snapshot_id) and 'accepted')

    terminating = ec2.terminate_instances(InstanceIds=[instance_id])['TerminatingInstances'][0]
    seen['TerminateInstances: current state'] = terminating['CurrentState']['Name']
    t.advance()
    seen['DescribeInstances: a terminated instance'] = ec2.describe_instances(InstanceIds=[instance_id])['Reservations'][0]['Instances'][0][
        'State'
    ]['Name']
    seen['RunInstances: MinCount above MaxCount'] = observe(lambda: ec2.run_instances(ImageId=t.ami, MinCount=2, MaxCount=1) and 'accepted')
    seen['SigV4: a wrong secret'] = observe(lambda: t.client(secret='x' * 40).describe_images(Owners=['self']) and 'accepted')
    for operation, call in (
        ('EnableFastLaunch', lambda: ec2.enable_fast_launch(ImageId=t.ami, MaxParallelLaunches=6)),
        ('DescribeFastLaunchImages', lambda: ec2.describe_fast_launch_images()),
        ('DescribeReplaceRootVolumeTasks', lambda: ec2.describe_replace_root_volume_tasks()),
    ):
        seen[f'{operation}: served at all'] = observe(lambda call=call: call() and 'served')


def with_extra(t, extra):
    client = t.client(validate=False)
    client.meta.events.register('before-sign', sent_with(**extra))
    return client


def main():
    spec = json.load(sys.stdin)
    steps = {}
    for name, target in spec['targets'].items():
        seen = {}
        try:
            scenario(Target(name, target, spec['linuxAmi'][name]), seen)
        except Exception as error:  # noqa: BLE001 - a target that breaks the scenario is itself a finding
            seen['scenario'] = f'broke after {len(seen)} steps: {type(error).__name__}: {str(error)[:300]}'
        for step, value in seen.items():
            steps.setdefault(step, {})[name] = value
    differences = [
        step
        for step, values in steps.items()
        if len({json.dumps(v, sort_keys=True) for v in values.values()}) > 1 or len(values) < len(spec['targets'])
    ]
    json.dump({'steps': steps, 'differences': differences}, sys.stdout, indent=1, default=str)


if __name__ == '__main__':
    main()
