"""Abuse: what stops a guessing attack on sign-in codes, SMS flooding, and uploads larger or other than allowed.

tests/functional/test_signin.py covers each limit once (five wrong tries lock a code, one code a minute, ten a day
per phone, the per-client hourly allowance). Here they are taken as an attacker would: the whole allowance of a
day at one phone, guesses in parallel, guesses at many people's codes from one client; SMS to one person through
every sender; and the upload form posted straight to S3 (the embedded one, whose POST-policy checks are
devstack/moto_patches.s3_post_policy) with the file, the type, the time or the policy changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import threading
import uuid

import pytest
import requests

from chalicelib.core import clock
from chalicelib.core.clock import SHANGHAI, Clock, FrozenClock
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest
from chalicelib.core.notify import sms
from tests.conftest import last_code, new_phone

# Days of their own for the rate-limit windows, clear of today and of test_signin.py's (40, 43, 46 ...).
_DAY = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=401)


@pytest.fixture
def frozen():
    c = FrozenClock(dt.datetime.combine(_DAY, dt.time(9), SHANGHAI).astimezone(dt.UTC))
    clock.set_clock(c)
    yield c
    clock.set_clock(Clock())


def _code_of(r) -> str:
    return (r.json or {}).get("error", {}).get("code", "")


def _guess(client, phone: str, code: str):
    return client.post("/auth/token", {"phone": phone, "code": code})


def _wrong_codes(right: str):
    """The attacker's sweep of the 6-digit space, from 000000 up (never the right one: that would end the sweep)."""
    n = 0
    while True:
        guess = f"{n:06d}"
        n += 1
        if guess != right:
            yield guess


# --- guessing sign-in codes ----------------------------------------------------------------------------------

def test_a_day_of_guessing_at_one_phone_gets_tries_per_code_times_codes_per_day(client, frozen):
    """Every code the attacker can have sent in a day locks after its tries; then no code comes until tomorrow. The
    right code is refused once its code is locked, and the day's evaluated guesses are exactly the product."""
    s = settings()
    phone = new_phone()
    evaluated = locked = 0
    right = None
    for n in range(s.otp_per_phone_per_day):
        assert client.post("/auth/code", {"phone": phone}).status_code == 202, n
        right = last_code(phone)
        sweep = _wrong_codes(right)
        while True:
            r = _guess(client, phone, next(sweep))
            assert r.status_code == 400, r.json
            if _code_of(r) == "otp_locked":
                locked += 1
                break
            assert _code_of(r) == "otp_wrong", r.json
            evaluated += 1
        r = _guess(client, phone, right)
        assert r.status_code == 400 and _code_of(r) == "otp_locked", r.json
        frozen.advance(seconds=s.otp_resend_after + 1)
    assert evaluated == s.otp_max_tries * s.otp_per_phone_per_day == 50
    assert locked == s.otp_per_phone_per_day
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == 429 and _code_of(r) == "otp_daily_limit"
    for guess in ("000000", "123456", right):
        assert _code_of(_guess(client, phone, guess)) == "otp_locked"
    assert len(sms().messages(phone)) == s.otp_per_phone_per_day


def test_a_locked_code_stays_locked_until_a_new_one_is_sent_and_that_one_starts_afresh(client, frozen):
    """A lock belongs to the code: asking again within the minute neither unlocks it nor sends another; the next
    code (after the minute) is a new secret with its own tries, and the old code is worthless."""
    s = settings()
    phone = new_phone()
    assert client.post("/auth/code", {"phone": phone}).status_code == 202
    old = last_code(phone)
    sweep = _wrong_codes(old)
    for _ in range(s.otp_max_tries):
        assert _code_of(_guess(client, phone, next(sweep))) == "otp_wrong"
    frozen.advance(seconds=30)
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == 429 and _code_of(r) == "otp_resend_throttled"
    assert _code_of(_guess(client, phone, old)) == "otp_locked"
    frozen.advance(seconds=s.otp_resend_after)
    assert client.post("/auth/code", {"phone": phone}).status_code == 202
    new = last_code(phone)
    if new != old:
        assert _code_of(_guess(client, phone, old)) == "otp_wrong"
    assert _guess(client, phone, new).status_code == 200


