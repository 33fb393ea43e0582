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
- every 4xx/5xx body is the error envelope {"error": {"code", "message", "details"}} — except on the Open311
  GeoReport v2 routes (chalicelib/open311), whose errors are the spec's error array [{code, description}] (or
  <errors><error>…) with the HTTP status as each code. Their XML answers are checked against the document's schemas
  too (`_georeport_xml` reads them into the JSON shape the same schema describes).

Profiles: `make test` runs a few derandomized examples per operation (about a minute); `CQT_FUZZ_EXAMPLES=200
.venv/bin/pytest tests/fuzz` goes deep with fresh random examples (a failure prints the blob to reproduce it).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import re
import time
import zlib
from xml.etree import ElementTree as ET

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
# 智慧招聘: the demo villager seeks work (and applies for an employer account); the demo employer 钱企业 hires
ROLE.update({route: "villager" for route, case in CASES.items() if case.owner in ("seeker", "applicant")})
# 视频面试: the demo employer hosts (and admits), the demo villager is the guest (_interview_room)
ROLE.update({("POST", "/interviews/{room_id}/admit"): "employer"})
# 问题分析: the fuzz world has no township official; the county admin reads the demo township
ROLE.update({route: "county_admin" for route in CASES if route[1].startswith("/insights")})


def _georeport(template: str) -> bool:
    """An Open311 GeoReport v2 route: it answers in the spec's shapes, JSON or XML (chalicelib/open311)."""
    return template.startswith(("/open311/v2/", "/api/open311/v2/"))


def _content_type(response) -> str:
    return ((response.headers.get("content-type") or [""])[0]).split(";")[0].strip().lower()


def _spec_error_array(response) -> None:
    """A GeoReport error: the spec's error array, each error's code the HTTP status, with a description."""
    status = response.status_code
    if _content_type(response) == "text/xml":
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as e:
            raise AssertionError(f"{status} with malformed XML ({e}): {response.content[:300]!r}") from None
        errors = [{"tag": e.tag, "code": e.findtext("code"), "description": e.findtext("description")} for e in root]
        ok = root.tag == "errors" and errors and all(
            e["tag"] == "error" and e["code"] == str(status) and e["description"] for e in errors)
    else:
        try:
            errors = json.loads(response.content)
        except ValueError:
            raise AssertionError(f"{status} without a JSON body: {response.content[:200]!r}") from None
        ok = isinstance(errors, list) and errors and all(
            isinstance(e, dict) and set(e) == {"code", "description"} and e["code"] == status
            and isinstance(e["description"], str) and e["description"] for e in errors)
    if not ok:
        raise AssertionError(f"{status} outside the GeoReport error array: {response.content[:300]!r}")


def _error_envelope(ctx, response, case):
    """Every refusal and failure is the API's error envelope, whatever the status code (the GeoReport routes: the
    spec's error array)."""
    if case.method.upper() != case.operation.method.upper():
        # A method the path does not have. The deployed API Gateway answers it itself (403, the envelope of its
        # gateway responses); the local gateway hands it to Chalice, which answers 405 in Chalice's own format.
        if response.status_code not in (403, 405):
            raise AssertionError(f"{case.method} on {case.operation.path}: {response.status_code}, expected 403/405")
        return
    if response.status_code < 400:
        return
    if _georeport(case.operation.path):
        _spec_error_array(response)
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


def _resolved(sub: dict) -> dict:
    while isinstance(sub, dict) and "$ref" in sub:
        sub = schema.raw_schema["components"]["schemas"][sub["$ref"].rsplit("/", 1)[1]]
    return sub


def _from_xml(el: ET.Element, sub: dict):
    """An element as the JSON value `sub` describes (the document's `xml` names the elements): lists from their items,
    objects from their children, `true`/`false` and numbers typed, an empty element null where null is allowed."""
    sub = _resolved(sub)
    types = sub.get("type") if isinstance(sub.get("type"), list) else [sub.get("type")]
    if "array" in types:
        items = _resolved(sub.get("items", {}))
        name = items.get("xml", {}).get("name")
        wrong = sorted({child.tag for child in el if name and child.tag != name})
        if wrong:
            raise ValueError(f"<{el.tag}> holds {wrong}, the document names its items <{name}>")
        return [_from_xml(child, items) for child in el]
    if "object" in types:
        props = sub.get("properties", {})
        return {child.tag: _from_xml(child, props.get(child.tag, {})) for child in el}
    text = el.text or ""
    if not text and len(el) == 0:
        return None if "null" in types else ""
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    for kind, parse in (("integer", int), ("number", float)):
        if kind in types:
            try:
                return parse(text)
            except ValueError:
                pass
    return text


