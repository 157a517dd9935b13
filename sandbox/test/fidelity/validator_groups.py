"""The response validator checked against answers made wrong on purpose: each kind of flaw it claims to
catch is caught, and a correct answer passes."""

from types import SimpleNamespace

import botocore.loaders
import botocore.model
import botocore.parsers
from model_check import check_response

NS = 'http://ec2.amazonaws.com/doc/2016-11-15/'


def ec2_images(image_xml, root='DescribeImagesResponse', ns=NS):
    return f'<{root} xmlns="{ns}"><requestId>r-1</requestId><imagesSet><item>{image_xml}</item></imagesSet></{root}>'


GOOD_IMAGE = (
    '<imageId>ami-0123456789abcdef0</imageId><imageState>available</imageState><isPublic>false</isPublic><platform>windows</platform>'
)


def problems_of(service, operation, body, status=200, headers=None):
    loader = botocore.loaders.Loader()
    model = botocore.model.ServiceModel(loader.load_service_model(service, 'service-2'), service)
    operation_model = model.operation_model(operation)
    response = {'body': body.encode(), 'headers': headers or {}, 'status_code': status}
    parsed = botocore.parsers.create_parser(model.protocol).parse(response, operation_model.output_shape)
    http = SimpleNamespace(status_code=status, content=body.encode(), headers=headers or {})
    return check_response(operation_model, http, parsed)


def validator(run, _seeds):
    def flags(name, problems, fragment):
        run.check(f'the validator flags {name}', any(fragment in p for p in problems), problems)

    run.equal('a correct DescribeImages answer passes', problems_of('ec2', 'DescribeImages', ec2_images(GOOD_IMAGE)), [])
    flags(
        'an element the model does not have',
        problems_of('ec2', 'DescribeImages', ec2_images(GOOD_IMAGE + '<imageOwner>1</imageOwner>')),
        '<imageOwner>',
    )
    flags(
        'an enum value the model does not list',
        problems_of('ec2', 'DescribeImages', ec2_images('<imageState>ready</imageState>')),
        "'ready'",
    )
    flags(
        'a boolean that is not true or false',
        problems_of('ec2', 'DescribeImages', ec2_images('<isPublic>True</isPublic>')),
        'not true or false',
    )
    flags(
        'the wrong response element',
        problems_of('ec2', 'DescribeImages', ec2_images(GOOD_IMAGE, root='DescribeImageResponse')),
        'root element',
    )
    flags('the wrong namespace', problems_of('ec2', 'DescribeImages', ec2_images(GOOD_IMAGE, ns='http://example.com/')), 'namespace')
    snapshot = (
        '<DescribeSnapshotsResponse xmlns="{}"><requestId>r</requestId>'
        '<snapshotSet><item><startTime>{}</startTime></item></snapshotSet></DescribeSnapshotsResponse>'
    )
    flags(
        'a timestamp not in ISO 8601 UTC', problems_of('ec2', 'DescribeSnapshots', snapshot.format(NS, '2026-11-30 08:00:00')), 'ISO 8601'
    )
    misnamed = ec2_images(GOOD_IMAGE).replace('<item>', '<member>').replace('</item>', '</member>')
    flags('a list item botocore would drop unseen', problems_of('ec2', 'DescribeImages', misnamed), 'must be <item>')
    flags(
        'an error without RequestID',
        problems_of(
            'ec2', 'DescribeImages', '<Response><Errors><Error><Code>X</Code><Message>m</Message></Error></Errors></Response>', 400
        ),
        'RequestID',
    )

    json_headers = {'content-type': 'application/x-amz-json-1.1'}
    image = '{"Images": [{"Name": "n", "Arn": "arn:aws:appstream:us-east-1::image/n", "State": "AVAILABLE", "CreatedTime": %s}]}'
    run.equal(
        'a correct AppStream DescribeImages answer passes',
        problems_of('appstream', 'DescribeImages', image % '1700000000', headers=json_headers),
        [],
    )
    flags(
        'a JSON timestamp that is not epoch seconds',
        problems_of('appstream', 'DescribeImages', image % '"2026-11-30T08:00:00Z"', headers=json_headers),
        'epoch seconds',
    )
    flags(
        'a JSON key the model does not have',
        problems_of('appstream', 'DescribeImages', '{"Images": [], "nextToken": "x"}', headers=json_headers),
        'nextToken',
    )
    flags(
        'a JSON 1.1 answer of another content type',
        problems_of('appstream', 'DescribeImages', '{"Images": []}', headers={'content-type': 'application/json'}),
        'Content-Type',
    )
    flags(
        'a required member missing',
        problems_of('appstream', 'DescribeImages', '{"Images": [{"Arn": "a"}]}', headers=json_headers),
        'Name: required',
    )
    flags(
        'an error the operation does not declare',
        problems_of('appstream', 'DescribeImages', '{"__type": "NoSuchThingException", "message": "m"}', 400, json_headers),
        'neither declared',
    )


GROUPS = {'model-check': validator}