def test_guesses_sent_at_once_get_no_more_tries_than_guesses_one_by_one(client, frozen):
    """The tries of a code bound the guesses however they arrive: 30 wrong guesses at once are 5 evaluated and 25
    refused as locked. (Run against the service, as 30 concurrent Lambda invocations would.)"""
    from chalicelib.core.auth import service

    s = settings()
    phone = new_phone()
    assert client.post("/auth/code", {"phone": phone}).status_code == 202
    sweep = _wrong_codes(last_code(phone))
    guesses = [next(sweep) for _ in range(30)]
    outcomes: list[str] = []
    start = threading.Barrier(len(guesses))

    def guess(code: str) -> None:
        start.wait()
        try:
            service.verify_code(phone, code)
            outcomes.append("signed_in")
        except BadRequest as e:
            outcomes.append(e.code)

    threads = [threading.Thread(target=guess, args=(g,)) for g in guesses]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == len(guesses) and "signed_in" not in outcomes
    assert outcomes.count("otp_wrong") <= s.otp_max_tries, outcomes


def test_one_client_guessing_at_many_peoples_codes_is_bounded_per_hour(client, frozen, monkeypatch):
    """People ask for codes from their own phones; an attacker at one address tries its guesses at each. The
    per-client hourly allowance bounds the codes one client can have *sent*; the guesses one client may make in an
    hour should be bounded as well (here: no more than at the codes it could have had sent itself)."""
    from chalicelib.core.auth import service

    monkeypatch.setenv("CQT_OTP_PER_CLIENT_PER_HOUR", "3")  # the tests' allowance is unbounded otherwise
    settings.cache_clear()
    try:
        s = settings()
        assert s.otp_per_client_per_hour == 3
        victims = [new_phone() for _ in range(8)]
        for i, phone in enumerate(victims):
            service.request_code(phone, client_id=f"victim-{i}")  # each from their own phone
        evaluated = 0
        for phone in victims:
            sweep = _wrong_codes(last_code(phone))
            for _ in range(s.otp_max_tries):
                evaluated += _code_of(_guess(client, phone, next(sweep))) == "otp_wrong"
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert evaluated <= s.otp_per_client_per_hour * s.otp_max_tries, evaluated


# --- SMS flooding ---------------------------------------------------------------------------------------------

def test_one_phone_gets_at_most_one_code_a_minute_however_many_clients_ask(client, frozen):
    """Codes for one phone asked for by many requests at once: one SMS, the rest 429 (the per-phone limit is a
    conditional write, not a read-then-write that concurrent requests slip through)."""
    from chalicelib.core.auth import service
    from chalicelib.core.errors import TooManyRequests

    phone = new_phone()
    outcomes: list[str] = []
    start = threading.Barrier(12)

    def ask(i: int) -> None:
        start.wait()
        try:
            service.request_code(phone, client_id=f"client-{i}")
            outcomes.append("sent")
        except TooManyRequests as e:
            outcomes.append(e.code)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("sent") == 1 and len(outcomes) == 12, outcomes
    assert len(sms().messages(phone)) == 1


def test_a_household_head_gets_one_reminder_a_day_whoever_sends_it(client, county):
    """The reminder SMS is limited per household and day, not per sender: the grid worker after the party member,
    and both again, text the head once."""
    hh = county.household()
    head = next(m for m in hh["members"] if m["relation"] == "户主")["phone"]
    pm_token = county.add_staff("party_member", county.grid)
    pm = client.get("/me", token=pm_token).json["user_id"]
    r = client.post("/party-links", {"member": pm, "households": [hh["id"]]}, token=county.tokens["county_admin"])
    assert r.status_code in (200, 201), r.json
    before = len(sms().messages(head))
    senders = (pm_token, county.tokens["grid_worker"]) * 3
    answers = [client.post("/reports/reminders", {"household": hh["id"]}, token=t) for t in senders]
    assert all(a.status_code == 200 for a in answers), [a.json for a in answers]
    assert [a.json["already"] for a in answers] == [False] + [True] * (len(senders) - 1)
    assert len(sms().messages(head)) - before == 1


# --- uploads refused by S3's policy ---------------------------------------------------------------------------

