"""Scan-to-pass (扫码通行) against the embedded AWS: issue, scan (pass / stop with reasons), refusals of forged,
expired, revoked and other counties' codes, and the checkpoint's scan log."""

from __future__ import annotations

import datetime as dt
import re

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


# --- what the checkpoint will say, on the holder's phone; short codes typed at the checkpoint ---------------------

SAME = ("result", "reasons", "colour", "reported_today", "holder", "checkpoint")


def issue(c: County, hh: dict, member: dict, token: str | None = None) -> dict:
    r = c.api.post("/passes", {"household": hh["id"], "member": member["id"]}, token=token or c.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    return r.json


def status(c: County, pid: str, token: str):
    return c.api.get(f"/passes/{pid}/status", token=token)


def verdict_of(scan_answer: dict) -> dict:
    return {k: scan_answer[k] for k in ("result", "reasons", "colour", "reported_today")}


def test_the_holder_sees_what_the_checkpoint_will_say(village, morning):  # noqa: F811
    c = village
    hh = c.household(members=2)
    _, session = c.villager(hh["id"])
    token = session["access_token"]
    member = next(m for m in hh["members"] if m["name"] == "成员0")
    issued = issue(c, hh, member, token)
    assert re.fullmatch(r"[23456789A-HJ-NP-Z]{8}", issued["short_code"]), issued["short_code"]
    assert issued["verdict"]["result"] == "stop"
    assert issued["verdict"]["reasons"] == [{"code": "not_reported", "message": "今日尚未完成健康上报"}]
    assert issued["verdict"]["checked_at"] == morning.at.isoformat().replace("+00:00", "Z")

    def both() -> tuple[dict, dict]:
        mine = status(c, issued["id"], token)
        assert mine.status_code == 200, mine.json
        checked = scan(c, issued["code"])
        assert checked.status_code == 200, checked.json
        mine = mine.json["verdict"]
        assert mine.pop("checked_at")
        assert mine == verdict_of(checked.json)  # one rule: the phone says what the checkpoint says
        return mine, checked.json

    mine, _ = both()
    assert mine["result"] == "stop" and mine["reasons"][0]["code"] == "not_reported"

    morning.advance(minutes=8)  # the household reports later that morning: the same pass now passes
    assert report(c, hh, token).status_code == 201
    mine, _ = both()
    assert mine == {"result": "pass", "reasons": [], "colour": "green", "reported_today": True}

    morning.advance(minutes=5)
    assert report(c, hh, token, 成员0="yellow").status_code == 201
    mine, _ = both()
    assert mine["result"] == "stop" and mine["reasons"] == [{"code": "yellow_code", "message": "健康码为黄码"}]

    # Staff who may edit the household see it too; another household's villager, another grid's worker and the
    # checkpoint do not (404, as for a pass that does not exist).
    assert status(c, issued["id"], c.tokens["grid_worker"]).status_code == 200
    _, stranger = c.villager(c.household(members=1)["id"])
    own_worker = c.tokens["grid_worker"]
    grid2 = c.add_staff("grid_worker", c.grid2)
    c.tokens["grid_worker"] = own_worker
    for who in (stranger["access_token"], grid2):
        r = status(c, issued["id"], who)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found", r.json
    # checkpoint staff (no household, no households.write anywhere) may not use the route at all
    r = status(c, issued["id"], c.tokens["checkpoint_staff"])
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_scope", r.json
    assert status(c, "not-a-pass-id", token).status_code == 404
    assert status(c, "0" * 16, token).status_code == 404

    # Renewed elsewhere (another phone of the household): this pass now says it is refused, and has no short code.
    issue(c, hh, member)
    gone = status(c, issued["id"], token).json
    assert gone["short_code"] is None
    assert gone["verdict"]["result"] == "invalid" and gone["verdict"]["reasons"][0]["code"] == "pass_revoked"


def test_a_typed_short_code_gets_exactly_the_answer_and_log_entry_of_a_scan(village, morning):  # noqa: F811
    c = village
    hh = c.household(members=2)
    _, session = c.villager(hh["id"])
    member = hh["members"][1]
    p = issue(c, hh, member)
    short = p["short_code"]

    def pair():
        morning.advance(seconds=1)  # (the log is ordered by the time of the scan)
        by_scan = scan(c, p["code"])
        morning.advance(seconds=1)
        by_hand = scan(c, short)
        assert by_scan.status_code == by_hand.status_code == 200, (by_scan.json, by_hand.json)
        assert {k: by_hand.json[k] for k in SAME} == {k: by_scan.json[k] for k in SAME}
        assert by_hand.json["id"] != by_scan.json["id"]
        return by_hand.json

    assert pair()["result"] == "stop"
    assert report(c, hh, session["access_token"]).status_code == 201
    assert pair()["result"] == "pass"
    assert report(c, hh, session["access_token"], 成员0="red").status_code == 201
    red = pair()
    assert red["result"] == "stop" and red["reasons"][0]["code"] == "red_code"

    # Typed as people type: lower case, a space or dash, full-width forms from a Chinese IME.
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in short.lower())
    for typed in (short.lower(), f"{short[:4]} {short[4:]}", f"{short[:4]}-{short[4:]}", f" {full_width} "):
        morning.advance(seconds=1)
        r = scan(c, typed)
        assert r.status_code == 200 and r.json["result"] == "stop", (typed, r.json)

    log = c.api.get(f"/passes/scans?checkpoint={c.village}&limit=100", token=c.tokens["checkpoint_staff"]).json
    items = log["items"][4:][::-1]  # the three pairs, oldest first
    assert [i["via"] for i in items] == ["code", "short"] * 3
    for scanned, typed in zip(items[::2], items[1::2], strict=True):
        assert {k: v for k, v in typed.items() if k not in ("id", "at", "via")} == \
               {k: v for k, v in scanned.items() if k not in ("id", "at", "via")}
    assert [i["via"] for i in log["items"][:4]] == ["short"] * 4


