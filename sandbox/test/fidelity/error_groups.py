"""The errors the sandbox answers as AWS does, as botocore parses them (code and HTTP status): failed
SigV4 checks, parameters EC2 refuses, throttling, and the accounts and Regions kept apart."""

from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext, ThrottlingErrorDetector
from harness import clock_skewed

OUTSIDE_WINDOW = 20 * 60
INSIDE_WINDOW = 10 * 60


def with_secret(key, secret):
    return {**key, 'secretAccessKey': secret}


def signed_for(service):
    """A before-sign handler: scopes the signature to another service."""

    def handler(request, **_):
        request.context['signing'] = {**request.context.get('signing', {}), 'signing_name': service}

    return handler


def without_signature(request, **_):
    """A before-send handler: an Authorization header that has lost its Signature."""
    header = request.headers['Authorization']
    header = header.decode() if isinstance(header, bytes) else header
    request.headers['Authorization'] = header.split(', Signature=')[0]


def sent_with(**extra):
    """A before-sign handler adding Query parameters botocore's serialiser would never send."""

    def handler(request, **_):
        request.data.update(extra)

    return handler


def is_throttling(error):
    context = RetryContext(attempt_number=1, parsed_response=error.response)
    return ThrottlingErrorDetector(None).is_throttling_error_from_context(context)


def auth_cases(run, service, call, expected):
    """The same call, signed wrongly in each way, gets `expected[kind]` = (code, status)."""
    a = run.keys[0]
    run.fails_with(f'{service}: no signature', lambda: call(run.client(service, signed=False)), *expected['missing'])
    run.fails_with(f'{service}: a wrong secret', lambda: call(run.client(service, key=with_secret(a, 'x' * 40))), *expected['mismatch'])
    unknown = {'accessKeyId': 'AKIAUNKNOWNKEY000000', 'secretAccessKey': a['secretAccessKey']}
    run.fails_with(f'{service}: an unknown access key', lambda: call(run.client(service, key=unknown)), *expected['unknownKey'])
    other = 'appstream' if service == 'ec2' else 'ec2'
    scoped = run.client(service)
    scoped.meta.events.register('before-sign', signed_for(other))
    run.fails_with(f'{service}: a signature scoped to {other}', lambda: call(scoped), *expected['mismatch'])
    incomplete = run.client(service)
    incomplete.meta.events.register('before-send', without_signature)
    run.fails_with(f'{service}: an Authorization header without Signature', lambda: call(incomplete), *expected['incomplete'])
    for seconds in (OUTSIDE_WINDOW, -OUTSIDE_WINDOW):
        with clock_skewed(seconds):
            run.fails_with(
                f'{service}: a request time {seconds // 60} minutes off', lambda: call(run.client(service)), *expected['expired']
            )
    with clock_skewed(INSIDE_WINDOW):
        call(run.client(service))
        run.check(f'{service}: a request time {INSIDE_WINDOW // 60} minutes off is accepted', True)


def throttled_case(run, service, action, call, code, status):
    """An injected throttling fault on `action` reaches botocore as `service`'s throttling error, code and status."""
    run.admin('faults', {'service': service, 'action': action, 'error': {'code': 'RequestLimitExceeded', 'status': 503}})
    try:
        call()
        run.check('a throttled call fails', False, 'succeeded')
    except ClientError as error:
        run.equal(
            f'throttling is {code}, {status}',
            (error.response['Error']['Code'], error.response['ResponseMetadata']['HTTPStatusCode']),
            (code, status),
        )
        run.check("botocore's retry logic classes it as throttling", is_throttling(error), error.response['Error'])


