"""Scan-to-pass (扫码通行) against the embedded AWS: issue, scan (pass / stop with reasons), refusals of forged,
expired, revoked and other counties' codes, and the checkpoint's scan log."""

from __future__ import annotations

import pytest

from tests.conftest import County
from tests.functional.test_daily_report import colours, morning, report  # noqa: F401 - fixture


@pytest.fixture
def village(client, operator_token, morning):  # noqa: F811
    c = County(client, operator_token)
    c.add_staff("checkpoint_staff", c.village)
    return c


def scan(c: County, code: str, token: str | None = None):
    return c.api.post("/passes/scan", {"code": code}, token=token or c.tokens["checkpoint_staff"])


def test_pass_or_stop_with_the_reason(village, morning):  # noqa: F811
    c = village
    hh = c.household(members=3)
    _, session = c.villager(hh["id"])
    member = next(m for m in hh["members"] if m["name"] == "成员0")
    issued = c.api.post("/passes", {"household": hh["id"], "member": member["id"]}, token=session["access_token"])
    assert issued.status_code == 201, issued.json
    code = issued.json["code"]
    assert issued.json["qr_svg"].startswith("<svg")
    for secret in (hh["id"], member["id"], "成员0", *(m["id_number"] for m in hh["members"])):
        assert secret not in code  # nothing personal is readable from the code

    before = scan(c, code)
    assert before.status_code == 200, before.json
    assert before.json["result"] == "stop" and [r["code"] for r in before.json["reasons"]] == ["not_reported"]
    assert before.json["holder"] == {"name": "成**", "village": c.village, "village_name": "测试村"}

    morning.advance(minutes=1)
    assert report(c, hh, session["access_token"]).status_code == 201
    ok = scan(c, code)
    assert ok.json["result"] == "pass" and ok.json["colour"] == "green" and ok.json["reasons"] == []

    morning.advance(minutes=10)
    assert report(c, hh, session["access_token"], 成员0="red").status_code == 201
    red = scan(c, code)
    assert red.json["result"] == "stop" and red.json["reasons"][0]["code"] == "red_code"
    assert "红码" in red.json["reasons"][0]["message"]

    log = c.api.get(f"/passes/scans?checkpoint={c.village}", token=c.tokens["checkpoint_staff"])
    assert log.status_code == 200, log.json
    assert [s["result"] for s in log.json["items"]] == ["stop", "pass", "stop"]  # newest first
    assert c.api.get(f"/passes/scans?checkpoint={c.village}", token=c.tokens["village_admin"]).status_code == 200
    assert c.api.get(f"/passes/scans?checkpoint={c.village}", token=session["access_token"]).status_code == 403


def test_bad_codes_are_refused_clearly_and_logged(village, client, operator_token, morning):  # noqa: F811
    c = village
    hh = c.household(members=1)
    mid = hh["members"][0]["id"]
    code = c.api.post("/passes", {"household": hh["id"], "member": mid}, token=c.tokens["grid_worker"]).json["code"]

    def refused(code_: str, expected: str, token: str | None = None):
        r = scan(c, code_, token)
        assert r.status_code == 422, r.json
        assert r.json["error"]["code"] == expected, r.json
        return r

    refused("hello", "pass_invalid")
    prefix, county, _pid, expiry, sig = code.split(".")
    tampered_pid = ".".join([prefix, county, "0" * 16, expiry, sig])
    refused(tampered_pid, "pass_forged")
    refused(code[:-2] + ("AA" if not code.endswith("AA") else "BB"), "pass_forged")

    other = County(client, operator_token)
    theirs_hh = other.household(members=1)
    theirs = other.api.post("/passes", {"household": theirs_hh["id"], "member": theirs_hh["members"][0]["id"]},
                            token=other.tokens["grid_worker"]).json["code"]
    refused(theirs, "pass_other_county")

    renewed = c.api.post("/passes", {"household": hh["id"], "member": mid}, token=c.tokens["grid_worker"])
    assert renewed.status_code == 201
    refused(code, "pass_revoked")  # a new pass revokes the old one
    assert scan(c, renewed.json["code"]).status_code == 200
    assert c.api.post(f"/passes/{renewed.json['id']}/revoke", token=c.tokens["grid_worker"]).status_code == 204
    refused(renewed.json["code"], "pass_revoked")

    fresh = c.api.post("/passes", {"household": hh["id"], "member": mid}, token=c.tokens["grid_worker"]).json["code"]
    morning.advance(hours=25)
    token = c.api.sign_in(c.phones["checkpoint_staff"], c.code)["access_token"]
    refused(fresh, "pass_expired", token)

    # yesterday's log (the clock moved a day): every refusal and the one pass are there
    yesterday = (morning.at.date().fromordinal(morning.at.date().toordinal() - 1)).isoformat()
    log = c.api.get(f"/passes/scans?checkpoint={c.village}&date={yesterday}&limit=100", token=token)
    assert log.status_code == 200, log.json
    assert [s["result"] for s in log.json["items"]].count("invalid") == 6
    assert [s["result"] for s in log.json["items"]].count("stop") == 1


def test_who_may_issue_and_scan(village):
    c = village
    hh, other = c.household(members=1), c.household(members=1)
    _, session = c.villager(hh["id"])
    body = {"household": other["id"], "member": other["members"][0]["id"]}
    assert c.api.post("/passes", body, token=session["access_token"]).status_code == 404
    code = c.api.post("/passes", body, token=c.tokens["grid_worker"]).json["code"]
    for role in ("grid_worker", "village_admin", "county_admin"):
        r = scan(c, code, c.tokens[role])
        assert r.status_code == 403, (role, r.json)
    assert c.api.post("/passes", {"household": hh["id"], "member": other["members"][0]["id"]},
                      token=session["access_token"]).status_code == 404


def test_a_new_pass_after_the_old_one_expired_away(village):
    """DynamoDB's TTL removes a pass a week after it expires; the member still gets a new one."""
    from chalicelib.passes.models import Pass

    c = village
    hh = c.household(members=1)
    body = {"household": hh["id"], "member": hh["members"][0]["id"]}
    first = c.api.post("/passes", body, token=c.tokens["grid_worker"])
    assert first.status_code == 201
    Pass.get(*Pass.keys(c.code, first.json["id"])).delete()  # as the TTL would
    again = c.api.post("/passes", body, token=c.tokens["grid_worker"])
    assert again.status_code == 201, again.json
    assert scan(c, again.json["code"]).status_code == 200
    stub = Pass.get(*Pass.keys(c.code, first.json["id"]))
    assert stub.revoked and stub.expires
