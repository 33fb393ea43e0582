"""村民信箱 on the case workflow: a letter to the village leaders (or the township), anonymous to staff if the writer
wishes, answered in a thread, rated; private to the writer and the offices in scope; unanswered after 3 working
days (the county's calendar, with public holidays and 调休 working weekends) it goes to the township."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.core import clock


@pytest.fixture
def village(county):
    c = county
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    c.tokens["villager"] = session["access_token"]
    other = c.household(members=1)
    c.tokens["neighbour"] = c.villager(other["id"])[1]["access_token"]
    return c


def write(c, token=None, **kw):
    body = {"to": "village", "category": "suggestion", "text": "建议在村口装两盏路灯，晚上太黑了", **kw}
    return c.api.post("/letters", body, token=token or c.tokens["villager"])


def test_a_letter_is_answered_in_a_thread_and_rated(village):
    c = village
    r = write(c, anonymous=True)
    assert r.status_code == 201, r.json
    ref = r.json["ref"]
    assert ref.startswith(f"XX-{c.code}-") and r.json["level"] == "village" and r.json["status_name"] == "待答复"
    assert r.json["due_at"] and r.json["filer"]  # the writer sees their own name
    staff = c.api.get(f"/cases/{ref}", token=c.tokens["village_admin"]).json
    assert staff["filer"] is None and staff["timeline"][0]["by"] == "提交人"  # anonymous to staff
    assert set(staff["actions"]) >= {"accept", "note", "resolve", "escalate"}

    noted = c.api.post(f"/cases/{ref}/actions", {"action": "note", "note": "已收到，村委会下周一商议"},
                       token=c.tokens["village_admin"])
    # A note is not the answer: the 3 working days run on until the letter is resolved with one.
    assert noted.status_code == 200 and noted.json["due_at"] == r.json["due_at"]
    reply = c.api.post(f"/cases/{ref}/actions", {"action": "reply", "note": "最好在桥头那边也装一盏"},
                       token=c.tokens["villager"])
    assert reply.status_code == 200, reply.json
    assert reply.json["timeline"][-1]["by_role"] == "filer" and reply.json["timeline"][-1]["event"] == "note"
    assert c.api.post(f"/cases/{ref}/actions", {"action": "reply", "note": "x"},
                      token=c.tokens["village_admin"]).status_code == 403  # staff answer with notes
    answer = c.api.post(f"/cases/{ref}/actions", {"action": "resolve", "outcome": "handled",
                                                   "note": "村委会已决定安装三盏路灯，月底前完工"},
                        token=c.tokens["village_admin"])
    assert answer.status_code == 200 and answer.json["status_name"] == "已答复"
    notices = [m["title"] for m in c.api.get("/inbox", token=c.tokens["villager"]).json["items"]]
    assert "您的意见建议来信有新的答复" in notices and "您的意见建议来信已答复" in notices
    rated = c.api.post(f"/cases/{ref}/actions", {"action": "rate", "rating": 4}, token=c.tokens["villager"])
    assert rated.status_code == 200 and rated.json["status"] == "closed"
    events = [e["event"] for e in rated.json["timeline"]]
    assert events == ["filed", "note", "note", "resolved", "rated"]


def test_letters_are_private_to_the_writer_and_the_offices_in_scope(village):
    c = village
    ref = write(c).json["ref"]
    assert c.api.get(f"/cases/{ref}", token=c.tokens["neighbour"]).status_code == 404
    assert c.api.get(f"/cases/{ref}", token=c.tokens["grid_worker"]).status_code == 404  # not grid staff
    assert c.api.get(f"/cases?place={c.grid}&type=letter", token=c.tokens["grid_worker"]).status_code == 403
    listed = c.api.get(f"/cases?place={c.village}&type=letter", token=c.tokens["village_admin"]).json["items"]
    assert [i["ref"] for i in listed] == [ref]
    assert c.api.get(f"/cases/{ref}", token=c.tokens["township_official"]).status_code == 200
    # A letter to the township starts there: the village office does not see it.
    up = write(c, to="township", category="complaint", text="镇上的公交车太少，能否增加班次").json
    assert up["level"] == "township" and up["place"] == c.township
    assert c.api.get(f"/cases/{up['ref']}", token=c.tokens["village_admin"]).status_code == 404
    assert c.api.get(f"/cases/{up['ref']}", token=c.tokens["township_official"]).status_code == 200
    # Not on any public list: the board and the duplicate suggestions are 随手拍 only.
    assert write(c, category="weather").status_code == 422
    assert write(c, text="短").status_code == 422


def test_an_unanswered_letter_goes_to_the_township_after_three_working_days(village, events):
    """Written on Wednesday 30 September 2026 at 10:00: 1–7 October are the National Day holiday, Saturday 10
    October is a 调休 working day, so the three working days are 8, 9 and 10 October and the letter is due at the
    end of the 10th (Asia/Shanghai)."""
    c = village
    clock.set_clock(clock.FrozenClock(dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)))  # 10:00 in Shanghai
    try:
        r = write(c)
        assert r.status_code == 201, r.json
    finally:
        clock.set_clock(clock.Clock())
    ref = r.json["ref"]
    assert r.json["due_at"] == "2026-10-10T16:00:00Z"  # midnight at the end of 10 October, Shanghai
    assert events.run_job("case_escalation", dt.datetime(2026, 10, 9, 12, 0, tzinfo=dt.UTC)).get(c.code) is None
    assert events.run_job("case_escalation", dt.datetime(2026, 10, 10, 16, 1, tzinfo=dt.UTC))[c.code] == 1
    up = c.api.get(f"/cases/{ref}", token=c.tokens["villager"]).json
    assert up["level"] == "township" and up["timeline"][-1]["event"] == "escalated"
    assert up["timeline"][-1]["detail"]["to"] == "township"
    notices = c.api.get("/inbox", token=c.tokens["villager"]).json["items"]
    assert any(m["title"] == "您的来信已转交乡镇（街道）办理" for m in notices)
    township = c.api.get(f"/cases?place={c.township}&type=letter&overdue=false",
                         token=c.tokens["township_official"]).json["items"]
    assert ref in [i["ref"] for i in township]
    # The township answers; the county was never needed.
    done = c.api.post(f"/cases/{ref}/actions", {"action": "resolve", "note": "已协调县交通局"},
                      token=c.tokens["township_official"])
    assert done.status_code == 200 and done.json["level"] == "township" and done.json["due_at"] is None