@schemathesis.deserializer("text/xml")
def _georeport_xml(ctx, response):
    """A GeoReport XML answer read into the shape the document's schema for it describes (its JSON form), so that
    response_schema_conformance checks the XML answers as well; a malformed document or a root element other than
    the one the document names fails here."""
    op = schema.raw_schema["paths"][ctx.operation.path][ctx.operation.method.lower()]
    documented = op["responses"].get(str(response.status_code), {}).get("content", {}).get("text/xml", {})
    sub = _resolved(documented.get("schema", {}))
    root = ET.fromstring(response.content)
    name = sub.get("xml", {}).get("name")
    if name and root.tag != name:
        raise ValueError(f"the root element is <{root.tag}>, the document says <{name}>")
    return _from_xml(root, sub)


# The document of the code under test (docs/openapi.json, kept in step with the route table by
# tests/functional/test_api_hygiene.py), loaded at collection so each operation is a test of its own; the first
# test checks that the running stack serves this very document at /api/openapi.json.
# (schemathesis.pytest.from_fixture, which loads the document from a fixture instead, fails on pytest 9.2:
# its lazy runner writes the removed `Node._nodeid`.)
schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json")
if os.environ.get("CQT_FUZZ_ONLY"):  # e.g. CQT_FUZZ_ONLY=/interviews: only the operations whose path matches
    schema = schema.include(path_regex=os.environ["CQT_FUZZ_ONLY"])
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


# Operations whose generated path parameters are always swapped for real ones: each call destroys its object, and the
# default profile's few positive examples of it (`{"kid": "0"}`, ...) all fell in the share left random, so it would
# never succeed (random ids still go out in negative mode).
ALWAYS_REAL_PATH = {("DELETE", "/open311/keys/{kid}"), ("GET", "/notices/{notice}"), ("GET", "/workdays/{year}"),
                    ("GET", "/lectures/courses/{cid}"), ("GET", "/lectures/courses/{cid}/stats"),
                    ("GET", "/lectures/videos/{vid}"),
                    ("GET", "/lectures/videos/{vid}/comments"), ("PUT", "/lectures/videos/{vid}/progress"),
                    ("GET", "/notices/{notice}/receipts"), ("POST", "/notices/{notice}/read"),
                    ("POST", "/notices/{notice}/withdraw"),
                    ("POST", "/recruitment/profile/video/uploads/{upload_id}/complete"),  # its body names its parts
                    ("POST", "/interviews/{room_id}/admit")}  # likewise: the body's code is of the room
# And every operation under these paths: the default profile's positive path values of a call are all `{"cid": "0"}`
# (one value, so one fill decision for all of them), seen when the whole suite ran in one process.
ALWAYS_REAL_PATH_UNDER = ("/volunteers/calls/{cid}",)
# Likewise for queries: the board's few positive examples are the coverage phase's `place=000000000` (another county's
# place: 404), all in the share left random.
ALWAYS_REAL_QUERY = {("GET", "/vanguard/index"), ("GET", "/cases/stats"), ("GET", "/party-links"),
                     ("GET", "/lectures/courses/{cid}/stats"),
                     ("GET", "/backoffice/quality"),  # its drawn periods are mostly far in the future (422)
                     ("GET", "/backoffice/quality/export"),  # likewise
                     ("GET", "/insights/words")}  # its drawn places are mostly villages or other counties (422/403)
# And bodies: operations whose few positive examples all fell in the share left random (or need a file uploaded).
ALWAYS_REAL_BODY = {("POST", "/errands/stats/export"), ("POST", "/cases/uploads"), ("POST", "/snaps"),
                    ("POST", "/letters"), ("POST", "/imports/preview"), ("PUT", "/cases/types/{type}/categories"),
                    ("POST", "/interviews/{room_id}/admit"),  # its few positive bodies are all {"code": "0"}
                    ("POST", "/backoffice/reports"),  # likewise its quarters (a later one: 422)
                    ("PUT", "/datarights/retention")}  # its drawn periods are mostly out of bounds (422)


def _printable(value):
    """The value without the characters the API refuses in any text (core.text.bad_character: controls, bidi
    overrides, zero-width and format characters): a schema cannot say this, so a generated "valid" string has them
    and every such case is refused with 422 invalid_character before reaching the handler."""
    from chalicelib.core.text import bad_character

    if isinstance(value, str):
        return "".join(ch for ch in value if bad_character(ch, name=True) is None)
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    return value


