"""Test wiring: one embedded AWS (moto's server on 127.0.0.1) for the session, provisioned from the same
definitions as `make run`, and the Chalice app driven through chalice.test.Client with its authorizer.

The environment is set here, before any project module is imported, because configuration is read once.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.aws import EmbeddedAws, configure_env  # noqa: E402

_TMP = Path(tempfile.mkdtemp(prefix="cqt-tests-"))
_AWS = EmbeddedAws()
configure_env(_AWS.port)
os.environ.update({
    "CQT_SMS_OUTBOX": str(_TMP / "sms-outbox.jsonl"),
    "CQT_OTP_PER_CLIENT_PER_HOUR": "1000000",  # every test signs in from 127.0.0.1; one test lowers it
    "CQT_TENANT_CACHE_SECONDS": "0",
    "POWERTOOLS_METRICS_NAMESPACE": "Cunqingtong",
    # Every answer is checked against its route's response model (chalicelib/core/http.py check_answer): a
    # missing or undeclared field, or a value the model would change, fails the test with a 500.
    "CQT_STRICT_RESPONSES": "1",
})


@pytest.fixture(scope="session")
def aws():
    _AWS.start()
    from chalicelib.core.config import settings
    from devstack.provision import provision

    _AWS.ensure_kms_key(settings().pii_key_id)
    provision()
    yield _AWS
    _AWS.stop()


@pytest.fixture(scope="session")
def app(aws):
    from devstack.gateway import patch_local_authorizer

    patch_local_authorizer()
    import app as app_module

    return app_module.app


@pytest.fixture(scope="session")
def event_runner(app):
    from devstack.events import EventRunner

    return EventRunner(app)


@pytest.fixture
def events(event_runner, monkeypatch):
    """The local event runner: `events.drain()` runs the stream handlers on everything written so far,
    `events.tick()` the scheduled handlers. Scheduled jobs fan out only to the counties this test made (with
    new_county_code): the session's embedded AWS holds every earlier test's counties, and a tick over hundreds of
    them is minutes of work that no assertion looks at."""
    from chalicelib.core import counties

    first, every = _first_of_test[0], counties.active_with

    def active_with(module: str | None) -> list:
        mine = set(_issued[first:])
        return [c for c in every(module) if c.code in mine]

    monkeypatch.setattr(counties, "active_with", active_with)
    return event_runner


@pytest.fixture
def client(app):
    from chalice.test import Client

    with Client(app) as c:
        yield Api(c)


# --- helpers --------------------------------------------------------------------------------------------------

_used_phones: set[str] = set()
_used_counties: set[str] = set()


def new_phone() -> str:
    while True:
        p = "1" + random.choice("3578") + "".join(random.choice("0123456789") for _ in range(9))
        if p not in _used_phones and not p.startswith("1390000"):
            _used_phones.add(p)
            return p


def new_county_code() -> str:
    while True:
        province = random.choice([33, 35, 36, 41, 43, 51, 52, 53])
        code = f"{province}{random.randint(1, 99):02d}{random.randint(1, 99):02d}"
        if code not in _used_counties:
            _used_counties.add(code)
            _issued.append(code)
            return code


_issued: list[str] = []  # every county code new_county_code gave in this process, in order
_first_of_test = [0]  # the index in _issued of the running test's first code


@pytest.fixture(autouse=True)
def _counties_of_this_test():
    """Marks where the running test's counties begin (the `events` fixture's jobs reach only those)."""
    _first_of_test[0] = len(_issued)


def id_number(region: str = "330825", birth: str = "19800101", seq: int | None = None) -> str:
    from chalicelib.core.pii import id_check_digit

    s = f"{region}{birth}{seq if seq is not None else random.randint(900, 999):03d}"
    return s + id_check_digit(s)


_id_seq = iter(range(10**6))


def unique_id_number(region: str = "330825") -> str:
    n = next(_id_seq)
    birth = f"19{50 + n % 50:02d}{1 + (n // 50) % 12:02d}{1 + (n // 600) % 28:02d}"
    return id_number(region, birth, 900 + (n // 16800) % 100)


def last_code(phone: str) -> str:
    from chalicelib.core.notify import sms

    msgs = sms().messages(phone)
    assert msgs, f"no SMS for {phone}"
    return re.search(r"\d{6}", msgs[-1]["text"]).group()


class Api:
    """chalice.test.Client with JSON in and out and bearer tokens."""

    def __init__(self, c):
        self.c = c

    def request(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
                raw: bytes | str | None = None):
        h = {"content-type": "application/json"}
        if token:
            h["authorization"] = f"Bearer {token}"
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False) if body is not None else None)
        r = self.c.http.request(method, path, headers=h, body=data)
        r.json = json.loads(r.body) if r.body and r.body[:1] in (b"{", b"[") else None
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def sign_in(self, phone: str, tenant: str | None = None) -> dict:
        r = self.post("/auth/code", {"phone": phone})
        assert r.status_code == 202, r.json
        body = {"phone": phone, "code": last_code(phone)}
        if tenant:
            body["tenant"] = tenant
        r = self.post("/auth/token", body)
        assert r.status_code == 200, r.json
        return r.json


def demo_session(tenant: str, phone: str) -> dict:
    """A session of an existing account opened directly (as sign-in would), without an SMS code: tests of the
    seeded demo county sign its people in without the code's 60-second resend limit on a shared phone."""
    from chalicelib.core.auth import service as auth

    user = auth.find_user_by_phone(tenant, phone)
    assert user is not None, phone
    return auth.session_for(user, tenant)