def ec2_errors(run, seeds):
    describe = lambda client: client.describe_images(ImageIds=[seeds['linuxAmi']])  # noqa: E731
    auth_cases(
        run,
        'ec2',
        describe,
        {
            'missing': ('MissingAuthenticationToken', 403),
            'mismatch': ('AuthFailure', 401),
            'unknownKey': ('AuthFailure', 401),
            'incomplete': ('IncompleteSignature', 400),
            'expired': ('RequestExpired', 400),
        },
    )
    run.cli_fails(
        'a wrong secret',
        'ec2',
        'describe-images',
        '--image-ids',
        seeds['linuxAmi'],
        code='AuthFailure',
        key=with_secret(run.keys[0], 'x' * 40),
    )

    def sending(**extra):
        client = run.client('ec2', validate=False)
        client.meta.events.register('before-sign', sent_with(**extra))
        return client

    run.fails_with(
        'an unknown parameter is UnknownParameter',
        lambda: sending(**{'Filtre.1.Name': 'name', 'Filtre.1.Value.1': 'x'}).describe_images(),
        'UnknownParameter',
        400,
    )
    run.fails_with('an unknown Version is NoSuchVersion', lambda: sending(Version='2099-01-01').describe_images(), 'NoSuchVersion', 400)
    run.fails_with(
        'an action newer than the requested version is InvalidAction',
        lambda: sending(Version='2016-09-15').describe_fast_launch_images(),
        'InvalidAction',
        400,
    )
    ec2 = run.client('ec2', validate=False)
    values = [f'ami-{n:017x}' for n in range(201)]
    run.fails_with(
        '201 values in one filter are FilterLimitExceeded',
        lambda: ec2.describe_images(Filters=[{'Name': 'image-id', 'Values': values}]),
        'FilterLimitExceeded',
        400,
    )
    run.equal(
        '200 values in one filter are accepted', ec2.describe_images(Filters=[{'Name': 'image-id', 'Values': values[:200]}])['Images'], []
    )
    run.fails_with('MaxResults below 5 is InvalidParameterValue', lambda: ec2.describe_images(MaxResults=4), 'InvalidParameterValue', 400)
    run.fails_with(
        'MaxResults above 1000 is InvalidParameterValue', lambda: ec2.describe_instances(MaxResults=1001), 'InvalidParameterValue', 400
    )
    run.check('DescribeVolumes takes the CLI default MaxResults=1000', 'Volumes' in ec2.describe_volumes(MaxResults=1000))
    run.fails_with('DryRun of an allowed call is DryRunOperation', lambda: ec2.describe_images(DryRun=True), 'DryRunOperation', 412)

    throttled_case(run, 'ec2', 'DescribeImages', lambda: ec2.describe_images(ImageIds=[seeds['linuxAmi']]), 'RequestLimitExceeded', 503)


def appstream_errors(run, seeds):
    describe = lambda client: client.describe_images(Names=[seeds['appStreamGoldenImage']])  # noqa: E731
    auth_cases(
        run,
        'appstream',
        describe,
        {
            'missing': ('MissingAuthenticationTokenException', 400),
            'mismatch': ('InvalidSignatureException', 400),
            'unknownKey': ('UnrecognizedClientException', 400),
            'incomplete': ('IncompleteSignatureException', 400),
            'expired': ('InvalidSignatureException', 400),
        },
    )
    run.cli_fails(
        'a wrong secret', 'appstream', 'describe-images', code='InvalidSignatureException', key=with_secret(run.keys[0], 'x' * 40)
    )
    throttled_case(run, 'appstream', 'DescribeImages', lambda: run.client('appstream').describe_images(), 'ThrottlingException', 400)


def accounts_and_regions(run, seeds):
    """Account B sees none of account A's AMIs; another Region none of us-east-1's."""
    a = run.client('ec2')
    answer = a.run_instances(ImageId=seeds['linuxAmi'], MinCount=1, MaxCount=1)
    instance_id = answer['Instances'][0]['InstanceId']
    run.advance()
    image_id = a.create_image(InstanceId=instance_id, Name='fidelity-account-a')['ImageId']
    run.advance()
    b = run.client('ec2', key=1)
    run.equal("account B does not list account A's AMIs", b.describe_images(Owners=['self'])['Images'], [])
    run.fails_with(
        "account A's private AMI is not found by account B",
        lambda: b.describe_images(ImageIds=[image_id]),
        'InvalidAMIID.NotFound',
        400,
    )
    run.fails_with(
        "account A's instance is not found by account B",
        lambda: b.describe_instances(InstanceIds=[instance_id]),
        'InvalidInstanceID.NotFound',
        400,
    )
    west = run.client('ec2', region='us-west-2')
    run.fails_with(
        'an AMI of us-east-1 is not found in us-west-2',
        lambda: west.describe_images(ImageIds=[image_id]),
        'InvalidAMIID.NotFound',
        400,
    )
    a.terminate_instances(InstanceIds=[instance_id])


GROUPS = {
    'errors-ec2': ec2_errors,
    'errors-appstream': appstream_errors,
    'accounts-and-regions': accounts_and_regions,
}