def _video_upload(world: FuzzWorld, put: bool = False) -> str:
    """A fresh video résumé upload of the world's villager (100 bytes, one part); put: its part sent to S3, the
    ETag kept for the completion's body (world.video_parts)."""
    up = world.ok("POST", "/api/recruitment/profile/video/uploads",
                  {"content_type": "video/webm", "size": 100, "seconds": 30}, role="villager")
    if put:
        import urllib.request

        req = urllib.request.Request(up["parts"][0]["url"], data=b"v" * 100, method="PUT",
                                     headers={"Content-Type": "video/webm"})
        with urllib.request.urlopen(req, timeout=30) as r:
            world.video_parts = [{"number": 1, "etag": r.headers["ETag"]}]
    return up["upload_id"]


def _rc_job(world: FuzzWorld, fresh: bool = False) -> str:
    """A job of the demo employer 钱企业 (verified by devstack's seed_recruitment): the world's one, or a new one."""
    if fresh or not getattr(world, "rc_job", None):
        job = world.ok("POST", "/api/recruitment/jobs", {"title": f"模糊岗位{world.seq()}", "category": "普工",
                                                         "pay_min": 3000, "pay_max": 4000, "place": "园区",
                                                         "openings": 500}, role="employer")["id"]
        if fresh:
            return job
        world.rc_job = job
    return world.rc_job


def _rc_application(world: FuzzWorld, offered: bool = False) -> str:
    """The demo villager's application to a new job (offered: with the employer's offer)."""
    world.ok("PUT", "/api/recruitment/profile", {"name": "黄村民", "skills": ["电工"]}, role="villager")
    aid = world.ok("POST", f"/api/recruitment/jobs/{_rc_job(world, fresh=True)}/applications", role="villager")["id"]
    if offered:
        world.ok("POST", f"/api/recruitment/applications/{aid}/offer", {"note": ""}, role="employer")
    return aid


def _interview_room(world: FuzzWorld) -> str:
    """An online interview open now (in 5 minutes): the demo employer invites the demo villager (the world's one)."""
    if not getattr(world, "rc_room", None):
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        app = world.ok("POST", f"/api/recruitment/applications/{_rc_application(world)}/interview",
                       {"at": at, "mode": "online"}, role="employer")
        world.rc_room = app["interview"]["id"]
        world.rc_room_code = world.ok("GET", f"/api/interviews/{world.rc_room}", role="villager")["admit"]["code"]
    return world.rc_room


def _rc_pending_employer(world: FuzzWorld) -> str:
    """A new villager's pending employer account (one a person)."""
    from tests.security.test_isolation import _rc_licence

    person = world.sign_in(new_phone())
    status, session = world.call("POST", "/api/links", {"code": world.invite_code()}, person["access_token"])
    assert status == 200, session
    status, out = world.call("POST", "/api/recruitment/employers", {
        "company": f"模糊企业{world.seq()}", "licence_no": _rc_licence(), "contact_name": "钱经理",
        "address": "园区1号"}, session["access_token"])
    assert status == 201, out
    return out["id"]


def _vol_call(world: FuzzWorld, fresh: bool = False) -> str:
    """A call of the demo village (紧急招募令): the world's one, which the villager signed up for and was checked in
    to, or a new one (edits, cancellations, a sign-up to cancel)."""
    if fresh or getattr(world, "_vol_call_id", None) is None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        cid = world.ok("POST", "/api/volunteers/calls", {
            "place": FOCUS_VILLAGE, "title": f"模糊测试招募{world.seq()}", "description": "送村医下乡",
            "address": "村委会门口", "starts_at": (now + dt.timedelta(hours=2)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=8)).isoformat(), "slots": 500}, role="village_admin")["id"]
        if fresh:
            world.ok("POST", f"/api/volunteers/calls/{cid}/signups", role="villager")
            return cid
        world._vol_call_id = cid
        world._vol_signup = world.ok("POST", f"/api/volunteers/calls/{cid}/signups", role="villager")["mine"]
        world.ok("POST", f"/api/volunteers/calls/{cid}/checkins", {"code": world._vol_signup["code"]},
                 role="village_admin")
    return world._vol_call_id


def _bo_report(world: FuzzWorld) -> str:
    """县级后台: a quarterly report of the demo county, made by the stack's job runner (polled until done)."""
    if getattr(world, "_bo_report_id", None) is None:
        rid = world.ok("POST", "/api/backoffice/reports", {"quarter": _this_quarter()}, role="county_admin")["id"]
        for _ in range(120):
            if world.ok("GET", f"/api/backoffice/reports/{rid}", role="county_admin")["status"] == "done":
                break
            time.sleep(0.25)
        world._bo_report_id = rid
    return world._bo_report_id


