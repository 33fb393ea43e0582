"""Fuzzing the API with schemathesis: every operation of /api/openapi.json, against the running local stack.

The document fuzzed is docs/openapi.json; the first test checks that the stack serves exactly that document at
/api/openapi.json and that it lists every route. Each operation is called with the token of a role that may call it
(the owner of its case in the isolation matrix, tests/security/test_isolation.py CASES), in positive and negative
mode, through schemathesis' phases (explicit examples, coverage of boundaries and of methods a path does not have,
then random fuzzing). Three in four generated identifiers in the valid parts of a request are swapped for real objects
of the demo county (destructive operations get throwaway objects of their own), so requests get past 404 into the
handlers; the last test checks that every operation answered 2xx at least once. Checks on every response:

- no 5xx (`not_a_server_error`);
- the status code, content type and body are those the document declares for the operation;
- invalid input (negative mode) is rejected with a 4xx (`negative_data_rejection`; a body invalid only by
  whitespace padding that the request models strip is valid input);
- every 4xx/5xx body is the error envelope {"error": {"code", "message", "details"}}.

Profiles: `make test` runs a few derandomized examples per operation (about a minute); `CQT_FUZZ_EXAMPLES=200
.venv/bin/pytest tests/fuzz` goes deep with fresh random examples (a failure prints the blob to reproduce it).
"""

from __future__ import annotations

import collections
import json
import os
import zlib

import jsonschema
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from devstack.demo_data import COUNTY_CODE, FOCUS_VILLAGE
from tests.conftest import ROOT, new_county_code, new_phone, unique_id_number
from tests.fuzz.conftest import GRID, FuzzWorld
from tests.security.test_isolation import CASES, PUBLIC

EXAMPLES = int(os.environ.get("CQT_FUZZ_EXAMPLES", "4"))
DERANDOMIZE = "CQT_FUZZ_EXAMPLES" not in os.environ  # `make test` draws the same examples every run
FILL_SHARE = 4  # three in four generated identifiers are replaced by real ones (the rest stay random)

# Who calls each operation: the owner in the isolation matrix, except where the demo county needs someone else.
ROLE = {route: case.owner for route, case in CASES.items()}
ROLE.update({("GET", "/inbox"): "inbox_worker", ("POST", "/inbox/{message}/read"): "inbox_worker"})


def _error_envelope(ctx, response, case):
    """Every refusal and failure is the API's error envelope, whatever the status code."""
    if case.method.upper() != case.operation.method.upper():
        # A method the path does not have. The deployed API Gateway answers it itself (403, the envelope of its
        # gateway responses); the local gateway hands it to Chalice, which answers 405 in Chalice's own format.
        if response.status_code not in (403, 405):
            raise AssertionError(f"{case.method} on {case.operation.path}: {response.status_code}, expected 403/405")
        return
    if response.status_code < 400:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.content[:200]!r}") from None
    err = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(body, dict) and set(body) == {"error"} and isinstance(err, dict)
            and isinstance(err.get("code"), str) and isinstance(err.get("message"), str)
            and set(err) <= {"code", "message", "details"}):
        raise AssertionError(f"{response.status_code} outside the error envelope: {response.content[:300]!r}")


def _stripped(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_stripped(v) for v in value]
    if isinstance(value, dict):
        return {k: _stripped(v) for k, v in value.items()}
    return value


def _valid_once_stripped(case) -> bool:
    """Request models strip surrounding whitespace before they check lengths (core.schemas.Strict): a body that is
    invalid only by its padding (" " + 100 characters for a maxLength of 100) is valid input, not a miss."""
    if not isinstance(case.body, dict) or case.meta is None or not case.meta.is_negative_at(ParameterLocation.BODY):
        return False
    op = schema.raw_schema["paths"][case.operation.path][case.operation.method.lower()]
    body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body_schema is None or _stripped(case.body) == case.body:
        return False
    validator = jsonschema.Draft202012Validator({**body_schema, "components": schema.raw_schema["components"]})
    return validator.is_valid(_stripped(case.body))


def _negative_data_rejection(ctx, response, case):
    if not _valid_once_stripped(case):
        return negative_data_rejection(ctx, response, case)
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          _negative_data_rejection, _error_envelope]


