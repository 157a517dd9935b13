"""AppStream 2.0 as boto3 and awscli drive it, over AWS JSON 1.1 (botocore's model today) and over
Smithy RPC v2 CBOR (the protocol newer models list first)."""

import itertools

from ec2_groups import wait

_names = itertools.count(1)
# DescribeFleets has no MaxResults: the sandbox's page (like AWS's) is fixed, so following NextToken needs more fleets than this.
FLEETS_PAGE = 25


def unique(prefix):
    return f'fidelity-{prefix}-{next(_names)}'


def images(run, seeds, protocol):
    appstream = run.client('appstream', protocol=protocol)
    golden = seeds['appStreamGoldenImage']
    [image] = appstream.describe_images(Names=[golden])['Images']
    run.equal('DescribeImages by name', (image['Name'], image['State']), (golden, 'AVAILABLE'))
    run.equal('the golden image is private', image['Visibility'], 'PRIVATE')
    by_arn = appstream.describe_images(Arns=[image['Arn']])['Images']
    run.equal('DescribeImages by ARN', [i['Name'] for i in by_arn], [golden])
    public = appstream.describe_images(Type='PUBLIC')['Images']
    run.equal('DescribeImages Type=PUBLIC lists only public images', {i['Visibility'] for i in public}, {'PUBLIC'})

    name = unique('updated')
    dry = appstream.create_updated_image(existingImageName=golden, newImageName=name, dryRun=True)
    run.equal('CreateUpdatedImage dryRun: no update yet', dry['canUpdateImage'], False)
    run.admin('appstream/updates', {'imageName': golden, 'available': True})
    created = appstream.create_updated_image(
        existingImageName=golden, newImageName=name, newImageTags={'pipeline': 'fidelity'}, dryRun=False
    )
    run.equal('CreateUpdatedImage starts a PENDING image', (created['image']['Name'], created['image']['State']), (name, 'PENDING'))
    run.fails_with(
        'a taken name is ResourceAlreadyExistsException',
        lambda: appstream.create_updated_image(existingImageName=golden, newImageName=name),
        'ResourceAlreadyExistsException',
        400,
    )
    run.advance()
    [ready] = appstream.describe_images(Names=[name])['Images']
    run.equal('the new image becomes AVAILABLE', ready['State'], 'AVAILABLE')
    deleted = appstream.delete_image(Name=name)['Image']
    run.equal('DeleteImage answers the image', deleted['Name'], name)
    run.advance()
    run.fails_with(
        'an unknown image is ResourceNotFoundException',
        lambda: appstream.describe_images(Names=[name]),
        'ResourceNotFoundException',
        400,
    )
    second = unique('updated')
    appstream.create_updated_image(existingImageName=golden, newImageName=second)
    run.advance()
    removed = run.cli_json('deletes an image', 'appstream', 'delete-image', '--name', second, protocol=protocol)
    run.equal('aws appstream delete-image', removed['Image']['Name'], second)
    run.admin('appstream/updates', {'imageName': golden, 'available': False})

    cli = run.cli_json(
        'describes an image', 'appstream', 'describe-images', '--names', golden, '--query', 'Images[].State', protocol=protocol
    )
    run.equal('aws appstream describe-images', cli, ['AVAILABLE'])
    dry_cli = run.cli_json(
        'dry-runs an update',
        'appstream',
        'create-updated-image',
        '--existing-image-name',
        golden,
        '--new-image-name',
        unique('cli'),
        '--dry-run',
        protocol=protocol,
    )
    run.equal('aws appstream create-updated-image --dry-run', dry_cli['canUpdateImage'], False)


