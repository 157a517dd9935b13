"""Checks a response against botocore's service model, more strictly than botocore's own parsing.

botocore parses leniently: it drops XML elements and JSON keys its model does not know, accepts any
text for a string enum, and parses timestamps in many formats. A client would then silently miss a
field the server misnamed. So each response is checked twice:

- the raw body: every XML element (EC2 Query) or JSON key (AWS JSON 1.1) is a member the output shape
  declares, under its serialised name; scalars are written as the protocol writes them (EC2 timestamps
  ISO 8601 in UTC, booleans `true`/`false`, integers as digits; JSON 1.1 timestamps epoch seconds);
  the response element is `<Operation>Response` in EC2's 2016-11-15 namespace, with a requestId;
- the parsed output: every member's type is the shape's type, every enum value is one the model lists,
  every required member is there, numbers and lengths are within the shape's min and max.

Errors are checked for the protocol's envelope (EC2's `<Response><Errors><Error>` with Code, Message and
RequestID; JSON's `__type`), and an AppStream error code must be one the operation declares or one of
AWS's common errors.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET

EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
ISO_8601_UTC = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$')
INTEGER = re.compile(r'^-?\d+$')

# Wire values AWS documents that the model's enum spells otherwise. EC2's PlatformValues enum lists
# `Windows`, while the Image and Instance `platform` member documentation says "This value is set to
# windows for Windows AMIs" (lower case), which is what EC2 sends and what the SDKs compare against.
DOCUMENTED_ENUM_VALUES = {'PlatformValues': {'windows'}}

# The errors every AWS JSON service may answer, beside those an operation declares (AWS's "Common Errors").
COMMON_ERRORS = {
    'AccessDeniedException',
    'IncompleteSignatureException',
    'InternalFailure',
    'InvalidSignatureException',
    'MissingAuthenticationTokenException',
    'NotAuthorized',
    'ThrottlingException',
    'UnrecognizedClientException',
    'ValidationException',
    'ServiceUnavailable',
}


def check_response(operation_model, http_response, parsed, text_timestamps=False):
    """The problems found in one response (an empty list when it matches the model). awscli leaves
    timestamps as the wire wrote them (`text_timestamps`); the raw-body check covers their format."""
    problems = []
    protocol = operation_model.service_model.protocol
    if http_response.status_code >= 300:
        _check_error(operation_model, protocol, http_response, parsed, problems)
        return problems
    shape = operation_model.output_shape
    output = {k: v for k, v in parsed.items() if k != 'ResponseMetadata'}
    if shape is None:
        if output:
            problems.append(f'members {sorted(output)} in a response the model gives no output')
    else:
        _check_parsed(shape, output, 'output', problems, text_timestamps)
    if protocol == 'ec2':
        _check_ec2_body(operation_model, http_response.content, problems)
    elif protocol == 'json':
        _check_json_body(shape, http_response, problems)
    elif protocol == 'smithy-rpc-v2-cbor':
        _check_cbor_headers(http_response, problems)
    return problems


def _check_parsed(shape, value, path, problems, text_timestamps=False):
    kind = shape.type_name
    if kind == 'structure':
        if not isinstance(value, dict):
            problems.append(f'{path}: {type(value).__name__}, not a structure')
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f'{path}.{name}: required member missing')
        for name, member in value.items():
            if name not in shape.members:
                problems.append(f'{path}.{name}: not a member of {shape.name}')
            else:
                _check_parsed(shape.members[name], member, f'{path}.{name}', problems, text_timestamps)
    elif kind == 'list':
        if not isinstance(value, list):
            problems.append(f'{path}: {type(value).__name__}, not a list')
            return
        _check_range(shape, len(value), path, 'length', problems)
        for index, item in enumerate(value):
            _check_parsed(shape.member, item, f'{path}[{index}]', problems, text_timestamps)
    elif kind == 'map':
        if not isinstance(value, dict):
            problems.append(f'{path}: {type(value).__name__}, not a map')
            return
        for key, item in value.items():
            _check_parsed(shape.key, key, f'{path} key', problems, text_timestamps)
            _check_parsed(shape.value, item, f'{path}[{key}]', problems, text_timestamps)
    elif kind == 'string':
        if not isinstance(value, str):
            problems.append(f'{path}: {type(value).__name__}, not a string')
        elif shape.enum and value not in shape.enum and value not in DOCUMENTED_ENUM_VALUES.get(shape.name, ()):
            problems.append(f"{path}: {value!r} is not one of {shape.name}'s values")
        else:
            _check_range(shape, len(value), path, 'length', problems)
    elif kind in ('integer', 'long'):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f'{path}: {value!r} is not an integer')
        else:
            _check_range(shape, value, path, 'value', problems)
    elif kind in ('double', 'float'):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f'{path}: {value!r} is not a number')
    elif kind == 'boolean':
        if not isinstance(value, bool):
            problems.append(f'{path}: {value!r} is not a boolean')
    elif kind == 'timestamp':
        if text_timestamps and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            problems.append(f'{path}: {value!r} is not a timestamp with a time zone')
    elif kind == 'blob':
        if not isinstance(value, (bytes, bytearray)):
            problems.append(f'{path}: {type(value).__name__}, not a blob')
    else:
        problems.append(f'{path}: shape type {kind} is not checked')


def _check_range(shape, value, path, what, problems):
    low, high = shape.metadata.get('min'), shape.metadata.get('max')
    if low is not None and value < low:
        problems.append(f'{path}: {what} {value} is below the minimum {low}')
    if high is not None and value > high:
        problems.append(f'{path}: {what} {value} is above the maximum {high}')


def _local(tag):
    return tag.split('}', 1)[1] if tag.startswith('{') else tag


def _namespace(tag):
    return tag[1:].split('}', 1)[0] if tag.startswith('{') else ''


def _check_ec2_body(operation_model, body, problems):
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        problems.append(f'body is not XML: {error}')
        return
    if _local(root.tag) != f'{operation_model.name}Response':
        problems.append(f'root element <{_local(root.tag)}>, not <{operation_model.name}Response>')
    if _namespace(root.tag) != EC2_NAMESPACE:
        problems.append(f'root namespace {_namespace(root.tag)!r}, not {EC2_NAMESPACE!r}')
    children = list(root)
    if not any(_local(child.tag) == 'requestId' and (child.text or '') for child in children):
        problems.append('no requestId')
    shape = operation_model.output_shape
    for child in children:
        name = _local(child.tag)
        # The EC2 API reference lists `return` in the answer of actions whose model has no output.
        if name == 'requestId' or (shape is None and name == 'return'):
            continue
        member = _xml_members(shape).get(name) if shape is not None else None
        if member is None:
            problems.append(f'<{name}>: not a member of the output')
        else:
            _check_xml(member, child, name, problems)


def _xml_members(shape):
    return {member.serialization.get('name', name): member for name, member in shape.members.items()}


def _check_xml(shape, element, path, problems):
    kind = shape.type_name
    if kind == 'structure':
        members = _xml_members(shape)
        for child in element:
            name = _local(child.tag)
            if name not in members:
                problems.append(f'{path}/<{name}>: not a member of {shape.name}')
            else:
                _check_xml(members[name], child, f'{path}/{name}', problems)
        return
    if kind == 'list':
        item = shape.member.serialization.get('name', 'member')
        for index, child in enumerate(element):
            if _local(child.tag) != item:
                problems.append(f'{path}/<{_local(child.tag)}>: a list item must be <{item}>')
            else:
                _check_xml(shape.member, child, f'{path}[{index}]', problems)
        return
    if len(element):
        problems.append(f'{path}: a {kind} with child elements')
        return
    text = element.text or ''
    if kind == 'timestamp' and not ISO_8601_UTC.match(text):
        problems.append(f'{path}: {text!r} is not an ISO 8601 UTC timestamp')
    elif kind == 'boolean' and text not in ('true', 'false'):
        problems.append(f'{path}: {text!r} is not true or false')
    elif kind in ('integer', 'long') and not INTEGER.match(text):
        problems.append(f'{path}: {text!r} is not an integer')


def _check_json_body(shape, http_response, problems):
    content_type = http_response.headers.get('content-type', '')
    if content_type != 'application/x-amz-json-1.1':
        problems.append(f'Content-Type {content_type!r}, not application/x-amz-json-1.1')
    try:
        body = json.loads(http_response.content or b'{}')
    except ValueError as error:
        problems.append(f'body is not JSON: {error}')
        return
    if shape is not None:
        _check_json(shape, body, 'body', problems)


def _check_json(shape, value, path, problems):
    kind = shape.type_name
    if kind == 'structure' and isinstance(value, dict):
        for name, member in value.items():
            if name not in shape.members:
                problems.append(f'{path}.{name}: not a member of {shape.name}')
            else:
                _check_json(shape.members[name], member, f'{path}.{name}', problems)
    elif kind == 'list' and isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(shape.member, item, f'{path}[{index}]', problems)
    elif kind == 'map' and isinstance(value, dict):
        for key, item in value.items():
            _check_json(shape.value, item, f'{path}[{key}]', problems)
    elif kind == 'timestamp' and (isinstance(value, bool) or not isinstance(value, (int, float))):
        problems.append(f'{path}: {value!r} is not epoch seconds, as JSON 1.1 writes timestamps')


def _check_cbor_headers(http_response, problems):
    if http_response.headers.get('smithy-protocol') != 'rpc-v2-cbor':
        problems.append('no smithy-protocol: rpc-v2-cbor header')
    if http_response.headers.get('content-type') != 'application/cbor':
        problems.append(f'Content-Type {http_response.headers.get("content-type")!r}, not application/cbor')


def _check_error(operation_model, protocol, http_response, parsed, problems):
    error = parsed.get('Error', {})
    if not error.get('Code'):
        problems.append('an error without a code')
    if not error.get('Message'):
        problems.append('an error without a message')
    if protocol == 'ec2':
        try:
            root = ET.fromstring(http_response.content)
        except ET.ParseError as parse_error:
            problems.append(f'error body is not XML: {parse_error}')
            return
        if root.tag != 'Response' or root.find('Errors/Error/Code') is None or root.find('Errors/Error/Message') is None:
            problems.append('error body is not <Response><Errors><Error><Code/><Message/>')
        if not (root.findtext('RequestID') or ''):
            problems.append('error body has no RequestID')
        return
    if protocol == 'json':
        body = json.loads(http_response.content or b'{}')
        if '__type' not in body:
            problems.append('error body has no __type')
    declared = {shape.name for shape in operation_model.error_shapes}
    if error.get('Code') not in declared | COMMON_ERRORS:
        problems.append(f'error {error.get("Code")} is neither declared by {operation_model.name} nor a common error')
