"""紧急招募令: volunteers opt in per village; offices post calls broadcast to the volunteers in scope (inbox, SMS);
sign-up first come first served, never over capacity (200 at once for 10 slots), a waiting list promoted in order;
the organiser's roster (masked / unmasked and audited), its Excel export, QR check-in and hours feeding the party
points of party members."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from tests.conftest import County


def _iso(hours: float) -> str:
    from chalicelib.core import clock

    return (clock.now() + dt.timedelta(hours=hours)).isoformat()


def _call_body(c: County, **kw) -> dict:
    return {"place": c.village, "title": "为村医招募驾驶员", "description": "每周送村医下乡巡诊，需自备车辆",
            "address": "测试村村委会门口", "starts_at": _iso(24), "ends_at": _iso(30), "slots": 5,
            "requirements": "持有C1驾照", **kw}


def _post(c: County, token: str | None = None, **kw) -> dict:
    r = c.api.post("/volunteers/calls", _call_body(c, **kw), token=token or c.tokens["village_admin"],
                   headers={"Idempotency-Key": f"vc-{uuid.uuid4().hex}"})
    assert r.status_code == 201, r.json
    return r.json


def _resident(c: County) -> str:
    return c.villager(c.household(members=1)["id"])[1]["access_token"]


def _volunteer(c: County, skills=("驾驶",), sms=True) -> tuple[str, str]:
    token = _resident(c)
    r = c.api.put("/volunteers/me", {"skills": list(skills), "sms": sms}, token=token)
    assert r.status_code == 200 and r.json["volunteer"], r.json
    return token, c.api.get("/me", token=token).json["user_id"]


def _inbox(c: County, token: str) -> list[dict]:
    r = c.api.get("/inbox", token=token)
    assert r.status_code == 200, r.json
    return r.json["items"]


def _phone_of(c: County, token: str) -> str:
    from chalicelib.core import pii
    from chalicelib.core.auth import service as auth

    uid = c.api.get("/me", token=token).json["user_id"]
    return pii.decrypt(c.code, auth.get_user(c.code, uid).phone_enc)


# --- volunteers --------------------------------------------------------------------------------------------------

def test_a_resident_opts_in_changes_and_opts_out(client, county):
    c = county
    token = _resident(c)
    r = client.get("/volunteers/me", token=token)
    assert r.status_code == 200 and r.json["volunteer"] is False and r.json["village"] == c.village
    r = client.put("/volunteers/me", {"skills": ["驾驶", "医护"], "sms": True}, token=token)
    assert r.status_code == 200
    assert r.json == {"volunteer": True, "village": c.village, "village_name": "测试村", "skills": ["医护", "驾驶"],
                      "sms": True, "updated_at": r.json["updated_at"]}
    r = client.put("/volunteers/me", {"skills": ["搬运"], "sms": False}, token=token)
    assert r.json["skills"] == ["搬运"] and r.json["sms"] is False
    assert client.get("/volunteers/me", token=token).json["skills"] == ["搬运"]
    assert client.delete("/volunteers/me", token=token).status_code == 204
    assert client.get("/volunteers/me", token=token).json["volunteer"] is False
    # Staff who live nowhere are not residents; unknown skills are refused.
    assert client.put("/volunteers/me", {"skills": []}, token=c.tokens["grid_worker"]).status_code == 403
    bad = client.put("/volunteers/me", {"skills": ["唱歌"]}, token=token)
    assert bad.status_code == 422 and bad.json["error"]["code"]


# --- calls and their broadcast ---------------------------------------------------------------------------------

def test_only_an_office_in_scope_posts_a_call(client, county, operator_token):
    c = county
    villager = _resident(c)
    r = client.post("/volunteers/calls", _call_body(c), token=villager)
    assert r.status_code == 403
    # Another township's office (of the same county) may not post at this village.
    township_official = c.tokens["township_official"]
    other_township = c.code + "002"
    assert client.post("/places", {"code": other_township, "name": "另一镇"},
                       token=c.tokens["county_admin"]).status_code == 201
    other = c.add_staff("township_official", other_township)
    c.tokens["township_official"] = township_official
    r = client.post("/volunteers/calls", _call_body(c), token=other)
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_scope"
    # The village admin posts; the township official posts for the whole township.
    call = _post(c)
    assert call["status"] == "open" and call["confirmed"] == 0 and call["slots"] == 5 and call["can_manage"]
    assert call["place_name"] == "测试村" and call["mine"] is None
    town = _post(c, token=c.tokens["township_official"], place=c.township)
    assert town["place"] == c.township
    # Bad input is 422 in the envelope.
    for body in (_call_body(c, slots=0), _call_body(c, slots=501), _call_body(c, ends_at=_iso(1), starts_at=_iso(2)),
                 _call_body(c, starts_at="明天"), _call_body(c, title="")):
        r = client.post("/volunteers/calls", body, token=c.tokens["village_admin"])
        assert r.status_code == 422 and r.json["error"]["code"], body


def test_the_broadcast_reaches_the_volunteers_in_scope_and_not_outside(client, county, other_county, events):
    from chalicelib.core.notify import sms
    from chalicelib.volunteers import broadcast

    c = county
    driver, _ = _volunteer(c, ("驾驶",), sms=True)
    quiet, _ = _volunteer(c, ("驾驶", "搬运"), sms=False)
    nurse, _ = _volunteer(c, ("医护",), sms=True)
    # A volunteer of another village of the township, and one of another county.
    village2 = c.township + "202"
    assert client.post("/places", {"code": village2, "name": "二村"}, token=c.tokens["county_admin"]).status_code == 201
    assert client.post("/places", {"code": village2 + "G01", "name": "二村网格"},
                       token=c.tokens["county_admin"]).status_code == 201
    elsewhere = c.add_staff("party_member", village2 + "G01")  # a resident role there
    assert client.put("/volunteers/me", {"skills": ["驾驶"], "sms": True}, token=elsewhere).status_code == 200
    foreign, _ = _volunteer(other_county, ("驾驶",), sms=True)

    before = len(sms().messages())
    call = _post(c, skills=["驾驶"])
    assert c.village in broadcast.units(c.code) and village2 not in broadcast.units(c.code)
    events.run_job("volunteer_broadcast")
    assert c.village not in broadcast.units(c.code)  # done
    titles = lambda tok: [m["title"] for m in _inbox(c, tok)]  # noqa: E731
    assert "紧急招募：为村医招募驾驶员" in titles(driver) and "紧急招募：为村医招募驾驶员" in titles(quiet)
    assert not any("紧急招募" in t for t in titles(nurse))  # not a driver
    assert not any("紧急招募" in t for t in titles(elsewhere))  # another village
    assert not any("紧急招募" in t for t in titles(foreign))  # another county
    texts = [m for m in sms().messages()[before:] if m["template"] == "volunteer_call"]
    assert [m["phone"] for m in texts] == [_phone_of(c, driver)]  # opted in, in scope, a driver
    # A retried run sends nothing twice and writes no second inbox item.
    broadcast.run(c.code, c.village)
    assert len([m for m in sms().messages()[before:] if m["template"] == "volunteer_call"]) == 1
    assert titles(driver).count("紧急招募：为村医招募驾驶员") == 1
    # A township-wide call reaches the other village too.
    _post(c, token=c.tokens["township_official"], place=c.township, title="抗洪抢险搬运沙袋", skills=[])
    events.run_job("volunteer_broadcast")
    assert "紧急招募：抗洪抢险搬运沙袋" in titles(elsewhere) and "紧急招募：抗洪抢险搬运沙袋" in titles(nurse)
    # Residents list the open calls covering their village (3 place levels), not another county's.
    r = client.get(f"/volunteers/calls?place={c.village}", token=driver)
    assert r.status_code == 200 and {i["title"] for i in r.json["items"]} >= {"为村医招募驾驶员", "抗洪抢险搬运沙袋"}
    r = client.get(f"/volunteers/calls?place={village2}", token=elsewhere)
    assert [i["title"] for i in r.json["items"]] == ["抗洪抢险搬运沙袋"]
    assert client.get(f"/volunteers/calls?place={village2}", token=driver).status_code == 403
    assert client.get(f"/volunteers/calls/{call['id']}", token=elsewhere).status_code == 404
    assert client.get(f"/volunteers/calls/{call['id']}", token=foreign).status_code == 404


# --- sign-up ---------------------------------------------------------------------------------------------------

def test_sign_up_is_idempotent_then_the_waiting_list_is_promoted_in_order(client, county):
    from chalicelib.core.notify import sms

    c = county
    call = _post(c, slots=2)
    cid = call["id"]
    people = [_volunteer(c, sms=True)[0] for _ in range(4)]
    first = client.post(f"/volunteers/calls/{cid}/signups", token=people[0])
    assert first.status_code == 200 and first.json["mine"]["status"] == "confirmed"
    assert first.json["mine"]["code"].startswith(f"CQV1.{c.code}.{cid}.")
    again = client.post(f"/volunteers/calls/{cid}/signups", token=people[0])
    assert again.json["mine"] == first.json["mine"] and again.json["confirmed"] == 1
    assert client.post(f"/volunteers/calls/{cid}/signups", token=people[1]).json["mine"]["status"] == "confirmed"
    w1 = client.post(f"/volunteers/calls/{cid}/signups", token=people[2]).json
    w2 = client.post(f"/volunteers/calls/{cid}/signups", token=people[3]).json
    assert (w1["mine"]["status"], w1["mine"]["position"], w1["mine"]["code"]) == ("waiting", 1, None)
    assert (w2["mine"]["status"], w2["mine"]["position"]) == ("waiting", 2)
    assert w2["confirmed"] == 2 and w2["waiting"] == 2

    # The first confirmed cancels: waiting #1 is promoted (inbox + SMS), #2 moves up to 1.
    before = len(sms().messages())
    assert client.delete(f"/volunteers/calls/{cid}/signups/mine", token=people[0]).status_code == 204
    assert client.delete(f"/volunteers/calls/{cid}/signups/mine", token=people[0]).status_code == 204  # no change
    me2 = client.get(f"/volunteers/calls/{cid}", token=people[2]).json
    assert me2["mine"]["status"] == "confirmed" and me2["mine"]["code"] and me2["confirmed"] == 2
    assert any(m["title"] == "候补成功：为村医招募驾驶员" for m in _inbox(c, people[2]))
    texts = [m for m in sms().messages()[before:] if m["template"] == "volunteer_update"]
    assert [m["phone"] for m in texts] == [_phone_of(c, people[2])]
    me3 = client.get(f"/volunteers/calls/{cid}", token=people[3]).json
    assert me3["mine"]["status"] == "waiting" and me3["mine"]["position"] == 1 and me3["waiting"] == 1
    assert client.get(f"/volunteers/calls/{cid}", token=people[0]).json["mine"]["status"] == "cancelled"

    # More slots promote the rest; fewer than confirmed is refused.
    body = {**_call_body(c, slots=3), "version": call["version"]}
    r = client.put(f"/volunteers/calls/{cid}", body, token=c.tokens["village_admin"])
    assert r.status_code == 200 and r.json["confirmed"] == 3 and r.json["waiting"] == 0, r.json
    r = client.put(f"/volunteers/calls/{cid}", {**body, "slots": 2, "version": r.json["version"]},
                   token=c.tokens["village_admin"])
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "below_confirmed"
    stale = client.put(f"/volunteers/calls/{cid}", body, token=c.tokens["village_admin"])
    assert stale.status_code == 409 and stale.json["error"]["code"] == "version_conflict"
    assert client.get(f"/volunteers/calls/{cid}", token=people[3]).json["mine"]["status"] == "confirmed"

    # Cancelling the call tells everyone signed up; sign-ups are then refused.
    r = client.post(f"/volunteers/calls/{cid}/cancel", token=c.tokens["village_admin"])
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert any(m["title"] == "招募已取消：为村医招募驾驶员" for m in _inbox(c, people[1]))
    late = client.post(f"/volunteers/calls/{cid}/signups", token=_volunteer(c)[0])
    assert late.status_code == 409 and late.json["error"]["code"] == "call_closed"
    assert client.get(f"/volunteers/calls?place={c.village}", token=people[1]).json["items"] == []


def test_sixty_sign_ups_at_once_for_ten_slots(app, client, county):
    """60 at once here; the browser test (tests/e2e/test_volunteers.py) sends the 200 of the issue."""
    from tests.reliability import burst

    crowd = 60
    c = county
    cid = _post(c, slots=10)["id"]
    tokens = [_resident(c) for _ in range(crowd)]
    it = iter(tokens)
    lock = threading.Lock()

    def sign(lam):
        with lock:
            token = next(it)
        return token, lam.request("POST", f"/volunteers/calls/{cid}/signups", token=token)

    pairs = burst(app, crowd, sign, timeout=300)
    answers = [a for _, a in pairs]
    assert all(a.status == 200 for a in answers), [a.show() for a in answers if a.status != 200][:3]
    tokens = [t for t, _ in pairs]  # in the answers' order
    mine = [a.json["mine"] for a in answers]
    assert sum(1 for m in mine if m["status"] == "confirmed") == 10
    waiting = sorted(m["position"] for m in mine if m["status"] == "waiting")
    assert waiting == list(range(1, crowd - 9))
    roster = client.get(f"/volunteers/calls/{cid}/roster", token=c.tokens["village_admin"]).json
    assert len(roster["confirmed"]) == 10 and [r["position"] for r in roster["waiting"]] == list(range(1, crowd - 9))
    call = client.get(f"/volunteers/calls/{cid}", token=tokens[0]).json
    assert call["confirmed"] == 10 and call["waiting"] == crowd - 10

    # A cancellation promotes waiting #1, whoever answered position 1.
    first_waiting = next(t for t, m in zip(tokens, mine, strict=True) if m["position"] == 1)
    confirmed = next(t for t, m in zip(tokens, mine, strict=True) if m["status"] == "confirmed")
    assert client.delete(f"/volunteers/calls/{cid}/signups/mine", token=confirmed).status_code == 204
    assert client.get(f"/volunteers/calls/{cid}", token=first_waiting).json["mine"]["status"] == "confirmed"
    after = client.get(f"/volunteers/calls/{cid}/roster", token=c.tokens["village_admin"]).json
    assert len(after["confirmed"]) == 10 and [r["position"] for r in after["waiting"]] == list(range(1, crowd - 10))


def test_a_slot_taken_but_not_written_goes_back_and_a_lost_one_is_repaired(client, county, monkeypatch):
    """The slot is taken first (one conditional update of the call), then the sign-up is written: if that write
    fails the slot is given back at once; if the function died between the two, the organiser's roster sets the
    counter right a minute later and the first waiting person gets the slot."""
    from chalicelib.core import clock
    from chalicelib.volunteers import service
    from chalicelib.volunteers.models import VolCall

    c = county
    cid = _post(c, slots=1)["id"]
    first, second = _resident(c), _resident(c)

    from pynamodb.exceptions import TransactWriteError

    real = service.transact
    monkeypatch.setattr(service, "transact", lambda: (_ for _ in ()).throw(TransactWriteError("throttled")))
    r = client.post(f"/volunteers/calls/{cid}/signups", token=first)
    assert r.status_code == 503, r.json
    monkeypatch.setattr(service, "transact", real)
    call = client.get(f"/volunteers/calls/{cid}", token=first).json
    assert call["confirmed"] == 0 and call["mine"] is None  # the slot went back (nothing half-written)

    # A function that died between the gate and the write: the counter says 1, nobody holds the slot.
    VolCall(*VolCall.keys(c.code, cid)).update(actions=[VolCall.confirmed.add(1), VolCall.gated_at.set(
        clock.iso(clock.now() - dt.timedelta(seconds=10)))])
    r = client.post(f"/volunteers/calls/{cid}/signups", token=first)
    assert r.json["mine"]["status"] == "waiting" and r.json["mine"]["position"] == 1
    roster = client.get(f"/volunteers/calls/{cid}/roster", token=c.tokens["village_admin"]).json
    assert roster["confirmed"] == [] and len(roster["waiting"]) == 1  # too recent to repair: a write may be in flight
    VolCall(*VolCall.keys(c.code, cid)).update(actions=[VolCall.gated_at.set(
        clock.iso(clock.now() - dt.timedelta(minutes=2)))])
    roster = client.get(f"/volunteers/calls/{cid}/roster", token=c.tokens["village_admin"]).json
    assert [r["status"] for r in roster["confirmed"]] == ["confirmed"] and roster["waiting"] == []
    assert client.get(f"/volunteers/calls/{cid}", token=first).json["mine"]["status"] == "confirmed"
    late = client.post(f"/volunteers/calls/{cid}/signups", token=second).json
    assert late["confirmed"] == 1 and late["mine"]["status"] == "waiting"  # never over capacity


# --- roster, export, check-in, hours ----------------------------------------------------------------------------

def test_roster_masks_unless_revealed_and_audited_and_exports_to_excel(client, county):
    import io
    import urllib.request

    from openpyxl import load_workbook

    from chalicelib.core import audit, clock

    c = county
    cid = _post(c, slots=1)["id"]
    a, b = _volunteer(c)[0], _volunteer(c)[0]
    client.post(f"/volunteers/calls/{cid}/signups", token=a)
    client.post(f"/volunteers/calls/{cid}/signups", token=b)
    masked = client.get(f"/volunteers/calls/{cid}/roster", token=c.tokens["village_admin"])
    assert masked.status_code == 200 and masked.json["revealed"] is False
    row = masked.json["confirmed"][0]
    assert "****" in row["phone"] and masked.json["waiting"][0]["position"] == 1
    month = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")
    seen = len([e for e in audit.entries(c.code, month) if e.subject == cid])
    shown = client.get(f"/volunteers/calls/{cid}/roster?reveal=true", token=c.tokens["township_official"])
    assert shown.status_code == 200 and shown.json["confirmed"][0]["phone"] == _phone_of(c, a)
    assert len([e for e in audit.entries(c.code, month) if e.subject == cid]) == seen + 1
    # Not for the volunteers, the grid worker or another county.
    assert client.get(f"/volunteers/calls/{cid}/roster", token=a).status_code == 403
    assert client.get(f"/volunteers/calls/{cid}/roster", token=c.tokens["grid_worker"]).status_code == 403

    r = client.get(f"/volunteers/calls/{cid}/roster.xlsx", token=c.tokens["village_admin"])
    assert r.status_code == 200 and r.json["filename"].endswith(".xlsx")
    data = urllib.request.urlopen(r.json["url"]).read()  # noqa: S310 - the embedded S3's presigned link
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("状态", "候补序号", "姓名") and len(rows) == 3
    assert rows[1][0] == "已确认" and rows[1][4] == _phone_of(c, a) and rows[2][:2] == ("候补", 1)


def test_check_in_by_code_and_hours_give_a_party_member_points(client, county):
    c = county
    cid = _post(c, slots=3)["id"]
    other_cid = _post(c, slots=3)["id"]
    villager = _volunteer(c)[0]
    pm = c.add_staff("party_member", c.grid)
    pm_uid = client.get("/me", token=pm).json["user_id"]
    # A party member is not a villager of a household: they still live in the grid (resident role).
    assert client.put("/volunteers/me", {"skills": ["驾驶"], "sms": False}, token=pm).status_code == 200
    waiter_token = _volunteer(c)[0]
    code_v = client.post(f"/volunteers/calls/{cid}/signups", token=villager).json["mine"]["code"]
    pm_signup = client.post(f"/volunteers/calls/{cid}/signups", token=pm).json["mine"]
    admin = c.tokens["village_admin"]

    r = client.post(f"/volunteers/calls/{cid}/checkins", {"code": code_v}, token=admin)
    assert r.status_code == 200 and r.json["checked_in_at"] and r.json["status"] == "confirmed"
    again = client.post(f"/volunteers/calls/{cid}/checkins", {"code": code_v}, token=admin)
    assert again.json == r.json
    wrong = client.post(f"/volunteers/calls/{other_cid}/checkins", {"code": code_v}, token=admin)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "code_wrong_call"
    forged = code_v[:-3] + ("AAA" if not code_v.endswith("AAA") else "BBB")
    assert client.post(f"/volunteers/calls/{cid}/checkins", {"code": forged}, token=admin).status_code == 422
    assert client.post(f"/volunteers/calls/{cid}/checkins", {"code": "hello"}, token=admin).status_code == 422
    assert client.post(f"/volunteers/calls/{cid}/checkins", {"code": code_v},
                       token=waiter_token).status_code == 403
    # Checked in: the person can no longer cancel; check-out records the hours (a villager: no points).
    assert client.delete(f"/volunteers/calls/{cid}/signups/mine", token=villager).status_code == 409
    out = client.post(f"/volunteers/calls/{cid}/checkouts", {"code": code_v}, token=admin)
    assert out.status_code == 200 and out.json["hours"] == 0.5 and out.json["points"] is None

    # The organiser records the party member's hours: their volunteer points rise, once.
    before = client.get(f"/vanguard/points/{pm_uid}", token=pm).json["balance"]
    r = client.post(f"/volunteers/calls/{cid}/hours", {"signup": pm_signup["id"], "hours": 3}, token=admin)
    assert r.status_code == 200 and r.json["hours"] == 3.0 and r.json["points"] == 5, r.json
    ledger = client.get(f"/vanguard/points/{pm_uid}", token=pm).json
    assert ledger["balance"] == before + 5 and ledger["month"]["volunteer"] == 5
    assert ledger["entries"][0]["source"] == "volunteer" and ledger["entries"][0]["ref"] == pm_signup["id"]
    r = client.post(f"/volunteers/calls/{cid}/hours", {"signup": pm_signup["id"], "hours": 4}, token=admin)
    assert r.json["hours"] == 4.0 and client.get(f"/vanguard/points/{pm_uid}", token=pm).json["balance"] == before + 5
    # Bad input: an unknown sign-up, hours out of range.
    assert client.post(f"/volunteers/calls/{cid}/hours", {"signup": "0" * 12, "hours": 1},
                       token=admin).status_code == 404
    assert client.post(f"/volunteers/calls/{cid}/hours", {"signup": pm_signup["id"], "hours": 25},
                       token=admin).status_code == 422
    assert client.get("/volunteers/calls/nosuchcall", token=admin).status_code == 404


def test_a_residents_list_and_a_call_cost_the_same_whatever_the_calls(client, county):
    from tests.conftest import dynamodb_calls

    c = county
    token = _volunteer(c)[0]
    for i in range(3):
        _post(c, title=f"村级招募{i}")
        _post(c, token=c.tokens["township_official"], place=c.township, title=f"镇级招募{i}")
        _post(c, token=c.tokens["county_admin"], place=c.code, title=f"县级招募{i}")
    with dynamodb_calls() as calls:
        r = client.get(f"/volunteers/calls?place={c.village}", token=token)
    assert r.status_code == 200 and len(r.json["items"]) == 9
    assert calls.count("Query") == 3 and len(calls) <= 4, calls  # one Query per place level (+ the county, cached)
    cid = r.json["items"][0]["id"]
    with dynamodb_calls() as calls:
        assert client.get(f"/volunteers/calls/{cid}", token=token).status_code == 200
    assert len(calls) <= 3, calls