def builders(run, seeds, protocol):
    appstream = run.client('appstream', protocol=protocol)
    name = unique('builder')
    created = appstream.create_image_builder(
        Name=name, ImageName=seeds['appStreamBaseImage'], InstanceType='stream.standard.medium', Tags={'pipeline': 'fidelity'}
    )['ImageBuilder']
    run.equal('CreateImageBuilder answers PENDING', created['State'], 'PENDING')
    run.fails_with(
        'a taken name is ResourceAlreadyExistsException',
        lambda: appstream.create_image_builder(Name=name, ImageName=seeds['appStreamBaseImage'], InstanceType='stream.standard.medium'),
        'ResourceAlreadyExistsException',
        400,
    )
    run.advance()
    [running] = appstream.describe_image_builders(Names=[name])['ImageBuilders']
    run.equal('the builder is RUNNING', running['State'], 'RUNNING')
    run.equal('StopImageBuilder answers STOPPING', appstream.stop_image_builder(Name=name)['ImageBuilder']['State'], 'STOPPING')
    run.advance()
    run.fails_with(
        'stopping a STOPPED builder is refused',
        lambda: appstream.stop_image_builder(Name=name),
        'OperationNotPermittedException',
        400,
    )
    run.equal('StartImageBuilder answers PENDING', appstream.start_image_builder(Name=name)['ImageBuilder']['State'], 'PENDING')
    run.advance()
    appstream.stop_image_builder(Name=name)
    run.advance()
    run.equal('DeleteImageBuilder answers DELETING', appstream.delete_image_builder(Name=name)['ImageBuilder']['State'], 'DELETING')
    run.advance()
    run.fails_with(
        'a deleted builder is ResourceNotFoundException',
        lambda: appstream.describe_image_builders(Names=[name]),
        'ResourceNotFoundException',
        400,
    )

    cli_name = unique('cli-builder')
    cli = run.cli_json(
        'creates a builder',
        'appstream',
        'create-image-builder',
        '--name',
        cli_name,
        '--image-name',
        seeds['appStreamBaseImage'],
        '--instance-type',
        'stream.standard.medium',
        protocol=protocol,
    )
    run.equal('aws appstream create-image-builder', cli['ImageBuilder']['State'], 'PENDING')
    run.advance()
    states = run.cli_json(
        'describes it', 'appstream', 'describe-image-builders', '--names', cli_name, '--query', 'ImageBuilders[].State', protocol=protocol
    )
    run.equal('aws appstream describe-image-builders', states, ['RUNNING'])
    stopped = run.cli_json('stops it', 'appstream', 'stop-image-builder', '--name', cli_name, protocol=protocol)
    run.equal('aws appstream stop-image-builder', stopped['ImageBuilder']['State'], 'STOPPING')
    run.advance()
    started = run.cli_json('starts it', 'appstream', 'start-image-builder', '--name', cli_name, protocol=protocol)
    run.equal('aws appstream start-image-builder', started['ImageBuilder']['State'], 'PENDING')
    run.advance()
    run.cli_json('stops it again', 'appstream', 'stop-image-builder', '--name', cli_name, protocol=protocol)
    run.advance()
    deleted = run.cli_json('deletes it', 'appstream', 'delete-image-builder', '--name', cli_name, protocol=protocol)
    run.equal('aws appstream delete-image-builder', deleted['ImageBuilder']['State'], 'DELETING')


def tagging(run, seeds, protocol):
    appstream = run.client('appstream', protocol=protocol)
    [image] = appstream.describe_images(Names=[seeds['appStreamGoldenImage']])['Images']
    arn = image['Arn']
    appstream.tag_resource(ResourceArn=arn, Tags={'stage': protocol, 'owner': 'fidelity'})
    run.equal('TagResource, then ListTagsForResource', appstream.list_tags_for_resource(ResourceArn=arn)['Tags'].get('stage'), protocol)
    appstream.untag_resource(ResourceArn=arn, TagKeys=['stage', 'owner'])
    remaining = appstream.list_tags_for_resource(ResourceArn=arn)['Tags']
    run.check('UntagResource removes the keys', 'stage' not in remaining and 'owner' not in remaining, remaining)
    run.cli_json('tags it', 'appstream', 'tag-resource', '--resource-arn', arn, '--tags', 'cli=yes', protocol=protocol)
    listed = run.cli_json('lists the tags', 'appstream', 'list-tags-for-resource', '--resource-arn', arn, protocol=protocol)
    run.equal('aws appstream list-tags-for-resource', listed['Tags'].get('cli'), 'yes')
    run.cli_json('untags it', 'appstream', 'untag-resource', '--resource-arn', arn, '--tag-keys', 'cli', protocol=protocol)
    unknown = arn.replace(seeds['appStreamGoldenImage'], 'no-such-image')
    run.fails_with(
        'tags of an unknown resource: ResourceNotFoundException',
        lambda: appstream.list_tags_for_resource(ResourceArn=unknown),
        'ResourceNotFoundException',
        400,
    )


