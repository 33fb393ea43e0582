"""A cold container makes one botocore session and one DynamoDB client, whichever models a request meets first:
botocore loads its data (endpoints, each service's model) once per session, 45–75 ms of a cold start each
(bench/cold_start.py measures it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

FRESH = """
import json, sys
sys.path.insert(0, sys.argv[1])
import botocore.session

sessions, clients = [], []
init, create = botocore.session.Session.__init__, botocore.session.Session.create_client

def counting_init(self, *a, **kw):
    sessions.append(id(self))
    init(self, *a, **kw)

def counting_create(self, service_name, *a, **kw):
    clients.append(service_name)
    return create(self, service_name, *a, **kw)

botocore.session.Session.__init__ = counting_init
botocore.session.Session.create_client = counting_create

import app  # noqa: F401  (every module's models, as in the Lambda function)
from chalicelib.core import aws, counties, keyring
from chalicelib.core.auth.models import User
from chalicelib.core.db import HouseholdsItem, SubmissionsItem, key
from chalicelib.households.models import Household

# Models of both tables, subclasses first (PynamoDB would give each its own connection), then a boto3-style client.
counties.get("999999", fresh=True)
try:
    User.get(key("999999", "USER", "nobody"), "USER")
except User.DoesNotExist:
    pass
try:
    keyring.DataKey.get(key("999999", "DATAKEY"), "202401")
except keyring.DataKey.DoesNotExist:
    pass
list(Household.query(key("999999", "HH", "nobody"), limit=1))
aws.client("kms").list_aliases(Limit=1)

shared = HouseholdsItem._get_connection().connection
models = [User, keyring.DataKey, counties.County, Household, SubmissionsItem]
print(json.dumps({"sessions": len(sessions), "clients": clients,
                  "shared": all(m._get_connection().connection is shared for m in models),
                  "session_is_aws": shared.session is aws.session()}))
"""


def test_a_cold_container_makes_one_session_and_one_client_per_service(aws):
    out = subprocess.run([sys.executable, "-c", FRESH, str(ROOT)], cwd=ROOT, env=dict(os.environ),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["sessions"] == 1, got
    assert sorted(got["clients"]) == ["dynamodb", "kms"], got
    assert got["shared"] and got["session_is_aws"], got
