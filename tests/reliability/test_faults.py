"""Faults of AWS dependencies: throttling and 5xx of DynamoDB, S3 and SNS, injected at the botocore seam
(tests/reliability `aws_calls`) as the ClientError botocore raises once its own retries are spent.

For every creating route (tests/reliability/test_concurrency.py READ_BACKS: household, member, invite, link, import,
pass, place, daily report, staff, tip-off, county, alert subscription; and the Open311 GeoReport filings, whose
503 is the spec's error array), and for household edits and sign-in codes:
- the first read of the app's tables fails, then each of the route's DynamoDB writes fails in turn (the 1st, the
  2nd... until a run has no write left to fail): each time the caller gets 503 with Retry-After in the error
  envelope, nothing of the attempt is left behind (the route's read-back is as before), and a retry with the same
  Idempotency-Key after the fault clears succeeds exactly once (the read-back shows one record);
- S3 (import), SNS (alert subscription, sign-in SMS) and the idempotency store itself failing likewise;
- an import of two households whose second write fails leaves neither (its compensation), counters unchanged.
"""

from __future__ import annotations

import uuid

import pytest
from chalice.test import Client

from tests.conftest import Api, new_phone, unique_id_number
from tests.reliability import WRITES, Answer, Fault, Lambda, aws_calls
from tests.reliability.test_concurrency import (
    FORM,
    OPEN311_FILING,
    READ_BACKS,
    World,
    _creating,
    _document,
    _grid_state,
    open311_answer,
    open311_filed,
    open311_filing,
    open311_problems,
)
from tests.security.test_isolation import CASES

READS = frozenset({"GetItem", "Query", "BatchGetItem", "Scan", "TransactGetItems"})
# A fault can come back as any of these (throttling, or the service failing).
DYNAMODB_FAULTS = [("ProvisionedThroughputExceededException", 400), ("ThrottlingException", 400),
                   ("InternalServerError", 500), ("RequestLimitExceeded", 400)]
# Routes whose later writes (a notice in the inbox) follow the record itself: after their fault the record may be
# there already, and the retry must complete it without a second one.
RECORD_FIRST = {("POST", "/links"): "the inbox notice is written after the link",
                ("POST", "/staff"): "the SMS and the inbox notice follow the grant"}


@pytest.fixture(scope="module")
def world(app, operator):
    with Client(app) as c:
        yield World(Api(c))


@pytest.fixture(scope="module")
def lam(app):
    return Lambda(app)


def _idempotency_table() -> str:
    from chalicelib.core.config import settings

    return settings().idempotency_table


def _app_tables() -> set[str]:
    from chalicelib.core.config import settings

    s = settings()
    return {s.households_table, s.submissions_table}


def _unavailable(a: Answer) -> list[str]:
    out = []
    if a.status != 503:
        out.append(f"status {a.status}, want 503: {a.show()}")
        return out
    if not (a.headers.get("retry-after") or "").isdigit():
        out.append(f"no Retry-After header: {a.headers}")
    if not (isinstance(a.json, dict) and set(a.json) == {"error"} and a.error_code() == "service_unavailable"):
        out.append(f"not the error envelope with service_unavailable: {a.show()}")
    return out


class AppTableFault(Fault):
    """A fault on calls touching the app's tables only (not the idempotency store)."""

    def matches(self, service, operation, params):
        from tests.reliability import _tables

        return super().matches(service, operation, params) and bool(_tables(params) & _app_tables())


def _status(route) -> int:
    return int(next(s for s in _creating(_document())[route]["responses"] if s.startswith("2")))