def fleets(run, seeds, protocol):
    """Fleets through their states, with botocore's fleet_started and fleet_stopped waiters, and CopyImage."""
    appstream = run.client('appstream', protocol=protocol)
    golden = seeds['appStreamGoldenImage']
    name = unique('fleet')
    created = appstream.create_fleet(
        Name=name,
        InstanceType='stream.standard.medium',
        FleetType='ALWAYS_ON',
        ImageName=seeds['appStreamBaseImage'],
        ComputeCapacity={'DesiredInstances': 1},
    )['Fleet']
    run.equal('CreateFleet answers a STOPPED fleet', (created['Name'], created['State']), (name, 'STOPPED'))
    wait(run, appstream, 'fleet_started', outcome='failure', Names=[name])
    appstream.start_fleet(Name=name)
    [starting] = appstream.describe_fleets(Names=[name])['Fleets']
    run.equal('StartFleet: STARTING', starting['State'], 'STARTING')
    run.fails_with(
        'UpdateFleet of a STARTING fleet is ConcurrentModificationException',
        lambda: appstream.update_fleet(Name=name, ImageName=golden),
        'ConcurrentModificationException',
        400,
    )
    wait(run, appstream, 'fleet_started', Names=[name])
    wait(run, appstream, 'fleet_stopped', outcome='failure', Names=[name])
    updated = appstream.update_fleet(Name=name, ImageName=golden)['Fleet']
    run.equal('UpdateFleet of a RUNNING fleet to a same-platform image', (updated['ImageName'], updated['State']), (golden, 'RUNNING'))
    run.fails_with(
        'another platform while RUNNING is IncompatibleImageException',
        lambda: appstream.update_fleet(Name=name, ImageName=seeds['appStreamBase2019Image']),
        'IncompatibleImageException',
        400,
    )
    appstream.stop_fleet(Name=name)
    wait(run, appstream, 'fleet_stopped', Names=[name])

    run.admin('appstream/fleet-start-failure', {'fleetName': name, 'errorCode': 'IMAGE_NOT_FOUND'})
    appstream.start_fleet(Name=name)
    wait(run, appstream, 'fleet_started', outcome='failure', Names=[name])
    [failed] = appstream.describe_fleets(Names=[name])['Fleets']
    errors = [e['ErrorCode'] for e in failed.get('FleetErrors', [])]
    run.equal('a failed start: STOPPED with FleetErrors', (failed['State'], errors), ('STOPPED', ['IMAGE_NOT_FOUND']))

    run.cli_json('starts it', 'appstream', 'start-fleet', '--name', name, protocol=protocol)
    run.advance()
    states = run.cli_json('describes it', 'appstream', 'describe-fleets', '--names', name, '--query', 'Fleets[].State', protocol=protocol)
    run.equal('aws appstream describe-fleets', states, ['RUNNING'])
    cli_updated = run.cli_json('updates it', 'appstream', 'update-fleet', '--name', name, '--display-name', 'CLI', protocol=protocol)
    run.equal('aws appstream update-fleet', cli_updated['Fleet']['DisplayName'], 'CLI')
    run.cli_json('stops it', 'appstream', 'stop-fleet', '--name', name, protocol=protocol)
    run.advance()
    run.equal('aws appstream stop-fleet', appstream.describe_fleets(Names=[name])['Fleets'][0]['State'], 'STOPPED')

    copy = unique('copy')
    answer = appstream.copy_image(SourceImageName=golden, DestinationImageName=copy, DestinationRegion='eu-west-1')
    run.equal('CopyImage answers the destination name', answer['DestinationImageName'], copy)
    ireland = run.client('appstream', region='eu-west-1', protocol=protocol)
    run.equal('the copy is COPYING in the destination Region', ireland.describe_images(Names=[copy])['Images'][0]['State'], 'COPYING')
    run.fails_with(
        'a taken destination name is ResourceAlreadyExistsException',
        lambda: appstream.copy_image(SourceImageName=golden, DestinationImageName=copy, DestinationRegion='eu-west-1'),
        'ResourceAlreadyExistsException',
        400,
    )
    run.advance()
    run.equal('then AVAILABLE', ireland.describe_images(Names=[copy])['Images'][0]['State'], 'AVAILABLE')
    cli_copy = unique('copy')
    copied = run.cli_json(
        'copies an image',
        'appstream',
        'copy-image',
        '--source-image-name',
        golden,
        '--destination-image-name',
        cli_copy,
        '--destination-region',
        'us-west-2',
        protocol=protocol,
    )
    run.equal('aws appstream copy-image', copied, {'DestinationImageName': cli_copy})


