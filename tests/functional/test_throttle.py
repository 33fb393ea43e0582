"""Per-county request limits (core/throttle.py): a county over its limit gets 429 rate_limited with Retry-After until
the window passes, another county is unaffected at the same time, the containers share their counts through one
counter per county and window, and a failed sync never fails a request."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.core import clock, counties, throttle

WINDOW = throttle.WINDOW_S


@pytest.fixture
def frozen(monkeypatch):
    """The clock at the start of a window (the county's windows are whole multiples of WINDOW seconds)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = dt.datetime.fromtimestamp((int(now.timestamp()) // WINDOW + 1) * WINDOW, dt.UTC)
    c = clock.FrozenClock(start)
    clock.set_clock(c)
    monkeypatch.setenv("CQT_THROTTLE_WINDOW_S", str(WINDOW))
    monkeypatch.setattr(throttle, "limiter", throttle.Limiter())  # a fresh container
    try:
        yield c
    finally:
        clock.set_clock(clock.Clock())


def _limit(code: str, rate: float | None) -> None:
    c = counties.get(code, fresh=True)
    c.rate_limit = rate
    c.save()
    counties.forget(code)


def _me(client, county):
    return client.get("/me", token=county.tokens["county_admin"])


def test_a_county_over_its_limit_gets_429_until_the_window_passes_and_another_is_unaffected(
        client, county, other_county, frozen):
    _limit(county.code, 1)  # 1 request a second: 5 a window
    try:
        for _ in range(WINDOW):
            assert _me(client, county).status_code == 200
        r = _me(client, county)
        assert r.status_code == 429
        assert r.json["error"]["code"] == "rate_limited" and r.json["error"]["message"]
        assert int(r.headers["Retry-After"]) == WINDOW  # the whole window is left (the clock stands still)
        assert r.json["error"]["details"] == {"retry_after": WINDOW}
        # The other county, at the same moment, in the same container: not held (it has the stage's limit).
        for _ in range(WINDOW + 2):
            assert _me(client, other_county).status_code == 200
        frozen.advance(seconds=WINDOW - 2)
        r = _me(client, county)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) == 2
        frozen.advance(seconds=2)  # the next window: let in again
        assert _me(client, county).status_code == 200
    finally:
        _limit(county.code, None)


