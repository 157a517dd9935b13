"""The fidelity suite's driver: runs the named groups of checks against a sandbox, in order, and prints
one JSON document: each group's checks, and what the groups covered of botocore's operations,
paginators and waiters.

Input (stdin, JSON): {"endpoint": url, "keys": [{accessKeyId, secretAccessKey, accountId}],
"seeds": {...}, "operations": {service: [operation, ...]}, "groups": [name, ...]}.
"""

import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.loaders  # noqa: E402
from appstream_groups import GROUPS as APPSTREAM  # noqa: E402
from ec2_groups import GROUPS as EC2  # noqa: E402
from error_groups import GROUPS as ERRORS  # noqa: E402
from validator_groups import GROUPS as VALIDATOR  # noqa: E402
from harness import Run  # noqa: E402

GROUPS = {**EC2, **APPSTREAM, **ERRORS, **VALIDATOR}


def applicable(operations):
    """The paginators and waiters botocore defines for these operations; and the waiters it defines for others."""
    loader = botocore.loaders.Loader()
    found = {'paginators': {}, 'waiters': {}, 'otherWaiters': {}}
    for service, names in operations.items():
        pages = loader.load_service_model(service, 'paginators-1')['pagination']
        found['paginators'][service] = sorted(op for op in pages if op in names)
        waiters = loader.load_service_model(service, 'waiters-2')['waiters']
        found['waiters'][service] = sorted(w for w, spec in waiters.items() if spec['operation'] in names)
        found['otherWaiters'][service] = sorted(
            f'{w} ({spec["operation"]})' for w, spec in waiters.items() if spec['operation'] not in names
        )
    return found


def main():
    spec = json.load(sys.stdin)
    run = Run(spec['endpoint'], spec['keys'], applicable(spec['operations']))
    for name in spec['groups']:
        run.group = name
        try:
            GROUPS[name](run, spec['seeds'])
        except Exception:  # noqa: BLE001 - a group that breaks is one failed check; the others still run
            run.check('the group ran to its end', False, traceback.format_exc())
    json.dump(
        {
            'groups': run.results,
            'applicable': run.applicable,
            'paginators': {service: sorted(names) for service, names in run.paginators.items()},
            'waiters': {service: sorted(names) for service, names in run.waiters.items()},
            'called': {service: {client: sorted(ops) for client, ops in clients.items()} for service, clients in run.called.items()},
        },
        sys.stdout,
    )


if __name__ == '__main__':
    main()