def test_old_short_codes_and_other_counties_codes_are_refused(village, client, operator_token, morning):  # noqa: F811
    c = village
    hh = c.household(members=1)
    member = hh["members"][0]

    def refused(code_: str, expected: str):
        morning.advance(seconds=1)  # (the log is ordered by the time of the scan)
        r = scan(c, code_)
        assert r.status_code == 422, r.json
        assert r.json["error"]["code"] == expected, r.json
        return r.json["error"]["message"]

    first = issue(c, hh, member)
    renewed = issue(c, hh, member)
    assert renewed["short_code"] != first["short_code"]
    assert "核对" in refused(first["short_code"], "pass_code_unknown")  # renewed: the old short code is gone
    assert scan(c, renewed["short_code"]).status_code == 200
    assert c.api.post(f"/passes/{renewed['id']}/revoke", token=c.tokens["grid_worker"]).status_code == 204
    refused(renewed["short_code"], "pass_code_unknown")  # revoked: gone
    refused(renewed["code"], "pass_revoked")

    other = County(client, operator_token)
    theirs_hh = other.household(members=1)
    theirs = issue(other, theirs_hh, theirs_hh["members"][0])
    refused(theirs["short_code"], "pass_code_unknown")  # found only in its own county
    other.add_staff("checkpoint_staff", other.village)
    assert scan(other, theirs["short_code"]).status_code == 200  # where it belongs, it is found

    assert "不含 0、O、1、I" in refused("ABCD0O1I", "pass_invalid")  # characters a short code never has
    assert "8 位" in refused(renewed["short_code"][:7], "pass_invalid")  # a character left out
    live = issue(c, hh, member)
    morning.advance(hours=24, minutes=1)  # expired (the item may outlive its pass until TTL removes it)
    token = c.api.sign_in(c.phones["checkpoint_staff"], c.code)["access_token"]
    r = scan(c, live["short_code"], token)
    assert r.status_code == 422 and r.json["error"]["code"] == "pass_expired", r.json

    yesterday = (morning.at.date() - dt.timedelta(days=1)).isoformat()
    log = c.api.get(f"/passes/scans?checkpoint={c.village}&date={yesterday}&limit=100", token=token).json["items"]
    assert [(i["result"], i["reasons"], i["via"]) for i in log][:5] == [
        ("invalid", ["pass_invalid"], "short"), ("invalid", ["pass_invalid"], "short"),
        ("invalid", ["pass_code_unknown"], "short"),
        ("invalid", ["pass_revoked"], "code"), ("invalid", ["pass_code_unknown"], "short")]


