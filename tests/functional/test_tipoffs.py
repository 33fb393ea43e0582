"""Epidemic tip-offs (疫情举报) against the embedded AWS: report (optionally anonymous), rate limit, the village
handles it and the reporter sees the outcome, the county command sees and is sent every tip-off, weekly counts."""

from __future__ import annotations

import json

from tests.conftest import County


def tip(c: County, token: str, **kw):
    body = {"category": "gathering", "description": "村口小卖部每天下午有人聚集打牌", "location": "村口小卖部", **kw}
    return c.api.post("/tipoffs", body, token=token)


def test_report_handle_and_follow_the_outcome(county, events):
    c = county
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    me = session["access_token"]
    r = tip(c, me)
    assert r.status_code == 201, r.json
    assert r.json["village"] == c.village and r.json["status"] == "open" and r.json["reporter"]
    anon = tip(c, me, category="returnee", description="邻居家儿子昨天从外省返乡，未登记", anonymous=True)
    assert anon.status_code == 201, anon.json
    assert anon.json["reporter"] is not None  # the reporter sees their own name

    staff_view = c.api.get(f"/tipoffs?village={c.village}", token=c.tokens["village_admin"])
    assert staff_view.status_code == 200, staff_view.json
    by_id = {t["id"]: t for t in staff_view.json["items"]}
    assert by_id[anon.json["id"]]["reporter"] is None and by_id[r.json["id"]]["reporter"]
    assert [t["id"] for t in staff_view.json["items"]] == [anon.json["id"], r.json["id"]]  # newest first
    command = c.api.get("/tipoffs", token=c.tokens["epidemic_command"])  # the county's whole list
    assert {t["id"] for t in command.json["items"]} == {r.json["id"], anon.json["id"]}
    assert c.api.get("/tipoffs", token=c.tokens["village_admin"]).status_code == 403

    h = c.api.put(f"/tipoffs/{r.json['id']}", {"status": "handling", "note": "已派网格员核实"},
                  token=c.tokens["village_admin"])
    assert h.status_code == 200 and h.json["status"] == "handling"
    closed = c.api.put(f"/tipoffs/{r.json['id']}", {"status": "closed", "disposition": "warned",
                                                     "note": "已上门劝导，聚集已解散"}, token=c.tokens["village_admin"])
    assert closed.status_code == 200 and closed.json["disposition"] == "warned"
    again = c.api.put(f"/tipoffs/{r.json['id']}", {"status": "handling"}, token=c.tokens["village_admin"])
    assert again.status_code == 422
    no_disposition = c.api.put(f"/tipoffs/{anon.json['id']}", {"status": "closed"}, token=c.tokens["village_admin"])
    assert no_disposition.status_code == 422
    assert no_disposition.json["error"]["details"][0]["field"] == "disposition"

    mine = c.api.get("/tipoffs/mine", token=me)
    assert mine.status_code == 200, mine.json
    outcome = {t["id"]: (t["status"], t["disposition"]) for t in mine.json["items"]}
    assert outcome == {r.json["id"]: ("closed", "warned"), anon.json["id"]: ("open", None)}
    inbox = c.api.get("/inbox", token=me).json["items"]
    assert any("聚集活动举报已办结" in m["title"] and "已劝导警示" in m["body"] for m in inbox)

    stats = c.api.get(f"/tipoffs/stats?place={c.code}&weeks=4", token=c.tokens["epidemic_command"])
    assert stats.status_code == 200, stats.json
    counts = {(row["category"], row["village"]): row["count"] for row in stats.json["rows"]}
    assert counts == {("gathering", c.village): 1, ("returnee", c.village): 1}
    assert {row["village_name"] for row in stats.json["rows"]} == {"测试村"}


def test_who_may_see_and_handle(county):
    c = county
    a, b = c.household(members=1), c.household(members=1)
    _, sa = c.villager(a["id"])
    _, sb = c.villager(b["id"])
    r = tip(c, sa["access_token"], anonymous=True)
    tid = r.json["id"]
    assert c.api.get(f"/tipoffs/{tid}", token=sb["access_token"]).status_code == 404  # another villager
    assert c.api.get(f"/tipoffs/{tid}", token=sa["access_token"]).status_code == 200
    assert c.api.put(f"/tipoffs/{tid}", {"status": "handling"}, token=sa["access_token"]).status_code == 403
    # a grid worker holds no tipoffs.handle anywhere: refused by the route's declaration, whatever the tip-off
    assert c.api.put(f"/tipoffs/{tid}", {"status": "handling"}, token=c.tokens["grid_worker"]).status_code == 403
    assert c.api.get(f"/tipoffs/{tid}", token=c.tokens["village_admin"]).json["reporter"] is None
    assert c.api.get("/tipoffs/330825001201-0000000000000-deadbeef", token=c.tokens["county_admin"]).status_code \
        == 404
    assert c.api.get("/tipoffs/not-an-id", token=c.tokens["county_admin"]).status_code == 404
    bad = c.api.post("/tipoffs", {"category": "rumour", "description": "x"}, token=sa["access_token"])
    assert bad.status_code == 422
    other_village = tip(c, sa["access_token"], village=c.township + "999")
    assert other_village.status_code == 422