def _this_quarter() -> str:
    from chalicelib.core import clock

    d = clock.now().astimezone(clock.SHANGHAI)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _lc_course(world: FuzzWorld, fresh: bool = False) -> tuple[str, str]:
    """专题授课: a published 党员学习 course of the demo county with one small video (the county admin's upload):
    the world's one, or a fresh one (edits, uploads)."""
    if fresh or getattr(world, "_lc", None) is None:
        cid = world.ok("POST", "/api/lectures/courses", {"title": f"模糊课程{world.seq()}", "audience": "party"},
                       role="county_admin")["id"]
        uid = _lc_upload(world, cid, put=True)
        vid = world.ok("POST", f"/api/lectures/courses/{cid}/videos/uploads/{uid}/complete",
                       {"parts": world.lecture_parts}, role="county_admin")["id"]
        cur = world.ok("GET", f"/api/lectures/courses/{cid}", role="county_admin")
        world.ok("PUT", f"/api/lectures/courses/{cid}", {"title": cur["title"], "audience": "party",
                                                         "status": "published", "videos": [vid],
                                                         "version": cur["version"]}, role="county_admin")
        if fresh:
            world._lc_fresh = cid
            return cid, vid
        world._lc = (cid, vid)
    return world._lc


def _lc_upload(world: FuzzWorld, cid: str, put: bool = False) -> str:
    up = world.ok("POST", f"/api/lectures/courses/{cid}/videos/uploads",
                  {"title": "第一讲", "content_type": "video/mp4", "size": 100, "duration_s": 60}, role="county_admin")
    if put:
        import urllib.request

        req = urllib.request.Request(up["parts"][0]["url"], data=b"v" * 100, method="PUT",
                                     headers={"Content-Type": "video/mp4"})
        with urllib.request.urlopen(req, timeout=30) as r:
            world.lecture_parts = [{"number": 1, "etag": r.headers["ETag"]}]
    return up["upload_id"]


def _lc_hls(world: FuzzWorld) -> dict[str, str]:
    """The playback token and master playlist of the demo's 春耕技术讲座 video (seeded with HLS renditions)."""
    if getattr(world, "_lc_hls_path", None) is None:
        courses = world.ok("GET", "/api/lectures/courses?status=published&limit=50", role="county_admin")["items"]
        cid = next(c["id"] for c in courses if c["title"] == "春耕技术讲座")
        vid = world.ok("GET", f"/api/lectures/courses/{cid}", role="county_admin")["videos"][0]["id"]
        hls = world.ok("GET", f"/api/lectures/videos/{vid}", role="county_admin")["sources"]["hls"]
        _, _, _, token, rendition = hls.split("/")
        world._lc_hls_path = {"token": token, "rendition": rendition}
    return world._lc_hls_path


def _lc_comment(world: FuzzWorld) -> str:
    vid = _lc_course(world)[1]
    return world.ok("POST", f"/api/lectures/videos/{vid}/comments", {"text": f"模糊评论{world.seq()}"},
                    role="party_member")["id"]


def _vol_code(world: FuzzWorld) -> str:
    _vol_call(world)
    return world._vol_signup["code"]


def _dr_export(world: FuzzWorld) -> str:
    """The demo county's export (the one queued or running, when the fuzzer's own POST made one)."""
    if not getattr(world, "dr_export", None):
        status, out = world.call("POST", "/api/datarights/exports", {}, token=world.token("county_admin"))
        assert status in (201, 409), out
        world.dr_export = out["id"] if status == 201 else out["error"]["details"]["id"]
    return world.dr_export