# The document of the code under test (docs/openapi.json, kept in step with the route table by
# tests/functional/test_api_hygiene.py), loaded at collection so each operation is a test of its own; the first
# test checks that the running stack serves this very document at /api/openapi.json.
# (schemathesis.pytest.from_fixture, which loads the document from a fixture instead, fails on pytest 9.2:
# its lazy runner writes the removed `Node._nodeid`.)
schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json")
# The token is ours to give (a role that may call the operation): schemathesis generates no Authorization header, so a
# negative case is never one whose "missing token" mutation the test then undoes. (Requests without a valid token are
# the isolation matrix's part: tests/security/test_isolation.py.)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES,
                                with_security_parameters=False)
# Methods an operation does not have: those the local gateway passes on (it is Python's http.server, which answers
# TRACE and QUERY itself with a 501 page before the API sees them); OPTIONS is the CORS preflight, 200 everywhere.
schema.config.phases.coverage.unexpected_methods = {"get", "put", "post", "delete", "patch"}


def test_the_stack_serves_the_fuzzed_document(fuzz_world):
    served = json.loads(requests.get(f"{fuzz_world.stack.url}/api/openapi.json", timeout=30).content)
    assert served == schema.raw_schema, "the stack serves another document than docs/openapi.json: `make openapi`"
    fuzzed = {(m.upper(), p.removeprefix("/api")) for p, ops in served["paths"].items() for m in ops}
    assert fuzzed == set(CASES) | (PUBLIC - {("GET", "/openapi.json")}), "operations and the route table differ"


# --- pointing generated requests at real objects ------------------------------------------------------------------

def _positive(case, location: ParameterLocation) -> bool:
    meta = case.meta
    return meta is None or not meta.is_negative_at(location)


def _fill(value) -> bool:
    """Whether to swap this generated value for a real one (deterministic, so a failing example replays)."""
    return zlib.crc32(json.dumps(value, sort_keys=True, default=str).encode()) % FILL_SHARE != 0


def _path_values(world: FuzzWorld, method: str, template: str) -> dict[str, str]:
    """Real path parameters for an operation; operations that destroy something get a fresh object."""
    if template == "/households/{hid}/members/{mid}":
        hh = world.household(members=2) if method == "DELETE" else world.hh_write
        return {"hid": hh["id"], "mid": next(m["id"] for m in hh["members"] if m["relation"] != "户主")}
    if template in ("/households/{hid}", "/households/{hid}/members"):
        return {"hid": world.hh_write["id"] if method != "GET" else world.hh["id"]}
    if template == "/households/{hid}/invites":
        return {"hid": world.hh["id"]}
    if template == "/party-links/{hid}":
        return {"hid": world.linked_household()}
    if template == "/inbox/{message}/read":
        return {"message": world.message}
    if template.startswith("/alerts/{aid}"):
        return {"aid": world.alert()}
    if template == "/counties/{code}":
        return {"code": COUNTY_CODE}
    if template.startswith("/counties/{code}/"):
        return {"code": world.spare}
    if template == "/places/{code}":
        return {"code": GRID}
    if template == "/staff/{uid}":
        return {"uid": world.staff()[0]}
    if template == "/passes/{pid}/revoke":
        return {"pid": world.pass_()["id"]}
    if template == "/tipoffs/{tid}":
        return {"tid": world.tid}
    raise AssertionError(f"no real path parameters for {method} {template}: add them here")


QUERY = {"place": GRID, "under": GRID, "grid": GRID, "parent": GRID, "village": FOCUS_VILLAGE,
         "checkpoint": FOCUS_VILLAGE}


def _query_values(world: FuzzWorld, template: str) -> dict[str, str]:
    out = dict(QUERY, household=world.hh["id"], member=world.party_member)
    if template.startswith("/tipoffs"):
        out["place"] = FOCUS_VILLAGE
    return out


def _person(member, head: bool) -> dict:
    if not isinstance(member, dict):
        return member
    relation = "户主" if head else ("子女" if member.get("relation") == "户主" else member.get("relation"))
    out = {**member, "relation": relation, "id_number": unique_id_number(COUNTY_CODE)}
    if out.get("phone") is not None:
        out["phone"] = new_phone()
    return out