@pytest.mark.parametrize("route", sorted(READ_BACKS), ids=[f"{m} {p}" for m, p in sorted(READ_BACKS)])
def test_each_dynamodb_call_failing_in_turn(world, lam, route, monkeypatch):
    from chalicelib.datarights import service as datarights

    # every call failing in turn is an export retried: more than a county's 3 a day (the limit is not under test)
    monkeypatch.setattr(datarights, "EXPORTS_PER_DAY", 10**6)
    method, _ = route
    case, check = CASES[route], READ_BACKS[route]
    status = _status(route)
    problems: list[str] = []
    plans = [("the first read", READS, 0)] + [(f"write #{k + 1}", WRITES, k) for k in range(10)]
    for n, (label, ops, skip) in enumerate(plans):
        code, http = DYNAMODB_FAULTS[n % len(DYNAMODB_FAULTS)]
        fault = AppTableFault("dynamodb", ops, code=code, status=http, skip=skip)
        path, body = case.build(world.c)
        token = world.token(case.owner)  # after the build: some builders make their owner (an employer, a seeker)
        before = check.before(world, path, body)
        headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
        with aws_calls() as calls:
            calls.fail(fault)
            a = lam.request(method, path, body, token=token, headers=headers)
        where = f"{label} failing ({code})"
        if not fault.fired or a.status == status:
            # No such call (a clean run), or the route retried the call itself: one record, as always.
            if a.status != status:
                problems.append(f"{where if fault.fired else 'clean run'}: {a.show()}")
            else:
                problems += [f"{where if fault.fired else 'clean run'}: {p}"
                             for p in check.problems(world, path, body, a.json, before)]
            if not fault.fired and ops is WRITES:
                break
            continue
        problems += [f"{where}: {p}" for p in _unavailable(a)]
        if route not in RECORD_FIRST or label == "the first read":
            after = check.before(world, path, body)
            if after != before:
                problems.append(f"{where}: left a partial write behind: {before} -> {after}")
        retry = lam.request(method, path, body, token=token, headers=headers)
        if retry.status != status:
            problems.append(f"{where}: the retry with the same key got {retry.show()}")
            continue
        problems += [f"{where}, then the retry: {p}" for p in check.problems(world, path, body, retry.json, before)]
    else:
        pytest.fail(f"{method}: more than 10 writes?")
    assert not problems, f"{method} {route[1]}:\n  " + "\n  ".join(problems)


def _unavailable_open311(route, a: Answer) -> list[str]:
    """503 with Retry-After, as the spec's error array in the route's format."""
    if a.status != 503:
        return [f"status {a.status}, want 503: {a.show()}"]
    out = [] if (a.headers.get("retry-after") or "").isdigit() else [f"no Retry-After header: {a.headers}"]
    _, errors = open311_answer(route, a)
    if not (errors and all(e.get("code") == 503 and e.get("description") for e in errors)):
        out.append(f"not the spec's error array with code 503: {a.show()}")
    return out