def _path_values(world: FuzzWorld, method: str, template: str) -> dict[str, str]:
    """Real path parameters for an operation; operations that destroy something get a fresh object."""
    if template == "/recruitment/employers/{eid}/decision":
        return {"eid": _rc_pending_employer(world)}
    if template == "/recruitment/jobs/{jid}":
        return {"jid": _rc_job(world, fresh=method == "PUT")}
    if template in ("/recruitment/jobs/{jid}/close", "/recruitment/jobs/{jid}/applications"):
        return {"jid": _rc_job(world, fresh=True)}
    if template == "/recruitment/jobs/{jid}/applicants":
        return {"jid": _rc_application(world)[:12]}
    if template.startswith("/recruitment/applications/{aid}/"):
        return {"aid": _rc_application(world, offered=template.endswith(("/accept", "/decline")))}
    if template == "/recruitment/profile/video/uploads/{upload_id}/complete":
        return {"upload_id": _video_upload(world, put=True)}
    if template == "/recruitment/profile/video/uploads/{upload_id}":
        return {"upload_id": _video_upload(world)}
    if template.startswith("/interviews/{room_id}"):
        return {"room_id": _interview_room(world)}
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
    if template == "/places/{code}/location":
        return {"code": FOCUS_VILLAGE}
    if template == "/datarights/exports/{eid}":
        return {"eid": _dr_export(world)}
    if template == "/staff/{uid}":
        return {"uid": world.staff()[0]}
    if template == "/passes/{pid}/revoke":
        return {"pid": world.pass_()["id"]}
    if template == "/tipoffs/{tid}":
        return {"tid": world.tid}
    if template == "/open311/keys/{kid}":
        return {"kid": world.open311_kid()}
    if template == "/passes/{pid}/status":
        return {"pid": world.pass_()["id"]}
    if template in ("/cases/{ref}", "/cases/{ref}/actions"):
        return {"ref": world.tid}  # a tip-off is a case: its id is the case's reference
    if template == "/cases/types/{type}/categories":
        return {"type": "snap"}
    if template == "/errands/items/{item_id}":
        return {"item_id": world.errand_item()["id"]}
    if template.startswith("/errands/applications/{ref}"):
        return {"ref": world.errand_application()}
    if template == "/boards/households/{hid}/history":
        return {"hid": world.hh["id"]}
    if template.startswith("/boards/inspections/{iid}/"):  # an appeal is made once: a new record each time
        return {"iid": world.board_inspection(appealed=template.endswith("/decision"))}
    if template.startswith("/boards/villages/{village}"):
        return {"village": FOCUS_VILLAGE, **({"month": world.board_month()} if "{month}" in template else {})}
    if template.startswith("/notices/{notice}"):  # an edit or a withdrawal gets a fresh (scheduled) notice
        fresh = method == "PUT" or template.endswith("/withdraw")
        return {"notice": world.notice(scheduled=method == "PUT") if fresh else world.published_notice()}
    if template == "/vanguard/deeds/{did}/decision":  # decided once: a fresh pending deed each time
        return {"did": world.vanguard_deed(approved=False)}
    if template == "/vanguard/deeds/{did}/comments/{cid}/decision":
        did = world.vanguard_deed()
        return {"did": did, "cid": world.vanguard_comment(did)}
    if template.startswith("/vanguard/deeds/{did}"):
        return {"did": world.vanguard_deed()}
    if template == "/vanguard/points/{uid}":
        return {"uid": world.party_member}
    if template.startswith("/volunteers/calls/{cid}"):  # edits, cancels and a sign-up to cancel: a fresh call
        fresh = method in ("PUT", "DELETE") or template.endswith("/cancel")
        return {"cid": _vol_call(world, fresh=fresh)}
    if template.startswith("/backoffice/reports/{rid}"):  # a done report (its status, link and printable page)
        return {"rid": _bo_report(world)}
    if template.startswith("/lectures/courses/{cid}/videos/uploads/{upload_id}"):  # each a fresh upload
        cid = _lc_course(world)[0]
        return {"cid": cid, "upload_id": _lc_upload(world, cid, put=template.endswith("/complete"))}
    if template.startswith("/lectures/courses/{cid}"):  # an edit gets a fresh course (its version is 2)
        return {"cid": _lc_course(world, fresh=method == "PUT")[0]}
    if template.startswith("/lectures/videos/{vid}"):
        return {"vid": _lc_course(world)[1]}
    if template == "/lectures/comments/{cmid}/decision":
        return {"cmid": _lc_comment(world)}
    if template == "/lectures/hls/{token}/{rendition}":
        return _lc_hls(world)
    if template == "/workdays/{year}":
        return {"year": "2026"}
    if template == "/workdays/{year}/{date}":
        return {"year": "2026", "date": "2026-10-09"}
    raise AssertionError(f"no real path parameters for {method} {template}: add them here")


def _snap_categories() -> list[dict]:
    """The 随手拍 categories as the county starts with them (chalicelib/snaps), written back as they are."""
    from chalicelib.snaps.casetype import CATEGORIES

    return [c.to_json() for c in CATEGORIES]


QUERY = {"place": GRID, "under": GRID, "grid": GRID, "parent": GRID, "village": FOCUS_VILLAGE,
         "checkpoint": FOCUS_VILLAGE}


def _georeport_path(world: FuzzWorld, template: str, params: dict) -> dict[str, str]:
    """A real service code or request reference, in the format the generated value asked for (`snap.road.xml`);
    no token is ever issued, so `tokens/{token}` keeps its generated value (and answers 404)."""
    real = {"/open311/v2/services/{service}": "snap.road",
            "/open311/v2/requests/{request_id}": world.open311_ref}.get(template)
    if real is None:
        return {}
    name, value = next(iter(params.items()))
    fmt = "xml" if isinstance(value, str) and value.endswith(".xml") else "json"
    return {name: f"{real}.{fmt}"}