def _form(client, county, filename: str = "名单.csv") -> dict:
    r = client.post("/imports/uploads", {"kind": "households", "filename": filename},
                    token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return r.json


def _post(form: dict, data: bytes, fields: dict | None = None, filename: str = "名单.csv", headers=None):
    """The browser's form POST, straight to the (embedded) S3."""
    return requests.post(form["url"], data={**form["fields"], **(fields or {})},
                         files={"file": (filename, data, "text/csv")}, headers=headers, timeout=60)


def _s3_error(r) -> str:
    import re

    found = re.search(r"<Code>([^<]+)</Code>", r.text)
    return found.group(1) if found else r.text[:200]


def _objects(county) -> list[str]:
    import boto3

    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=settings().region)
    out = s3.list_objects_v2(Bucket=settings().media_bucket, Prefix=f"{county.code}/")
    return [o["Key"] for o in out.get("Contents", [])]


def _not_uploaded(client, county, key: str) -> bool:
    r = client.post("/imports", {"kind": "households", "key": key}, token=county.tokens["county_admin"])
    return r.status_code == 422 and r.json["error"]["details"][0]["code"] == "not_uploaded"


def test_s3_refuses_what_the_upload_policy_does_not_allow_and_the_app_never_sees_it(client, county):
    refused = []

    form = _form(client, county)
    r = _post(form, b"a" * (form["max_bytes"] + 1))  # one byte over
    assert r.status_code == 400 and _s3_error(r) == "EntityTooLarge", (r.status_code, r.text[:300])
    refused.append(form["key"])

    form = _form(client, county)
    r = _post(form, b"", fields={})  # the policy's range starts at 1 byte
    assert r.status_code == 400 and _s3_error(r) == "EntityTooSmall", (r.status_code, r.text[:300])
    refused.append(form["key"])

    form = _form(client, county)
    r = _post(form, b"name\n", fields={"Content-Type": "text/html"})  # another type than the one signed
    assert r.status_code == 403 and _s3_error(r) == "AccessDenied" and "Content-Type" in r.text, r.text[:300]
    refused.append(form["key"])

    form = _form(client, county)
    other = f"{county.code}/imports/households/{uuid.uuid4().hex}.csv"
    r = _post(form, b"name\n", fields={"key": other})  # another key than the one signed
    assert r.status_code == 403 and _s3_error(r) == "AccessDenied", r.text[:300]
    refused += [form["key"], other]

    form = _form(client, county)
    r = _post(form, b"name\n", fields={"acl": "public-read"})  # a field the policy does not name
    assert r.status_code == 403 and "Extra input fields: acl" in r.text, r.text[:300]
    refused.append(form["key"])

    form = _form(client, county)  # the client rewrites the policy to allow 50 MB: the signature no longer matches
    doc = json.loads(base64.b64decode(form["fields"]["policy"]))
    doc["conditions"] = [["content-length-range", 1, 50 * 2**20] if isinstance(c, list) else c
                         for c in doc["conditions"]]
    forged = base64.b64encode(json.dumps(doc).encode()).decode()
    r = _post(form, b"a" * (form["max_bytes"] + 1), fields={"policy": forged})
    assert r.status_code == 403 and _s3_error(r) == "SignatureDoesNotMatch", r.text[:300]
    refused.append(form["key"])

    there = set(_objects(county))
    assert not there & set(refused), there & set(refused)
    for key in refused:
        assert _not_uploaded(client, county, key), key

    form = _form(client, county)  # the control: exactly max_bytes is inside the range, as in S3
    r = _post(form, b"a" * form["max_bytes"])
    assert r.status_code == 204, (r.status_code, r.text[:300])
    assert form["key"] in _objects(county)


def test_an_expired_upload_form_is_refused(client, county, monkeypatch):
    """The form's policy expires 10 minutes after it was made (a form made 11 minutes ago, by moving the signer's
    clock back); the time a request claims to have been recorded at counts only during a replay."""
    import botocore.auth
    import botocore.signers

    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=11)
    for module in (botocore.signers, botocore.auth):
        monkeypatch.setattr(module, "get_current_datetime", lambda remove_tzinfo=True: past)
    form = _form(client, county)
    monkeypatch.undo()
    expiry = json.loads(base64.b64decode(form["fields"]["policy"]))["expiration"]
    assert dt.datetime.fromisoformat(expiry.replace("Z", "+00:00")) < dt.datetime.now(dt.UTC)
    recorded = {"X-Cqt-Recorded-At": f"{past.replace(tzinfo=dt.UTC).timestamp():.3f}"}
    r = _post(form, b"name\n", headers=recorded)
    assert r.status_code == 403 and "Policy expired" in r.text, r.text[:300]
    assert form["key"] not in _objects(county) and _not_uploaded(client, county, form["key"])