@pytest.mark.parametrize("route", sorted(OPEN311_FILING), ids=[f"{m} {p}" for m, p in sorted(OPEN311_FILING)])
def test_each_dynamodb_call_failing_in_turn_open311(world, lam, route):
    """As test_each_dynamodb_call_failing_in_turn, for a GeoReport client's filing (form-encoded, its API key, no
    token). Its last write (when the key was last used, at most every few minutes) may fail without failing the
    filing: then the answer is 201 and the case is there once."""
    method, _ = route
    problems: list[str] = []
    plans = [("the first read", READS, 0)] + [(f"write #{k + 1}", WRITES, k) for k in range(10)]
    for n, (label, ops, skip) in enumerate(plans):
        code, http = DYNAMODB_FAULTS[n % len(DYNAMODB_FAULTS)]
        fault = AppTableFault("dynamodb", ops, code=code, status=http, skip=skip)
        path, body = open311_filing(world, route)
        before = open311_filed(world, body)
        headers = {**FORM, "Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
        with aws_calls() as calls:
            calls.fail(fault)
            a = lam.request(method, path, raw=body, headers=headers)
        where = f"{label} failing ({code})" if fault.fired else "clean run"
        if not fault.fired or a.status == 201:
            if a.status != 201:
                problems.append(f"{where}: {a.show()}")
            else:
                ref = open311_answer(route, a)[0]
                problems += [f"{where}: {p}" for p in open311_problems(world, body, ref, before)]
            if not fault.fired and ops is WRITES:
                break
            continue
        problems += [f"{where}: {p}" for p in _unavailable_open311(route, a)]
        after = open311_filed(world, body)
        if after != before:
            problems.append(f"{where}: left a partial write behind: {before} -> {after}")
        retry = lam.request(method, path, raw=body, headers=headers)
        if retry.status != 201:
            problems.append(f"{where}: the retry with the same key got {retry.show()}")
            continue
        problems += [f"{where}, then the retry: {p}"
                     for p in open311_problems(world, body, open311_answer(route, retry)[0], before)]
    else:
        pytest.fail(f"{method}: more than 10 writes?")
    assert not problems, f"{method} {route[1]}:\n  " + "\n  ".join(problems)


def test_the_idempotency_store_failing(world, lam):
    """Powertools cannot record the request: 503 before anything is written, and the retry goes through."""
    route = ("POST", "/households")
    case, check = CASES[route], READ_BACKS[route]
    path, body = case.build(world.c)
    before = check.before(world, path, body)
    headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
    fault = Fault("dynamodb", frozenset({"PutItem"}), code="InternalServerError", status=500,
                  table=_idempotency_table())
    with aws_calls() as calls:
        calls.fail(fault)
        a = lam.request("POST", path, body, token=world.token(case.owner), headers=headers)
    assert fault.fired == 1
    assert not _unavailable(a), _unavailable(a)
    assert check.before(world, path, body) == before
    retry = lam.request("POST", path, body, token=world.token(case.owner), headers=headers)
    assert retry.status == 201, retry.show()
    assert check.problems(world, path, body, retry.json, before) == []


def test_household_edit_failing_leaves_the_household_as_it_was(world, lam):
    from chalicelib.households.models import Household

    case = CASES[("PUT", "/households/{hid}")]
    path, body = case.build(world.c)
    hid = path.rsplit("/", 1)[1]
    token = world.token(case.owner)
    stored = Household.get(*Household.keys(world.c.code, hid), consistent_read=True)
    for code, http in DYNAMODB_FAULTS:
        fault = AppTableFault("dynamodb", WRITES, code=code, status=http)
        with aws_calls() as calls:
            calls.fail(fault)
            a = lam.request("PUT", path, body, token=token)
        assert fault.fired == 1 and not _unavailable(a), (code, _unavailable(a))
        now = Household.get(*Household.keys(world.c.code, hid), consistent_read=True)
        assert (now.address, now.version, now.updated_at) == (stored.address, stored.version, stored.updated_at)
    a = lam.request("PUT", path, body, token=token)
    assert a.status == 200 and a.json["address"] == body["address"], a.show()
    now = Household.get(*Household.keys(world.c.code, hid), consistent_read=True)
    assert now.address == body["address"] and now.version == stored.version + 1


def test_the_in_progress_mark_not_removed_at_first_after_a_failure(world, lam):
    """The household's write fails and so does removing the request's in-progress mark: 503, and the app removes
    the mark on a second try, so the retry with the same key goes through at once (not "in progress")."""
    route = ("POST", "/households")
    case, check = CASES[route], READ_BACKS[route]
    path, body = case.build(world.c)
    before = check.before(world, path, body)
    token = world.token(case.owner)
    headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
    faults = (AppTableFault("dynamodb", frozenset({"TransactWriteItems"}), code="InternalServerError", status=500),
              Fault("dynamodb", frozenset({"DeleteItem"}), code="ThrottlingException", table=_idempotency_table()))
    with aws_calls() as calls:
        calls.fail(*faults)
        a = lam.request("POST", path, body, token=token, headers=headers)
    assert [f.fired for f in faults] == [1, 1]
    assert not _unavailable(a), _unavailable(a)
    assert check.before(world, path, body) == before
    retry = lam.request("POST", path, body, token=token, headers=headers)
    assert retry.status == 201, retry.show()
    assert check.problems(world, path, body, retry.json, before) == []


# --- S3 and SNS --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("operation,code,http", [("HeadObject", "InternalError", 500),
                                                 ("GetObject", "SlowDown", 503),
                                                 ("GetObject", "ServiceUnavailable", 503)])
