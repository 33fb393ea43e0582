"""党员联户 and the reminder chain against the embedded AWS, with a moved clock and the scheduled handler run
through the local runner: self-report → the linked party member reminds → grid workers report on behalf."""

from __future__ import annotations

import pytest

from chalicelib.core import notify
from tests.conftest import County
from tests.functional.test_daily_report import colours, morning  # noqa: F401 - fixture


@pytest.fixture
def village(client, operator_token, morning):  # noqa: F811
    c = County(client, operator_token)
    r = c.api.put("/reports/settings", {"cutoff": "10:00", "party_reminder_at": "09:00", "grid_reminder_at": "11:00"},
                  token=c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    return c


def inbox_titles(c: County, token: str) -> list[str]:
    r = c.api.get("/inbox?limit=50", token=token)
    assert r.status_code == 200, r.json
    return [m["title"] for m in r.json["items"]]


def fresh(c: County, role: str) -> str:
    """A new token after the clock moved past the old one's lifetime."""
    return c.api.sign_in(c.phones[role], c.code)["access_token"]


def test_the_reminder_chain(village, events, morning):  # noqa: F811
    c = village
    pm_token = c.add_staff("party_member", c.grid)
    pm = c.api.get("/me", token=pm_token).json["user_id"]
    listed = c.api.get(f"/party-links/members?place={c.grid}", token=c.tokens["grid_worker"])
    assert listed.status_code == 200, listed.json  # a grid worker may not list staff, but finds the party members
    assert [m["id"] for m in listed.json["items"]] == [pm] and "*" in listed.json["items"][0]["phone"]
    h1, h2, h3 = (c.household(members=2) for _ in range(3))
    r = c.api.post("/party-links", {"member": pm, "households": [h1["id"], h2["id"]]}, token=c.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    assert {h["id"] for h in r.json["items"]} == {h1["id"], h2["id"]}

    _, session = c.villager(h1["id"])
    assert c.api.post("/reports", {"household": h1["id"], "members": colours(h1)},
                      token=session["access_token"]).status_code == 201
    events.drain()  # the household's day status follows from the report's stream record (seconds)

    own = c.api.post("/reports/reminders", {"household": h2["id"]}, token=session["access_token"])
    assert own.status_code == 403, own.json  # a villager may not remind at all (core/http: the route's permission)
    own = c.api.post("/reports/reminders", {"household": h1["id"]}, token=session["access_token"])
    assert own.status_code == 403, own.json  # a villager reports; reminding is for the party member and the grid

    events.tick()  # 08:00: nothing is due yet
    assert not any("党员联户" in t for t in inbox_titles(c, pm_token))

    morning.advance(hours=1, minutes=1)  # 09:01: the party member's list
    pm_token = fresh(c, "party_member")
    events.tick()
    events.tick()  # a second tick the same day sends nothing again
    titles = [t for t in inbox_titles(c, pm_token) if "党员联户" in t]
    assert titles == ["党员联户提醒：1 户今日尚未上报"]

    mine = c.api.get(f"/party-links?member={pm}", token=pm_token)
    assert mine.status_code == 200, mine.json
    assert {h["id"]: h["reported_today"] for h in mine.json["items"]} == {h1["id"]: True, h2["id"]: False}

    head_phone = next(m for m in h2["members"] if m["relation"] == "户主")["phone"]
    assert head_phone not in str(mine.json)  # the party member never sees the number; the SMS goes to it all the same
    outbox = notify.sms()
    sms_before = len(outbox.messages())
    sent = c.api.post("/reports/reminders", {"household": h2["id"]}, token=pm_token)
    assert sent.status_code == 200, sent.json
    assert sent.json["already"] is False and sent.json["by_name"] == "测试party_member"
    again = c.api.post("/reports/reminders", {"household": h2["id"]}, token=pm_token)
    assert again.status_code == 200 and again.json["already"] is True
    new = outbox.messages()[sms_before:]
    assert len(new) == 1 and "健康上报" in new[0]["text"] and new[0]["template"] == "report_reminder"
    assert "提醒人：测试part（党员）" in new[0]["text"]  # a template's variable holds at most 6 characters

    assert c.api.post("/reports/reminders", {"household": h1["id"]}, token=pm_token).status_code == 409
    assert c.api.post("/reports/reminders", {"household": h3["id"]}, token=pm_token).status_code == 404

    morning.advance(hours=2)  # 11:01: grid workers get what is still missing
    gw_token = fresh(c, "grid_worker")
    events.tick()
    titles = [t for t in inbox_titles(c, gw_token) if "网格兜底" in t]
    assert titles == ["网格兜底：第一网格 2 户今日尚未上报"]

    proxy = c.api.post("/reports", {"household": h2["id"], "members": colours(h2)}, token=gw_token)
    assert proxy.status_code == 201 and proxy.json["proxy"] is True
    events.drain()
    left = c.api.get(f"/reports/unreported?grid={c.grid}", token=gw_token).json["items"]
    assert [h["id"] for h in left] == [h3["id"]]


def test_linking_rules(village, client, operator_token):
    c = village
    pm_token = c.add_staff("party_member", c.grid)
    pm = c.api.get("/me", token=pm_token).json["user_id"]
    gw = c.api.get("/me", token=c.tokens["grid_worker"]).json["user_id"]
    hh = c.household(members=1)
    not_party = c.api.post("/party-links", {"member": gw, "households": [hh["id"]]}, token=c.tokens["grid_worker"])
    assert not_party.status_code == 422 and not_party.json["error"]["details"][0]["code"] == "not_party_member"

    other = County(client, operator_token)
    theirs = other.household(members=1)
    assert c.api.post("/party-links", {"member": pm, "households": [theirs["id"]]},
                      token=c.tokens["grid_worker"]).status_code == 404
    # a villager may not link; a party member may not link themself
    _, session = c.villager(hh["id"])
    for token in (session["access_token"], pm_token):
        assert c.api.post("/party-links", {"member": pm, "households": [hh["id"]]}, token=token).status_code == 403

    pm2_phone_token = c.add_staff("party_member", c.grid)
    pm2 = c.api.get("/me", token=pm2_phone_token).json["user_id"]
    assert c.api.post("/party-links", {"member": pm, "households": [hh["id"]]},
                      token=c.tokens["grid_worker"]).status_code == 200
    moved = c.api.post("/party-links", {"member": pm2, "households": [hh["id"]]}, token=c.tokens["village_admin"])
    assert moved.status_code == 200, moved.json  # a household has one party member: linking again moves it
    assert c.api.get(f"/party-links?member={pm}", token=c.tokens["grid_worker"]).json["items"] == []
    assert [h["id"] for h in c.api.get(f"/party-links?member={pm2}", token=pm2_phone_token).json["items"]] \
        == [hh["id"]]
    assert c.api.delete(f"/party-links/{hh['id']}", token=c.tokens["grid_worker"]).status_code == 204
    assert c.api.get(f"/party-links?member={pm2}", token=pm2_phone_token).json["items"] == []
    assert c.api.delete(f"/party-links/{hh['id']}", token=c.tokens["grid_worker"]).status_code == 404