def test_wrong_short_codes_are_limited_per_checkpoint_user(village, morning):  # noqa: F811
    from chalicelib.passes.service import SHORT_MISSES_PER_HOUR

    c = village
    hh = c.household(members=1)
    p = issue(c, hh, hh["members"][0])
    other_staff = c.add_staff("checkpoint_staff", c.village)
    mine = c.add_staff("checkpoint_staff", c.village)  # (c.tokens["checkpoint_staff"] is now this one)
    wrong = "".join("2" if ch != "2" else "3" for ch in p["short_code"])  # differs in every character

    for _ in range(SHORT_MISSES_PER_HOUR):
        r = scan(c, wrong, mine)
        assert r.status_code == 422 and r.json["error"]["code"] == "pass_code_unknown", r.json
    assert scan(c, p["code"], mine).status_code == 200  # the signed code is not limited
    for code_ in (wrong, p["short_code"]):  # the limit is on typing: now even the right short code waits
        r = scan(c, code_, mine)
        assert r.status_code == 429, r.json
        assert r.json["error"]["code"] == "pass_code_throttled" and "输错次数过多" in r.json["error"]["message"]
        assert 0 < int(r.headers["Retry-After"]) <= 3600
    assert scan(c, p["short_code"], other_staff).status_code == 200  # per checkpoint user

    morning.advance(hours=1)  # the next clock hour: typing again
    token = c.api.sign_in(c.phones["checkpoint_staff"], c.code)["access_token"]
    assert scan(c, p["short_code"], token).status_code == 200
    for _ in range(3):
        assert scan(c, p["short_code"], token).status_code == 200  # right codes are never counted
    assert scan(c, wrong, token).json["error"]["code"] == "pass_code_unknown"


def test_short_codes_are_unique_and_a_taken_one_is_never_reused(village, monkeypatch):
    from chalicelib.passes import service
    from chalicelib.passes.models import PassCode

    c = village
    hh = c.household(members=3)
    a, b, d = hh["members"]
    pa = issue(c, hh, a)
    drawn = iter([pa["short_code"], "XYZW2345"])  # the first draw is taken: another is drawn
    monkeypatch.setattr(service, "new_short_code", lambda: next(drawn))
    pb = issue(c, hh, b)
    assert pb["short_code"] == "XYZW2345"
    assert scan(c, pa["short_code"]).json["holder"] == scan(c, pa["code"]).json["holder"]

    # a's code is freed by a revoke and taken by d's new pass; renewing a must not delete d's code.
    assert c.api.post(f"/passes/{pa['id']}/revoke", token=c.tokens["grid_worker"]).status_code == 204
    monkeypatch.setattr(service, "new_short_code", lambda: pa["short_code"])
    pd = issue(c, hh, d)
    assert pd["short_code"] == pa["short_code"]
    monkeypatch.setattr(service, "new_short_code", lambda: "QRST6789")
    again = issue(c, hh, a)
    assert again["short_code"] == "QRST6789"
    assert PassCode.get(*PassCode.keys(c.code, pd["short_code"])).pid == pd["id"]
    typed, scanned = scan(c, pd["short_code"]).json, scan(c, pd["code"]).json
    assert {k: typed[k] for k in SAME} == {k: scanned[k] for k in SAME}