def _georeport_query(world: FuzzWorld) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {"jurisdiction_id": COUNTY_CODE, "service_code": "snap.sanitation", "status": "open",
            "service_request_id": world.open311_ref, "start_date": (now - dt.timedelta(days=30)).isoformat(),
            "end_date": now.isoformat()}


def _georeport_form(world: FuzzWorld, body: dict) -> dict:
    """A filing by the world's Open311 client: its key, the demo county, a service (随手拍's sanitation, which has no
    attributes), a grid and words; the optional fields that must be valid together get real values too."""
    out = {k: v for k, v in body.items() if not k.startswith("attribute")}
    out.update(api_key=world.open311_key, jurisdiction_id=COUNTY_CODE, service_code="snap.sanitation",
               address_id=GRID, description="模糊测试：村口垃圾没人清")
    if "lat" in body or "long" in body:
        out.update(lat=29.12, long=119.65)
    for key, value in (("first_name", "晓明"), ("last_name", "欧阳"), ("address_string", "村口桥头")):
        if key in body:
            out[key] = value
    return out


def _this_month() -> str:
    from chalicelib.core import clock

    return clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")


def _query_values(world: FuzzWorld, template: str) -> dict[str, str]:
    if _georeport(template):
        return _georeport_query(world)
    out = dict(QUERY, household=world.hh["id"], member=world.party_member)
    if template.startswith("/tipoffs"):
        out["place"] = FOCUS_VILLAGE
    if template == "/errands/stats":
        out.update(place=COUNTY_CODE, month=_this_month())
    if template == "/cases/stats":  # the demo village's tip-offs (a type and a place the village admin holds)
        out.update(type="tipoff", place=FOCUS_VILLAGE)
    if template == "/interviews/{room_id}/signals":
        out["after"] = "0000000000000000000"  # a valid cursor: every signal of the other party
    if template == "/notices/sent":
        out["place"] = FOCUS_VILLAGE
    if template == "/volunteers/calls":  # the villager's village (or the village admin's)
        out["place"] = FOCUS_VILLAGE
    if template.startswith("/lectures"):  # the county's own courses (their numbers, their comments)
        out["place"] = COUNTY_CODE
    if template.startswith("/insights"):  # the demo township (words are counted per township or county)
        out["place"] = FOCUS_VILLAGE[:9]
    if template == "/datarights/audit":  # this month's privileged reads
        out["month"] = _this_month()
    if template in ("/backoffice/quality", "/backoffice/quality/export"):  # this month (a quarter: the same reads)
        out["period"] = _this_month()
    if template.startswith("/vanguard"):  # a feed or a board: the demo village, this month
        out.update(place=FOCUS_VILLAGE, period=_this_month())
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
    if template in ("/errands/items", "/errands/items/{item_id}"):  # a valid item: unique, no form to match
        out.update(name=f"模糊事项{world.seq()}", department="县民政局", fields=[], materials=[], delivery=["pickup"],
                   time_limit_days=None, promised_days=None)
        if "version" in body:
            out["version"] = 1  # the fresh item _path_values made
    if template == "/errands/applications":
        out.update(item=world.errand_item()["id"], values={}, materials=[], delivery="pickup")
    if template == "/backoffice/reports":  # this quarter (a later one is refused: not yet begun)
        out["quarter"] = _this_quarter()
    if template in ("/recruitment/jobs", "/recruitment/jobs/{jid}"):  # a valid job: pay in order, no township
        out.update(category="普工", pay_min=3000, pay_max=4000, township=None, place="园区", openings=10)
        if "rev" in body:
            out["rev"] = 1  # the fresh job _path_values made
    if template == "/recruitment/employers":
        from tests.security.test_isolation import _rc_licence

        out["licence_no"] = _rc_licence()
    if template == "/recruitment/employers/{eid}/decision":
        out.update(decision="refuse", reason="模糊测试")
    if template == "/recruitment/profile":
        out.update(townships=[], phone=new_phone())
    if template == "/recruitment/alerts":
        out.update(categories=["普工"], townships=[])
    if template == "/recruitment/applications/{aid}/interview":
        out.update(at="2099-01-01T09:00:00+08:00", mode="online", address=None)
    if template == "/cases/uploads":
        out["type"] = "snap"
    if template == "/snaps":  # the demo villager's own photo, a category without extra fields
        out.update(category="sanitation", photos=[world.snap_photo()], grid=GRID, extra={})
        out.update({k: None for k in ("lat", "lng") if k in body})
    if template == "/letters":
        out.update(to="village", category="suggestion", photos=[])
        if len(str(body.get("text", "")).strip()) < 5:
            out["text"] = "模糊测试：建议修一修村口的路灯"
    if template == "/imports/preview":
        out.update(kind="households", key=world.uploaded_import())
    if template == "/cases/types/{type}/categories":  # the demo's 随手拍 categories (other operations file them)
        out["categories"] = _snap_categories()
    if template == "/recruitment/profile/video/uploads":
        out.update(content_type="video/webm", size=1000, seconds=60)
    if template == "/interviews/{room_id}/admit":
        _interview_room(world)
        out["code"] = world.rc_room_code
    if template == "/interviews/{room_id}/signals":
        out.update(type="candidate", data={"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0"})
    if template == "/recruitment/profile/video/uploads/{upload_id}/complete":
        out["parts"] = getattr(world, "video_parts", None) or [{"number": 1, "etag": "\"0\""}]
    if template == "/errands/applications/{ref}/actions":
        out.update(action="forward", note=None)
    if template == "/errands/stats/export":
        out.update(place=COUNTY_CODE, month=_this_month())
    if template == "/insights/export":
        out.update(table="cases", place=FOCUS_VILLAGE[:9], weeks=4)
    if template == "/datarights/retention":
        out.update(health_days=90, photo_days=730)
    if template == "/errands/import" and "key" in body:
        out["key"] = world.uploaded_errands()
    if template == "/boards/inspections":
        out.update(scores=world.board_scores(), photos=[world.board_photo()])
    if template == "/boards/criteria":
        out.update(criteria=[{"key": "courtyard", "name": "庭院卫生", "weight": 50, "max_score": 10},
                             {"key": "sorting", "name": "垃圾分类", "weight": 30, "max_score": 10},
                             {"key": "frontage", "name": "门前三包", "weight": 20, "max_score": 10}])
        if "version" in body:  # the version read (a stale one is 409)
            out["version"] = world.ok("GET", "/api/boards/criteria", role="county_admin")["version"]
    if template == "/boards/villages/{village}/settings":
        out.update(red_count=10, red_min=80, black_count=10, black_below=60)
        if "version" in body:
            out["version"] = world.ok("GET", f"/api/boards/villages/{FOCUS_VILLAGE}/settings",
                                      role="village_admin")["version"]
    if template == "/boards/inspections/{iid}/decision":
        out["outcome"] = "uphold"  # an amendment's scores must match the record's criteria
    if template == "/vanguard/deeds" and "photos" in body:  # the demo party member's own upload
        out["photos"] = [world.vanguard_photo()]
    if template in ("/vanguard/points/awards", "/vanguard/points/corrections"):
        out["member"] = world.party_member
        if "ref" in body:
            out["ref"] = f"fuzz-{world.seq()}"
    if template == "/vanguard/rules" and "version" in body:  # the version read (a stale one is 409)
        out["version"] = world.ok("GET", "/api/vanguard/rules", role="county_admin")["version"]
    if template in ("/notices", "/notices/{notice}"):  # from the demo village to all of it, published now
        ahead = dt.timedelta(hours=2) if method == "PUT" else dt.timedelta(0)
        out.update(place=FOCUS_VILLAGE, targets=[], attachments=[],
                   publish_at=(dt.datetime.now(dt.UTC) + ahead).replace(microsecond=0).isoformat())
        if "version" in body:
            out["version"] = 1  # the fresh notice _path_values made
    if template in ("/volunteers/calls", "/volunteers/calls/{cid}"):  # the demo village, from in 2 hours for 6
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        out.update(place=FOCUS_VILLAGE, starts_at=(now + dt.timedelta(hours=2)).isoformat(),
                   ends_at=(now + dt.timedelta(hours=8)).isoformat(), slots=100)
        if "version" in body:
            out["version"] = 1  # the fresh call _path_values made
    if template == "/lectures/courses":  # a course of the county itself
        out["place"] = COUNTY_CODE
    if template == "/lectures/courses/{cid}" and getattr(world, "_lc_fresh", None):  # the fresh course of
        cur = world.ok("GET", f"/api/lectures/courses/{world._lc_fresh}", role="county_admin")  # _path_values
        out.update(status="draft", videos=[v["id"] for v in cur["videos"]], version=cur["version"])
    if template == "/lectures/courses/{cid}/videos/uploads/{upload_id}/complete":
        out["parts"] = world.lecture_parts
    if template == "/lectures/videos/{vid}/progress":
        out["ranges"] = [[0, 5]]
    if template == "/lectures/videos/{vid}/comments":
        out.pop("reply_to", None)
    if template == "/lectures/courses/{cid}/videos/uploads":
        out.update(content_type="video/mp4", size=1000, duration_s=60)
    if template == "/volunteers/calls/{cid}/hours":
        _vol_call(world)
        out.update(signup=world._vol_signup["id"], hours=2)
    if template in ("/auth/refresh", "/auth/signout") and "refresh_token" in body:
        out["refresh_token"] = world.throwaway_refresh_token()
    if template == "/auth/token" and "code" in body and (sent := world.sign_in_code()):
        out["phone"], out["code"] = sent
        return out
    if isinstance(body.get("households"), list):
        out["households"] = [hh["id"]]
    for key, value in (("grid", GRID), ("place", GRID), ("village", FOCUS_VILLAGE), ("tenant", COUNTY_CODE)):
        if key in body and key not in out:  # an operation's own aim above wins
            out[key] = value
    if "code" in body and "code" not in out:  # an operation's own aim above wins
        out["code"] = {"/links": world.invite_code, "/passes/scan": lambda: world.pass_()["code"],
                       "/places": world.new_place_code, "/counties": new_county_code,
                       "/volunteers/calls/{cid}/checkins": lambda: _vol_code(world),
                       "/volunteers/calls/{cid}/checkouts": lambda: _vol_code(world)}.get(template, lambda: None)()
    for key in ("phone", "admin_phone"):
        if key in body and template in ("/staff", "/counties", "/auth/code"):
            out[key] = new_phone()
    return {k: v for k, v in out.items() if v is not None}