def test_anonymous_reports_are_still_rate_limited(county):
    c = county
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    codes = [tip(c, session["access_token"], anonymous=True).status_code for _ in range(11)]
    assert codes[:10] == [201] * 10 and codes[10] == 429


def test_the_command_is_sent_every_tipoff(county, client, operator_token, events):
    from chalicelib.core.aws import client as aws_client

    c = county
    sqs = aws_client("sqs")
    queue = sqs.create_queue(QueueName=f"tips-{c.code}")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert c.api.post("/alerts/subscriptions", {"protocol": "sqs", "endpoint": qarn},
                      token=c.tokens["epidemic_command"]).status_code == 201
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    r = tip(c, session["access_token"], anonymous=True)
    events.drain()
    msgs = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    bodies = [json.loads(m["Body"]) for m in msgs]
    tipoffs = [b for b in bodies if b["MessageAttributes"]["kind"]["Value"] == "tipoff"]
    assert len(tipoffs) == 1 and json.loads(tipoffs[0]["Message"])["tipoff"] == r.json["id"]
    assert session["user_id"] not in tipoffs[0]["Message"]
    events.drain()  # the mark's own stream record sends nothing
    from chalicelib.cases.models import Case
    from chalicelib.core import streams

    prefix, county, number = r.json["id"].split("-")  # a tip-off is a case: JB-{county}-{number}
    assert (prefix, county) == ("JB", c.code)
    item = Case.get(f"{c.code}#CASE#{prefix}-{number}", "A")
    # a redelivery: nothing sent again, and its words (问题分析) were counted once already
    assert streams.dispatch([{"eventName": "INSERT", "dynamodb": {"NewImage": item.serialize()}}]) == {
        "words_duplicate": 1}
    assert not sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages")  # nor a redelivery


def test_tipoffs_filed_before_the_case_workflow_become_cases_losing_nothing(county):
    """Old tip-off items (as the previous version wrote them) are moved onto the workflow by the migration: same
    words, reporter, status and disposition, reachable by their old id, in the reporter's list, counted, not
    forwarded to the command again; a second run moves nothing."""
    from chalicelib.core import clock
    from chalicelib.core.db import key
    from chalicelib.tipoffs import migrate
    from chalicelib.tipoffs.models import Tipoff, TipoffRef

    c = county
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    me = session["access_token"]
    uid = session["user_id"]
    now = clock.now()
    week = migrate.cases.week_of(now.astimezone(clock.SHANGHAI).date())
    old = []
    for i, (status, disposition) in enumerate((("open", None), ("handling", None), ("closed", "warned"))):
        ms, rand = f"{int(now.timestamp() * 1000) - 1000 * (3 - i):013d}", f"{i:08x}"
        tid = f"{c.village}-{ms}-{rand}"
        Tipoff(Tipoff.partition(c.code, c.village), f"{ms}#{rand}", tid=tid, village=c.village, category="gathering",
               description=f"旧举报{i}", location="村口", anonymous=i == 0, reporter_uid=uid, reporter_name="举报人",
               status=status, disposition=disposition, note="已上门" if status != "open" else None,
               handled_by=None if status == "open" else "staff", handled_by_name=None if status == "open" else "村干部",
               handled_at=None if status == "open" else clock.iso(now), created_at=clock.iso(now), week=week,
               forwarded_at=clock.iso(now), gsi1pk=Tipoff.county_index(c.code),
               gsi1sk=f"{ms}#{c.village}#{rand}").save()
        TipoffRef(key(c.code, "TIPU", uid), f"{ms}#{rand}", tid=tid).save()
        old.append(tid)
    assert migrate.run_pending([c.code]) == {c.code: {"tipoffs": 3}}
    assert migrate.run_pending([c.code]) == {}  # marked done
    assert migrate.backfill(c.code) == {"tipoffs": 0}  # and nothing left to move anyway

    mine = c.api.get("/tipoffs/mine", token=me).json["items"]
    assert [(t["description"], t["status"], t["disposition"]) for t in mine] == [
        ("旧举报2", "closed", "warned"), ("旧举报1", "handling", None), ("旧举报0", "open", None)]
    by_old = c.api.get(f"/tipoffs/{old[2]}", token=c.tokens["village_admin"])
    assert by_old.status_code == 200 and by_old.json["id"].startswith(f"JB-{c.code}-")
    assert by_old.json["handled_by"] == "村干部" and by_old.json["note"] == "已上门"
    staff = c.api.get(f"/tipoffs?village={c.village}", token=c.tokens["village_admin"]).json["items"]
    assert [t["reporter"] for t in staff if t["description"] == "旧举报0"] == [None]  # still anonymous
    case = c.api.get(f"/cases/{by_old.json['id']}", token=me).json
    assert [e["event"] for e in case["timeline"]] == ["filed", "resolved"]
    stats = c.api.get(f"/tipoffs/stats?place={c.village}&weeks=1", token=c.tokens["village_admin"]).json
    assert [(r["category"], r["count"]) for r in stats["rows"]] == [("gathering", 3)]
    # The old items are gone; a legacy id that never existed is still a 404.
    assert not list(Tipoff.gsi1.query(Tipoff.county_index(c.code)))
    assert c.api.get(f"/tipoffs/{c.village}-0000000000000-deadbeef", token=me).status_code == 404