def all_fleets(appstream):
    """Every fleet, following NextToken by hand."""
    names, token = [], None
    while True:
        page = appstream.describe_fleets(**({'NextToken': token} if token else {}))
        names += [f['Name'] for f in page['Fleets']]
        token = page.get('NextToken')
        if not token:
            return names


def paginators(run, seeds, protocol):
    appstream = run.client('appstream', protocol=protocol)
    for _ in range(2):
        appstream.create_image_builder(Name=unique('paged'), ImageName=seeds['appStreamBaseImage'], InstanceType='stream.standard.medium')
    while len(all_fleets(appstream)) <= FLEETS_PAGE:
        appstream.create_fleet(
            Name=unique('paged'),
            InstanceType='stream.standard.small',
            ImageName=seeds['appStreamBaseImage'],
            ComputeCapacity={'DesiredInstances': 1},
        )
    keys = {'DescribeImages': ('Images', 'Name'), 'DescribeImageBuilders': ('ImageBuilders', 'Name')}
    for operation in run.applicable['paginators']['appstream']:
        run.paginators.setdefault('appstream', set()).add(operation)
        if operation == 'DescribeFleets':
            # No limit key: the paginator follows AppStream's own page size.
            pages = list(appstream.get_paginator('describe_fleets').paginate())
            names = [f['Name'] for page in pages for f in page['Fleets']]
            run.equal('DescribeFleets paginator follows NextToken', (names, len(pages) > 1), (all_fleets(appstream), True))
            continue
        result_key, item_key = keys[operation]
        everything = getattr(appstream, run.snake(operation))()[result_key]
        pages = list(appstream.get_paginator(run.snake(operation)).paginate(PaginationConfig={'PageSize': 1}))
        names = [item[item_key] for page in pages for item in page[result_key]]
        run.equal(f'{operation} paginator, one item a page', (names, len(pages)), ([i[item_key] for i in everything], len(everything)))
    cli = run.cli_json(
        'follows nextToken', 'appstream', 'describe-images', '--page-size', '1', '--query', 'Images[].Name', protocol=protocol
    )
    run.equal('aws appstream describe-images --page-size 1', cli, [i['Name'] for i in appstream.describe_images()['Images']])
    run.fails_with(
        'MaxResults above 25 is a ValidationException',
        lambda: run.client('appstream', protocol=protocol, validate=False).describe_images(MaxResults=26),
        'ValidationException',
        400,
    )


def for_protocol(protocol):
    return {
        f'appstream-{protocol}-images': lambda run, seeds: images(run, seeds, protocol),
        f'appstream-{protocol}-builders': lambda run, seeds: builders(run, seeds, protocol),
        f'appstream-{protocol}-tags': lambda run, seeds: tagging(run, seeds, protocol),
        f'appstream-{protocol}-fleets': lambda run, seeds: fleets(run, seeds, protocol),
        f'appstream-{protocol}-paginators': lambda run, seeds: paginators(run, seeds, protocol),
    }


GROUPS = {**for_protocol('json'), **for_protocol('smithy-rpc-v2-cbor')}