def aim(world: FuzzWorld, case, template: str) -> None:
    """Swap a share of the generated identifiers in the valid parts of a case for real ones."""
    method = case.operation.method.upper()
    if (method, template) == ("DELETE", "/recruitment/profile/video"):  # something to delete: a video uploaded
        uid = _video_upload(world, put=True)
        world.ok("POST", f"/api/recruitment/profile/video/uploads/{uid}/complete", {"parts": world.video_parts},
                 role="villager")
    if case.path_parameters and _positive(case, ParameterLocation.PATH) and (
            _fill(case.path_parameters) or (method, template) in ALWAYS_REAL_PATH
            or template.startswith(ALWAYS_REAL_PATH_UNDER)):
        real = (_georeport_path(world, template, case.path_parameters) if _georeport(template)
                else _path_values(world, method, template))
        case.path_parameters = {**case.path_parameters, **real}
    if case.query and _positive(case, ParameterLocation.QUERY) and (
            _fill(case.query) or (method, template) in ALWAYS_REAL_QUERY):
        real = _query_values(world, template)
        case.query = {k: real.get(k, _printable(v)) for k, v in case.query.items()}
    if isinstance(case.body, dict) and _positive(case, ParameterLocation.BODY) and (
            _fill(case.body) or (method, template) in ALWAYS_REAL_BODY):
        case.body = _printable(case.body)
        if _georeport(template):
            case.body = _georeport_form(world, case.body)
        else:
            case.body = {**case.body, **_body_values(world, method, template, case.body)}


