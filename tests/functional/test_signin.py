"""Sign-in with phone + SMS code, the limits around codes, and the tokens that come out of it.

Everything runs against the embedded AWS through the Chalice test client. Time is moved with the app's injected
clock (chalicelib.core.clock); every test that freezes it gets the real clock back afterwards.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from chalicelib.core import clock
from chalicelib.core.clock import SHANGHAI, Clock, FrozenClock
from chalicelib.core.config import settings
from chalicelib.core.notify import sms
from tests.conftest import last_code, new_phone

# Each test that needs its own rate-limit windows gets its own day, well clear of the real one and of each other.
_days = itertools.count(40, 3)


def _future_day() -> dt.date:
    return dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=next(_days))


def _shanghai(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI).astimezone(dt.UTC)


@pytest.fixture
def freeze():
    """freeze(at=None) -> FrozenClock (default: now, so tokens issued by fixtures stay valid)."""

    def _freeze(at: dt.datetime | None = None) -> FrozenClock:
        c = FrozenClock(at or dt.datetime.now(dt.UTC).replace(microsecond=0))
        clock.set_clock(c)
        return c

    yield _freeze
    clock.set_clock(Clock())


def _header(r, name: str) -> str | None:
    return next((v for k, v in (r.headers or {}).items() if k.lower() == name.lower()), None)


def _error(r) -> dict:
    assert r.json is not None and set(r.json) == {"error"}, r.body
    err = r.json["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err  # messages are for people: Chinese
    return err


def _request(client, phone):
    return client.post("/auth/code", {"phone": phone})


def _token(client, phone, code, tenant=None):
    body = {"phone": phone, "code": code}
    if tenant:
        body["tenant"] = tenant
    return client.post("/auth/token", body)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _invite(client, county, phone, role="grid_worker_part", place=None, name="测试人员"):
    r = client.post("/staff", {"phone": phone, "name": name, "role": role, "place": place or county.grid},
                    token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return r.json


# --- codes ----------------------------------------------------------------------------------------------------

def test_code_is_sent_to_the_outbox_and_signs_in(client):
    phone = new_phone()
    r = _request(client, phone)
    assert r.status_code == 202, r.json
    assert r.json == {"expires_in": 300, "resend_after": 60}
    msgs = sms().messages(phone)
    assert len(msgs) == 1 and re.search(r"验证码是\d{6}", msgs[0]["text"])
    r = _token(client, phone, last_code(phone))
    assert r.status_code == 200, r.json
    assert r.json["token_type"] == "Bearer" and r.json["access_token"] and r.json["expires_in"] == 900


@pytest.mark.parametrize("phone", ["12345678901", "1380000000", "138000000001", "abcdefghijk", "+1 415 555 0100"])
def test_bad_phone_is_422_in_the_error_envelope(client, phone):
    r = _request(client, phone)
    assert r.status_code == 422, r.json
    err = _error(r)
    assert err["code"] == "validation_failed"
    assert [d["field"] for d in err["details"]] == ["phone"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in d["message"]) for d in err["details"])
    assert sms().messages(phone) == []


def test_phone_formats_are_normalised(client):
    phone = new_phone()
    r = _request(client, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}")
    assert r.status_code == 202, r.json
    assert sms().messages(phone)  # the SMS went to the normalised number
    assert _token(client, phone, last_code(phone)).status_code == 200


def test_sign_in_without_a_code_requested_is_400(client):
    r = _token(client, new_phone(), "123456")
    assert r.status_code == 400 and _error(r)["code"] == "otp_missing"


def test_malformed_code_is_422(client):
    phone = new_phone()
    assert _request(client, phone).status_code == 202
    for bad in ("12345", "1234567", "abcdef"):
        r = _token(client, phone, bad)
        assert r.status_code == 422 and _error(r)["code"] == "validation_failed", (bad, r.json)


def test_wrong_code_counts_down_then_locks_even_the_right_code(client):
    phone = new_phone()
    assert _request(client, phone).status_code == 202
    code = last_code(phone)
    for left in (4, 3, 2, 1, 0):
        r = _token(client, phone, _wrong(code))
        assert r.status_code == 400, r.json
        err = _error(r)
        assert err["code"] == "otp_wrong" and err["details"] == {"tries_left": left}
    r = _token(client, phone, code)
    assert r.status_code == 400 and _error(r)["code"] == "otp_locked"
    r = _token(client, phone, _wrong(code))
    assert r.status_code == 400 and _error(r)["code"] == "otp_locked"


def test_code_expires_after_five_minutes(client, freeze):
    c = freeze()
    early, late = new_phone(), new_phone()
    assert _request(client, early).status_code == 202
    assert _request(client, late).status_code == 202
    c.advance(seconds=299)
    assert _token(client, early, last_code(early)).status_code == 200
    c.advance(seconds=2)  # 301 s after it was sent
    r = _token(client, late, last_code(late))
    assert r.status_code == 400 and _error(r)["code"] == "otp_expired"


def test_used_code_cannot_be_used_again(client):
    phone = new_phone()
    assert _request(client, phone).status_code == 202
    code = last_code(phone)
    assert _token(client, phone, code).status_code == 200
    r = _token(client, phone, code)
    assert r.status_code == 400, r.json
    assert _error(r)["code"] in {"otp_used", "otp_expired"}
    assert "access_token" not in (r.json or {})


def test_resend_within_60_seconds_is_429_with_retry_after(client, freeze):
    c = freeze()
    phone = new_phone()
    assert _request(client, phone).status_code == 202
    first = last_code(phone)
    r = _request(client, phone)
    assert r.status_code == 429, r.json
    assert _error(r)["code"] == "otp_resend_throttled"
    assert _header(r, "Retry-After") == "60"
    c.advance(seconds=45)
    r = _request(client, phone)
    assert r.status_code == 429 and _header(r, "Retry-After") == "15"
    assert len(sms().messages(phone)) == 1
    c.advance(seconds=15)
    assert _request(client, phone).status_code == 202
    assert len(sms().messages(phone)) == 2
    second = last_code(phone)
    if second != first:  # the earlier code is replaced by the new one
        r = _token(client, phone, first)
        assert r.status_code == 400 and _error(r)["code"] == "otp_wrong"
    assert _token(client, phone, second).status_code == 200


def test_per_phone_daily_limit(client, freeze):
    day = _future_day()
    c = freeze(_shanghai(day, 10))
    phone = new_phone()
    for i in range(10):
        r = _request(client, phone)
        assert r.status_code == 202, (i, r.json)
        c.advance(seconds=61)
    r = _request(client, phone)
    assert r.status_code == 429, r.json
    assert _error(r)["code"] == "otp_daily_limit"
    assert int(_header(r, "Retry-After")) > 0
    assert len(sms().messages(phone)) == 10
    # A new day (in China) opens a new allowance.
    c.at = _shanghai(day + dt.timedelta(days=1), 0, 1)
    assert _request(client, phone).status_code == 202


def test_daily_limit_retry_after_points_at_the_next_day_in_china(client, freeze):
    """Retry-After must say when the daily allowance really comes back: midnight in Asia/Shanghai."""
    day = _future_day()
    c = freeze(_shanghai(day, 1))  # 01:00 in China, 17:00 UTC the day before
    phone = new_phone()
    for _ in range(10):
        assert _request(client, phone).status_code == 202
        c.advance(seconds=61)
    r = _request(client, phone)
    assert r.status_code == 429 and _error(r)["code"] == "otp_daily_limit"
    retry = int(_header(r, "Retry-After"))
    until_midnight = int(_shanghai(day + dt.timedelta(days=1), 0).timestamp() - c.now().timestamp())
    assert retry == until_midnight, f"Retry-After {retry}s, but the allowance comes back in {until_midnight}s"
    c.advance(seconds=retry)
    assert _request(client, phone).status_code == 202  # a client that honours Retry-After gets through


def test_per_client_hourly_limit(client, freeze, monkeypatch):
    day = _future_day()
    c = freeze(_shanghai(day, 14))  # the start of an hour no other test has used
    monkeypatch.setenv("CQT_OTP_PER_CLIENT_PER_HOUR", "3")
    settings.cache_clear()
    try:
        assert settings().otp_per_client_per_hour == 3
        for _ in range(3):
            assert _request(client, new_phone()).status_code == 202
        c.advance(minutes=10)
        phone = new_phone()
        r = _request(client, phone)
        assert r.status_code == 429, r.json
        assert _error(r)["code"] == "too_many_requests"
        assert _header(r, "Retry-After") == str(50 * 60)
        assert sms().messages(phone) == []
        c.advance(minutes=50)  # the next hour
        assert _request(client, phone).status_code == 202
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert settings().otp_per_client_per_hour == 1000000


# --- tokens ---------------------------------------------------------------------------------------------------

def test_me_with_access_token_and_access_token_expiry(client, county, freeze):
    phone = new_phone()
    _invite(client, county, phone, name="王五")
    c = freeze()
    s = client.sign_in(phone)  # a member of exactly one county: that county is chosen
    assert s["tenant"] == county.code and s["roles"] == ["grid_worker_part"] and s["refresh_token"]
    assert s["memberships"] == [{"tenant": county.code, "name": f"测试县{county.code}"}]
    me = client.get("/me", token=s["access_token"])
    assert me.status_code == 200, me.json
    assert me.json["tenant"] == county.code and me.json["user_id"] == s["user_id"] and me.json["name"] == "王五"
    assert me.json["phone"] == f"{phone[:3]}****{phone[-4:]}"
    assert [(g["role"], g["place"]) for g in me.json["grants"]] == [("grid_worker_part", county.grid)]
    assert client.get("/me").status_code == 401
    assert client.get("/me", token=s["access_token"] + "x").status_code == 401
    c.advance(seconds=899)
    assert client.get("/me", token=s["access_token"]).status_code == 200
    c.advance(seconds=1)
    assert client.get("/me", token=s["access_token"]).status_code == 401
    # The refresh token outlives the access token.
    r = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 200, r.json
    assert client.get("/me", token=r.json["access_token"]).status_code == 200


def test_refresh_rotates_and_reuse_revokes_the_family(client, county):
    phone = new_phone()
    _invite(client, county, phone)
    s = client.sign_in(phone, county.code)
    r = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 200, r.json
    new = r.json
    assert new["refresh_token"] and new["refresh_token"] != s["refresh_token"]
    assert new["access_token"] != s["access_token"]
    assert new["tenant"] == county.code and new["user_id"] == s["user_id"] and new["roles"] == s["roles"]
    assert client.get("/me", token=new["access_token"]).status_code == 200
    # The old refresh token is refused, and since someone replayed it the new one is revoked too.
    r = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 401 and _error(r)["code"] == "refresh_token_reused"
    r = client.post("/auth/refresh", {"refresh_token": new["refresh_token"]})
    assert r.status_code == 401, r.json


def test_refresh_reuse_does_not_touch_other_sessions(client, county, freeze):
    phone = new_phone()
    _invite(client, county, phone)
    c = freeze()
    a = client.sign_in(phone, county.code)
    c.advance(seconds=61)
    b = client.sign_in(phone, county.code)  # a second device
    assert client.post("/auth/refresh", {"refresh_token": a["refresh_token"]}).status_code == 200
    assert client.post("/auth/refresh", {"refresh_token": a["refresh_token"]}).status_code == 401
    assert client.post("/auth/refresh", {"refresh_token": b["refresh_token"]}).status_code == 200


@pytest.mark.parametrize("token", ["not-a-refresh-token", "a.b.c.d.e.f.g", "330825.abc.def.ghijklmnop"])
def test_garbage_refresh_token_is_401(client, token):
    r = client.post("/auth/refresh", {"refresh_token": token})
    assert r.status_code == 401 and _error(r)["code"] == "invalid_refresh_token"


def test_forged_refresh_secret_is_401(client, county):
    phone = new_phone()
    _invite(client, county, phone)
    s = client.sign_in(phone, county.code)
    tenant, uid, rtid, secret = s["refresh_token"].split(".")
    forged = f"{tenant}.{uid}.{rtid}.{secret[:-2]}{'AA' if secret[-2:] != 'AA' else 'BB'}"
    r = client.post("/auth/refresh", {"refresh_token": forged})
    assert r.status_code == 401
    assert client.post("/auth/refresh", {"refresh_token": s["refresh_token"]}).status_code == 200


def test_sign_out_revokes_the_refresh_token(client, county):
    phone = new_phone()
    _invite(client, county, phone)
    s = client.sign_in(phone, county.code)
    r = client.post("/auth/signout", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 204, r.json
    r = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 401 and _error(r)["code"] == "invalid_refresh_token"
    # Signing out twice is harmless.
    assert client.post("/auth/signout", {"refresh_token": s["refresh_token"]}).status_code == 204


# --- counties a person belongs to -----------------------------------------------------------------------------

def test_phone_in_no_county_gets_a_county_less_session(client):
    s = client.sign_in(new_phone())
    assert s["tenant"] is None and s["user_id"] is None and s["memberships"] == []
    assert s["roles"] == [] and s["refresh_token"] is None and s["access_token"]
    me = client.get("/me", token=s["access_token"])
    assert me.status_code == 200, me.json
    assert me.json["tenant"] is None and me.json["memberships"] == [] and me.json["grants"] == []
    assert me.json["modules"] == []


def test_phone_in_no_county_cannot_name_a_county(client, county):
    phone = new_phone()
    assert _request(client, phone).status_code == 202
    r = _token(client, phone, last_code(phone), county.code)
    assert r.status_code == 403 and _error(r)["code"] == "not_a_member"


def test_person_in_two_counties_chooses(client, county, other_county, freeze):
    phone = new_phone()
    _invite(client, county, phone, role="grid_worker")
    _invite(client, other_county, phone, role="grid_leader", place=other_county.grid2)
    c = freeze()
    both = {county.code, other_county.code}

    s = client.sign_in(phone)  # no tenant: must choose
    assert s["tenant"] is None and s["user_id"] is None and s["refresh_token"] is None and s["roles"] == []
    assert {m["tenant"] for m in s["memberships"]} == both
    assert {m["name"] for m in s["memberships"]} == {f"测试县{county.code}", f"测试县{other_county.code}"}
    me = client.get("/me", token=s["access_token"]).json
    assert me["tenant"] is None and {m["tenant"] for m in me["memberships"]} == both

    # Choosing from the county-less session.
    r = client.post("/auth/switch", {"tenant": other_county.code}, token=s["access_token"])
    assert r.status_code == 200, r.json
    assert r.json["tenant"] == other_county.code and r.json["roles"] == ["grid_leader"]

    # Or naming the county when signing in.
    c.advance(seconds=61)
    s = client.sign_in(phone, county.code)
    assert s["tenant"] == county.code and s["roles"] == ["grid_worker"] and s["refresh_token"]
    assert {m["tenant"] for m in s["memberships"]} == both
    me = client.get("/me", token=s["access_token"]).json
    assert me["tenant"] == county.code and [g["role"] for g in me["grants"]] == ["grid_worker"]

    # Switching opens a session in the other county, with that county's user and roles.
    r = client.post("/auth/switch", {"tenant": other_county.code}, token=s["access_token"])
    assert r.status_code == 200, r.json
    sw = r.json
    assert sw["tenant"] == other_county.code and sw["roles"] == ["grid_leader"] and sw["refresh_token"]
    assert sw["user_id"] != s["user_id"]
    me = client.get("/me", token=sw["access_token"]).json
    assert me["tenant"] == other_county.code
    assert [(g["role"], g["place"]) for g in me["grants"]] == [("grid_leader", other_county.grid2)]
    refreshed = client.post("/auth/refresh", {"refresh_token": sw["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json["tenant"] == other_county.code


def test_tenant_not_belonged_to_is_403(client, county, other_county, freeze):
    phone = new_phone()
    _invite(client, county, phone)
    c = freeze()
    assert _request(client, phone).status_code == 202
    r = _token(client, phone, last_code(phone), other_county.code)
    assert r.status_code == 403 and _error(r)["code"] == "not_a_member"
    c.advance(seconds=61)
    s = client.sign_in(phone, county.code)
    r = client.post("/auth/switch", {"tenant": other_county.code}, token=s["access_token"])
    assert r.status_code == 403 and _error(r)["code"] == "not_a_member"
    r = client.post("/auth/switch", {"tenant": "platform"}, token=s["access_token"])
    assert r.status_code == 403 and _error(r)["code"] == "not_a_member"