def test_import_with_s3_failing(world, lam, operation, code, http):
    route = ("POST", "/imports")
    case, check = CASES[route], READ_BACKS[route]
    path, body = case.build(world.c)
    before = check.before(world, path, body)
    token = world.token(case.owner)
    headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
    fault = Fault("s3", frozenset({operation}), code=code, status=http)
    with aws_calls() as calls:
        calls.fail(fault)
        a = lam.request("POST", path, body, token=token, headers=headers)
    assert fault.fired == 1 and not _unavailable(a), _unavailable(a)
    assert check.before(world, path, body) == before
    retry = lam.request("POST", path, body, token=token, headers=headers)
    assert retry.status == 201, retry.show()
    assert check.problems(world, path, body, retry.json, before) == []


@pytest.mark.parametrize("code,http", [("Throttled", 429), ("InternalError", 500)])
def test_alert_subscription_with_sns_failing(world, lam, code, http):
    from tests.reliability.test_concurrency import _subscriptions

    route = ("POST", "/alerts/subscriptions")
    case, check = CASES[route], READ_BACKS[route]
    path, body = case.build(world.c)
    token = world.token(case.owner)
    headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
    fault = Fault("sns", frozenset({"Subscribe"}), code=code, status=http)
    with aws_calls() as calls:
        calls.fail(fault)
        a = lam.request("POST", path, body, token=token, headers=headers)
    assert fault.fired == 1 and not _unavailable(a), _unavailable(a)
    assert _subscriptions(body) == 0
    retry = lam.request("POST", path, body, token=token, headers=headers)
    assert retry.status == 201, retry.show()
    assert check.problems(world, path, body, retry.json, None) == []


def _challenge(phone: str):
    from chalicelib.core import pii
    from chalicelib.core.auth.models import OtpChallenge

    try:
        c = OtpChallenge.get(*OtpChallenge.keys(pii.blind_index("phone", phone)), consistent_read=True)
    except OtpChallenge.DoesNotExist:
        return None
    return c.code_hash, c.issued_at, c.sent_today


def _codes_sent(phone: str) -> int:
    from chalicelib.core.notify import OutboxSender, sms

    sender = sms()
    assert isinstance(sender, OutboxSender)
    return len(sender.messages(phone))


@pytest.mark.parametrize("skip", [0, 1], ids=["rate counter write failing", "challenge write failing"])
def test_sign_in_code_with_dynamodb_failing(lam, skip):
    phone = new_phone()
    fault = AppTableFault("dynamodb", WRITES, code="ProvisionedThroughputExceededException", skip=skip)
    with aws_calls() as calls:
        calls.fail(fault)
        a = lam.request("POST", "/auth/code", {"phone": phone})
    assert fault.fired == 1 and not _unavailable(a), _unavailable(a)
    assert _challenge(phone) is None and _codes_sent(phone) == 0
    retry = lam.request("POST", "/auth/code", {"phone": phone})
    assert retry.status == 202, retry.show()
    assert _challenge(phone) is not None and _codes_sent(phone) == 1


@pytest.mark.parametrize("code,http", [("Throttled", 429), ("InternalError", 500)])
def test_sign_in_code_with_sns_sms_failing(lam, code, http):
    """The SMS could not be sent: 503, and the phone may ask again at once (no 429 "code already sent")."""
    from chalicelib.core import notify

    phone = new_phone()
    previous = notify.sms()
    notify.set_sms_sender(notify.SnsSmsSender())
    try:
        fault = Fault("sns", frozenset({"Publish"}), code=code, status=http)
        with aws_calls() as calls:
            calls.fail(fault)
            a = lam.request("POST", "/auth/code", {"phone": phone})
        assert fault.fired == 1 and not _unavailable(a), _unavailable(a)
        assert _challenge(phone) is None, "a challenge whose SMS never left is still there"
        with aws_calls() as calls:
            retry = lam.request("POST", "/auth/code", {"phone": phone})
        assert retry.status == 202, retry.show()
        assert calls.log.count(("sns", "Publish")) == 1
        assert _challenge(phone) is not None
    finally:
        notify.set_sms_sender(previous)


