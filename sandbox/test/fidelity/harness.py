"""What the fidelity groups share: recorded checks, boto3 clients and an in-process awscli that check every
response against botocore's model, and the sandbox's admin API."""

import contextlib
import datetime
import functools
import io
import json
import os
import tempfile
import urllib.request

import boto3
import botocore.auth
import botocore.loaders
import botocore.session
from awscli.clidriver import create_clidriver
from botocore import UNSIGNED, xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from model_check import check_response

# Fail fast: a retried error would hide the answer under test, and waiters poll on their own.
NO_RETRIES = {'mode': 'standard', 'total_max_attempts': 1}


class Run:
    def __init__(self, endpoint, keys, applicable):
        self.endpoint = endpoint
        self.keys = keys
        # The paginators and waiters botocore defines for the operations under test, and those exercised.
        self.applicable = applicable
        self.paginators = {}
        self.waiters = {}
        # Which operations each client called: {service: {'boto3' | 'awscli': set of operation names}}.
        self.called = {}
        self.results = {}
        self.group = None
        self.data_dir = tempfile.mkdtemp(prefix='fidelity-models-')

    # --- checks -----------------------------------------------------------------------------------
    def check(self, name, ok, detail=''):
        self.results.setdefault(self.group, []).append({'check': name, 'ok': bool(ok), 'detail': '' if ok else str(detail)})
        return ok

    def equal(self, name, actual, expected):
        return self.check(name, actual == expected, f'got {actual!r}, expected {expected!r}')

    def fails_with(self, name, call, code, status):
        """The call fails, and botocore parses AWS's error code and HTTP status from the answer."""
        try:
            call()
        except ClientError as error:
            got = (error.response['Error'].get('Code'), error.response['ResponseMetadata']['HTTPStatusCode'])
            return self.equal(name, got, (code, status))
        return self.check(name, False, f'succeeded; expected {code} ({status})')

    def on_response(self, http_response, parsed, model, client_name, **_):
        self.called.setdefault(model.service_model.service_name, {}).setdefault(client_name, set()).add(model.name)
        problems = check_response(model, http_response, parsed, text_timestamps=client_name == 'awscli')
        kind = 'error' if http_response.status_code >= 300 else 'response'
        service = model.service_model
        self.check(
            f'model: {service.service_name} {model.name} {kind} ({service.protocol}, {client_name})', not problems, '; '.join(problems)
        )

    # --- clients ----------------------------------------------------------------------------------
    def client(self, service, key=0, region='us-east-1', protocol=None, signed=True, validate=True):
        """A boto3 client signing with `key` (an index into the sandbox's keys, or a key itself)."""
        session = botocore.session.get_session()
        self.use_protocol(session, service, protocol)
        access = self.keys[key] if isinstance(key, int) else key
        client = boto3.Session(
            botocore_session=session,
            aws_access_key_id=access['accessKeyId'],
            aws_secret_access_key=access['secretAccessKey'],
            region_name=region,
        ).client(
            service,
            endpoint_url=self.endpoint,
            config=Config(
                retries=NO_RETRIES,
                parameter_validation=validate,
                signature_version=None if signed else UNSIGNED,
            ),
        )
        client.meta.events.register('after-call', functools.partial(self.on_response, client_name='boto3'))
        return client

    def use_protocol(self, session, service, protocol):
        """Makes `session` speak `protocol` to `service`: botocore's own model with that protocol as its only one."""
        # A loader of its own: the session's would cache botocore's model before the path below is in place.
        native = botocore.loaders.Loader()
        version = native.determine_latest_version(service, 'service-2')
        model = native.load_service_model(service, 'service-2', version)
        if protocol is None or model['metadata']['protocol'] == protocol:
            return
        target = os.path.join(self.data_dir, protocol)
        if not os.path.isdir(target):
            model['metadata']['protocol'] = protocol
            model['metadata']['protocols'] = [protocol]
            os.makedirs(os.path.join(target, service, version))
            with open(os.path.join(target, service, version, 'service-2.json'), 'w') as out:
                json.dump(model, out)
        session.get_component('data_loader').search_paths.insert(0, target)

    def cli(self, service, *args, protocol=None, key=0):
        """Runs `aws <service> <args>` in this process; returns (exit code, parsed JSON output, stderr)."""
        driver = create_clidriver()
        self.use_protocol(driver.session, service, protocol)
        access = self.keys[key] if isinstance(key, int) else key
        driver.session.set_credentials(access['accessKeyId'], access['secretAccessKey'])
        driver.session.register('after-call', functools.partial(self.on_response, client_name='awscli'))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = driver.main(['--endpoint-url', self.endpoint, '--output', 'json', service, *args])
        text = out.getvalue().strip()
        return code, json.loads(text) if text else None, err.getvalue()

    def cli_json(self, name, service, *args, protocol=None):
        code, output, stderr = self.cli(service, *args, protocol=protocol)
        self.check(f'aws {service} {args[0]}: {name}', code == 0, stderr.strip())
        return output

    def cli_fails(self, name, service, *args, code, key=0):
        exit_code, _, stderr = self.cli(service, *args, key=key)
        expected = f'An error occurred ({code})'
        return self.check(f'aws {service} {args[0]}: {name}', exit_code != 0 and expected in stderr, f'exit {exit_code}: {stderr.strip()}')

    # --- the sandbox's admin API and clock ---------------------------------------------------------
    def admin(self, path, body=None):
        request = urllib.request.Request(
            f'{self.endpoint}/_sandbox/{path}',
            data=json.dumps(body or {}).encode(),
            headers={'content-type': 'application/json'},
            method='POST',
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b'null')

    def advance(self):
        """Completes every pending transition now."""
        self.admin('advance')

    @staticmethod
    def snake(operation):
        return xform_name(operation)


@contextlib.contextmanager
def clock_skewed(seconds):
    """Signs requests as if the client's clock were off by `seconds`."""
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: original() + datetime.timedelta(seconds=seconds)
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = original