STATUSES: dict[tuple[str, str], collections.Counter] = {}  # what each operation answered, for the last test
REFUSALS: dict[tuple[str, str], str] = {}  # the last 4xx answer to a wholly valid case, to say why in the last test
# Operations that cannot answer 2xx, and why (the last test still wants them called).
NEVER_2XX = {("GET", "/open311/v2/tokens/{token}"): "GeoReport tokens: requests are filed at once and no token is "
                                                    "ever issued, so it always answers 404 (the spec's error array)"}


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
    if 400 <= response.status_code < 500 and all(_positive(case, loc) for loc in ParameterLocation):
        REFUSALS[route] = f"{response.status_code} {response.text[:300]} (sent {case.path_parameters} " \
                          f"{case.query} {str(case.body)[:300]})"




def test_every_operation_was_carried_out():
    """The fuzzer got past validation and lookups into the handlers: each operation answered 2xx at least once."""
    only = re.compile(os.environ.get("CQT_FUZZ_ONLY") or "")
    operations = {(m.upper(), p.removeprefix("/api")) for p, ops in schema.raw_schema["paths"].items() for m in ops
                  if only.search(p)}
    if set(STATUSES) != operations:
        pytest.skip("the fuzzing test ran for only some of the operations")
    never = sorted(f"{m} {p}: {dict(STATUSES[m, p])}; last refusal of a valid case: {REFUSALS.get((m, p))}"
                   for m, p in operations if (m, p) not in NEVER_2XX
                   and not any(200 <= status < 300 for status in STATUSES[m, p]))
    assert not never, "operations that never succeeded (aim them at real objects in aim()):\n" + "\n".join(never)