def test_sign_in_code_sms_failing_again_puts_back_the_previous_challenge(lam):
    """A resend whose SMS fails leaves the earlier code (and the day's count) as it was."""
    import datetime as dt

    from chalicelib.core import clock, notify

    phone = new_phone()
    assert lam.request("POST", "/auth/code", {"phone": phone}).status == 202
    first = _challenge(phone)
    previous = notify.sms()
    clock.set_clock(clock.FrozenClock(clock.now() + dt.timedelta(seconds=120)))  # past the resend wait
    notify.set_sms_sender(notify.SnsSmsSender())
    try:
        with aws_calls() as calls:
            calls.fail(Fault("sns", frozenset({"Publish"}), code="Throttled", status=429))
            a = lam.request("POST", "/auth/code", {"phone": phone})
        assert not _unavailable(a), _unavailable(a)
        assert _challenge(phone) == first
    finally:
        notify.set_sms_sender(previous)
        clock.set_clock(clock.Clock())


# --- a fault in the middle of a multi-call write ---------------------------------------------------------------------

def test_an_import_whose_second_household_fails_leaves_neither(world, lam):
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    c = world.c
    path, body = CASES[("POST", "/imports")].build(c)
    ids = [unique_id_number(c.code) for _ in range(3)]
    refs = [f"FLT{uuid.uuid4().hex[:6]}", f"FLT{uuid.uuid4().hex[:6]}"]
    csv = ("户编号,网格编码,地址,姓名,与户主关系,身份证号\n"
           f"{refs[0]},{c.grid},故障1号,故障户主甲,户主,{ids[0]}\n"
           f"{refs[0]},{c.grid},故障1号,故障成员,子女,{ids[1]}\n"
           f"{refs[1]},{c.grid},故障2号,故障户主乙,户主,{ids[2]}\n")
    client("s3").put_object(Bucket=settings().media_bucket, Key=body["key"], Body=csv.encode("utf-8"),
                            ContentType="text/csv")
    token = world.token("county_admin")
    headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
    before = _grid_state(world)
    fault = AppTableFault("dynamodb", frozenset({"TransactWriteItems"}), code="InternalServerError", status=500,
                          skip=1)
    with aws_calls() as calls:
        calls.fail(fault)
        a = lam.request("POST", path, body, token=token, headers=headers)
    assert fault.fired == 1 and not _unavailable(a), _unavailable(a)
    assert calls.log.count(("dynamodb", "TransactWriteItems")) >= 3, "the first household was not undone"
    assert _grid_state(world) == before, "the first household of the failed import is still there"
    retry = lam.request("POST", path, body, token=token, headers=headers)
    assert retry.status == 201 and retry.json["created"] == 2, retry.show()  # its ID numbers were released too
    assert _grid_state(world) == (before[0] + 2, before[1] + 2)


@pytest.mark.parametrize("times", [1, 2], ids=["once", "twice"])
def test_recording_the_answer_failing_after_the_work_is_done(world, lam, times):
    """The tip-off is filed but Powertools cannot mark the request completed: the caller still gets the answer (a
    503 would invite a retry that, once the in-progress mark lapses, files it twice). The app tries to record it
    once more: then a retry with the same key gets the same answer; if that fails too, the retry is told the
    request is in progress (until the mark lapses) — never a second tip-off."""
    route = ("POST", "/tipoffs")
    case, check = CASES[route], READ_BACKS[route]
    path, body = case.build(world.c)
    token = world.token(case.owner)
    before = check.before(world, path, body)
    headers = {"Idempotency-Key": f"fault-{uuid.uuid4().hex}"}
    fault = Fault("dynamodb", frozenset({"UpdateItem"}), code="ProvisionedThroughputExceededException",
                  table=_idempotency_table(), times=times)
    with aws_calls() as calls:
        calls.fail(fault)
        a = lam.request("POST", path, body, token=token, headers=headers)
    assert fault.fired == times
    assert a.status == 201, a.show()
    assert check.problems(world, path, body, a.json, before) == []
    retry = lam.request("POST", path, body, token=token, headers=headers)
    if times == 1:
        assert retry.status == 201 and retry.json == a.json, retry.show()
    else:
        assert retry.status == 409 and retry.error_code() == "request_in_progress", retry.show()
    assert check.problems(world, path, body, a.json, before) == []