OPERATOR_PHONE = "13900009999"


@pytest.fixture(scope="session")
def operator(app):
    """A platform operator, registered directly (as the deployment's bootstrap does)."""
    from chalicelib.core.auth import service as auth
    from chalicelib.core.tenancy import PLATFORM_OPERATOR, Grant

    auth.add_grants("platform", OPERATOR_PHONE, "测试运营", [Grant(PLATFORM_OPERATOR, "*")], invited_by="test")
    return OPERATOR_PHONE


class County:
    """A county with one township, one village, two grids and staff at each level; tokens per role."""

    def __init__(self, api: Api, operator_token: str):
        self.api = api
        self.code = new_county_code()
        self.township = self.code + "001"
        self.village = self.township + "201"
        self.grid = self.village + "G01"
        self.grid2 = self.village + "G02"
        self.admin_phone = new_phone()
        r = api.post("/counties", {"code": self.code, "name": f"测试县{self.code}", "admin_phone": self.admin_phone,
                                   "admin_name": "县管理员"}, token=operator_token)
        assert r.status_code == 201, r.json
        self.tokens = {"county_admin": api.sign_in(self.admin_phone, self.code)["access_token"]}
        admin = self.tokens["county_admin"]
        for code, name in ((self.township, "测试街道"), (self.village, "测试村"), (self.grid, "第一网格"),
                           (self.grid2, "第二网格")):
            r = api.post("/places", {"code": code, "name": name}, token=admin)
            assert r.status_code == 201, r.json
        self.phones = {"county_admin": self.admin_phone}
        for role, place in (("township_official", self.township), ("village_admin", self.village),
                            ("grid_worker", self.grid), ("epidemic_command", self.code)):
            self.add_staff(role, place)

    def add_staff(self, role: str, place: str) -> str:
        phone = new_phone()
        r = self.api.post("/staff", {"phone": phone, "name": f"测试{role}", "role": role, "place": place},
                          token=self.tokens["county_admin"])
        assert r.status_code == 201, r.json
        self.phones[role] = phone
        self.tokens[role] = self.api.sign_in(phone, self.code)["access_token"]
        return self.tokens[role]

    def household(self, grid: str | None = None, members: int = 2, token: str | None = None) -> dict:
        ms = [{"name": "户主甲", "relation": "户主", "id_number": unique_id_number(self.code), "phone": new_phone()}]
        ms += [{"name": f"成员{i}", "relation": "子女", "id_number": unique_id_number(self.code)}
               for i in range(members - 1)]
        r = self.api.post("/households", {"grid": grid or self.grid, "address": "测试村1号", "members": ms},
                          token=token or self.tokens["grid_worker"])
        assert r.status_code == 201, r.json
        return r.json

    def villager(self, hid: str) -> tuple[str, dict]:
        """A villager who links to `hid`; returns (phone, session)."""
        inv = self.api.post(f"/households/{hid}/invites", {}, token=self.tokens["grid_worker"])
        assert inv.status_code == 201, inv.json
        phone = new_phone()
        ident = self.api.sign_in(phone)
        r = self.api.post("/links", {"code": inv.json["code"]}, token=ident["access_token"])
        assert r.status_code == 200, r.json
        return phone, r.json


_operator_session: dict = {}


def operator_token_for(api: Api) -> str:
    """The operator signs in once and the token is reused for 10 minutes (a code can be re-sent after 60 s)."""
    import time

    if time.monotonic() - _operator_session.get("at", -1e9) > 600:
        _operator_session.update(token=api.sign_in(OPERATOR_PHONE, "platform")["access_token"], at=time.monotonic())
    return _operator_session["token"]


@pytest.fixture
def operator_token(client, operator):
    return operator_token_for(client)


@pytest.fixture
def county(client, operator_token):
    return County(client, operator_token)


@pytest.fixture
def other_county(client, operator_token):
    return County(client, operator_token)


@contextlib.contextmanager
def dynamodb_calls():
    """The DynamoDB operations the app's models send while the block runs (both tables; transactions go through
    core.db's own connection and are not counted). The patch is on the connection instance and is *removed* on
    exit: restoring it by assignment would leave the bound method shadowing the class's, and a later test's patch of
    the class would then count nothing."""
    from chalicelib.core.db import HouseholdsItem, SubmissionsItem

    calls: list[str] = []
    conns = {id(c): c for c in (HouseholdsItem._get_connection().connection,
                                SubmissionsItem._get_connection().connection)}
    saved = []
    for conn in conns.values():
        had = "dispatch" in vars(conn)
        original = conn.dispatch

        def counting(operation, kwargs, *a, _original=original, **kw):
            calls.append(operation)
            return _original(operation, kwargs, *a, **kw)

        saved.append((conn, had, original))
        conn.dispatch = counting
    try:
        yield calls
    finally:
        for conn, had, original in saved:
            if had:
                conn.dispatch = original
            else:
                del conn.dispatch


def xlsx_bytes(rows: list[list]) -> bytes:
    """A one-sheet Excel workbook of these rows, as an office would upload it."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def unique() -> str:
    return uuid.uuid4().hex