def test_the_containers_hold_a_county_together_through_its_shared_counter(client, county, frozen, monkeypatch):
    """Two containers, each under the county's allowance (5) in a window but together over it (3 + 3): the second
    one to sync at the next window sees 6 and holds the county; the first saw 3 and does not."""
    monkeypatch.setenv("CQT_THROTTLE_CONTAINERS", "2")  # a container's share: 2.5 requests a window
    one, two = throttle.Limiter(), throttle.Limiter()
    _limit(county.code, 1)
    try:
        for container in (one, two):
            monkeypatch.setattr(throttle, "limiter", container)
            for _ in range(3):
                assert _me(client, county).status_code == 200
        frozen.advance(seconds=WINDOW)
        monkeypatch.setattr(throttle, "limiter", one)
        assert _me(client, county).status_code == 200  # synced 3: under 5
        monkeypatch.setattr(throttle, "limiter", two)
        r = _me(client, county)  # synced 3 more: 6, over 5
        assert r.status_code == 429 and r.json["error"]["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) == WINDOW
        assert (one.syncs, two.syncs) == (1, 1)  # one write per container and window, not per request
        frozen.advance(seconds=WINDOW)
        assert _me(client, county).status_code == 200  # the window passed
    finally:
        _limit(county.code, None)


def test_a_container_under_its_share_makes_no_write(client, county, frozen, monkeypatch):
    writes = []
    real = throttle._add
    monkeypatch.setattr(throttle, "_add", lambda *a: writes.append(a) or real(*a))
    monkeypatch.setenv("CQT_THROTTLE_CONTAINERS", "2")
    _limit(county.code, 2)  # 10 a window, a container's share 5
    try:
        for _ in range(4):
            assert _me(client, county).status_code == 200
        frozen.advance(seconds=WINDOW)
        assert _me(client, county).status_code == 200
        assert writes == [] and throttle.limiter.syncs == 0
        for _ in range(5):  # now its share: the next window's first request writes once
            assert _me(client, county).status_code == 200
        frozen.advance(seconds=WINDOW)
        assert _me(client, county).status_code == 200
        assert len(writes) == 1 and writes[0][0] == county.code and writes[0][2] == 6
    finally:
        _limit(county.code, None)


def test_a_failed_sync_never_fails_a_request(client, county, frozen, monkeypatch):
    def down(*_a, **_k):
        raise RuntimeError("DynamoDB unreachable")

    monkeypatch.setattr(throttle, "_add", down)
    monkeypatch.setenv("CQT_THROTTLE_CONTAINERS", "2")
    _limit(county.code, 1)
    try:
        for _ in range(3):
            assert _me(client, county).status_code == 200
        frozen.advance(seconds=WINDOW)
        assert _me(client, county).status_code == 200  # the sync failed: let in
        assert throttle.limiter.syncs == 0
    finally:
        _limit(county.code, None)


def test_the_stage_default_applies_to_a_county_without_its_own(client, county, frozen, monkeypatch):
    monkeypatch.setenv("CQT_TENANT_RATE_LIMIT", "1")
    for _ in range(WINDOW):
        assert _me(client, county).status_code == 200
    assert _me(client, county).status_code == 429


def test_sized_limits():
    assert throttle.sized_limit(130_000) == 130  # Longyou
    assert throttle.sized_limit(5_000) == 20  # the floor


def test_a_countys_limit_is_set_by_script_within_the_functions_headroom(client, county, capsys):
    """scripts/set_county_limit.py: the limit lands in the county record (the app reads it within the county cache),
    and a limit that would take the counties' sum over what the reserved concurrency serves is refused."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import set_county_limit

    try:
        set_county_limit.main([county.code, "--rate", "5", "--reserved", "1", "--request-ms", "100"])  # of 10/s
        assert counties.get(county.code, fresh=True).rate_limit == 5
        assert "headroom" in capsys.readouterr().out
        with pytest.raises(SystemExit, match="refused"):
            set_county_limit.main([county.code, "--rate", "50", "--reserved", "1", "--request-ms", "100"])
        assert counties.get(county.code, fresh=True).rate_limit == 5  # unchanged
        set_county_limit.main([county.code, "--households", "130000", "--reserved", "50", "--request-ms", "100"])
        assert counties.get(county.code, fresh=True).rate_limit == 130
        set_county_limit.main([county.code, "--default", "--reserved", "50", "--request-ms", "100"])
        assert counties.get(county.code, fresh=True).rate_limit is None
    finally:
        _limit(county.code, None)


def test_through_the_http_api_a_held_county_gets_429_with_retry_after(client, county, frozen):
    """The deployed entry points (infra/cqt_infra/front.py): `httpapi.authorizer` lets the token in with its
    context, `httpapi.handler` serves the event with the app, and a county over its limit gets the envelope's 429 with
    a single-valued Retry-After header (HTTP APIs take single-value headers)."""
    import json
    import uuid

    from chalicelib.core import httpapi
    from devstack.events import lambda_context

    headers = {"authorization": f"Bearer {county.tokens['county_admin']}"}
    verdict = httpapi.authorizer({"headers": headers}, None)
    assert verdict["isAuthorized"] is True and verdict["context"]["tenant"] == county.code
    assert httpapi.authorizer({"headers": {}}, None) == {"isAuthorized": False}

    def me():
        event = {"version": "2.0", "rawPath": "/api/me", "headers": headers,
                 "requestContext": {"http": {"method": "GET", "path": "/api/me", "sourceIp": "203.0.113.9"},
                                    "requestId": uuid.uuid4().hex, "authorizer": {"lambda": verdict["context"]}}}
        return httpapi.handler(event, lambda_context("api_handler"))

    _limit(county.code, 1)
    try:
        for _ in range(WINDOW):
            assert me()["statusCode"] == 200
        out = me()
        assert out["statusCode"] == 429 and out["headers"]["Retry-After"] == str(WINDOW)
        assert json.loads(out["body"])["error"]["code"] == "rate_limited"
    finally:
        _limit(county.code, None)