def _body_values(world: FuzzWorld, method: str, template: str, body: dict) -> dict:
    hh = world.hh
    out: dict = {}
    if "household" in body:
        out["household"] = world.hh_remind["id"] if template == "/reports/reminders" else hh["id"]
    if "member" in body:
        out["member"] = world.party_member if template == "/party-links" else hh["members"][-1]["id"]
    members = body.get("members")
    if isinstance(members, list) and template == "/reports":  # one colour for each member of the household
        ids = [m["id"] for m in hh["members"]]
        colours = [m.get("colour") for m in members if isinstance(m, dict)] or ["green"]
        out["members"] = [{"member": mid, "colour": colours[i % len(colours)]} for i, mid in enumerate(ids)]
    if isinstance(members, list) and template == "/households":  # new people: a head first, valid ID numbers
        out["members"] = [_person(m, head=i == 0) for i, m in enumerate(members)]
    if "id_number" in body and template == "/households/{hid}/members":
        out.update(_person(body, head=False))
    if template == "/reports/settings":
        out.update(cutoff="10:00", party_reminder_at="09:00", grid_reminder_at="11:00")
    if template == "/alerts/subscriptions":
        out.update(protocol="email", endpoint="fuzz-alerts@example.com")
    if template == "/imports" and "key" in body:
        out.update(kind="households", key=world.uploaded_import())
    if template in ("/auth/refresh", "/auth/signout") and "refresh_token" in body:
        out["refresh_token"] = world.throwaway_refresh_token()
    if template == "/auth/token" and "code" in body and (sent := world.sign_in_code()):
        out["phone"], out["code"] = sent
        return out
    if isinstance(body.get("households"), list):
        out["households"] = [hh["id"]]
    for key, value in (("grid", GRID), ("place", GRID), ("village", FOCUS_VILLAGE), ("tenant", COUNTY_CODE)):
        if key in body:
            out[key] = value
    if "code" in body:
        out["code"] = {"/links": world.invite_code, "/passes/scan": lambda: world.pass_()["code"],
                       "/places": world.new_place_code, "/counties": new_county_code}.get(template, lambda: None)()
    for key in ("phone", "admin_phone"):
        if key in body and template in ("/staff", "/counties", "/auth/code"):
            out[key] = new_phone()
    return {k: v for k, v in out.items() if v is not None}


def aim(world: FuzzWorld, case, template: str) -> None:
    """Swap a share of the generated identifiers in the valid parts of a case for real ones."""
    method = case.operation.method.upper()
    if case.path_parameters and _positive(case, ParameterLocation.PATH) and _fill(case.path_parameters):
        case.path_parameters = {**case.path_parameters, **_path_values(world, method, template)}
    if case.query and _positive(case, ParameterLocation.QUERY) and _fill(case.query):
        real = _query_values(world, template)
        case.query = {k: real.get(k, v) for k, v in case.query.items()}
    if isinstance(case.body, dict) and _positive(case, ParameterLocation.BODY) and _fill(case.body):
        case.body = {**case.body, **_body_values(world, method, template, case.body)}


STATUSES: dict[tuple[str, str], collections.Counter] = {}  # what each operation answered, for the last test


# --- the test -----------------------------------------------------------------------------------------------------

@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=True,
          derandomize=DERANDOMIZE)
def test_api(case, fuzz_world):
    template = case.operation.path.removeprefix("/api")
    route = (case.operation.method.upper(), template)
    role = None if route in PUBLIC else ROLE.get(route)
    assert role or route in PUBLIC, f"{route}: no role for this operation (add its case to the isolation matrix)"
    aim(fuzz_world, case, template)
    headers = {"Authorization": f"Bearer {fuzz_world.token(role)}"} if role else {}
    response = case.call_and_validate(base_url=fuzz_world.stack.url, headers=headers, checks=CHECKS, timeout=30)
    STATUSES.setdefault(route, collections.Counter())[response.status_code] += 1




def test_every_operation_was_carried_out():
    """The fuzzer got past validation and lookups into the handlers: each operation answered 2xx at least once."""
    operations = {(m.upper(), p.removeprefix("/api")) for p, ops in schema.raw_schema["paths"].items() for m in ops}
    if set(STATUSES) != operations:
        pytest.skip("the fuzzing test ran for only some of the operations")
    never = sorted(f"{m} {p}: {dict(STATUSES[m, p])}" for m, p in operations
                   if not any(200 <= status < 300 for status in STATUSES[m, p]))
    assert not never, "operations that never succeeded (aim them at real objects in aim()):\n" + "\n".join(never)
