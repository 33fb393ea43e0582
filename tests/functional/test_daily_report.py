"""Daily report (每日上报) against the embedded AWS: submit and replace, idempotent retries, 代报, completion
counters fed by the stream handler through the local runner, the unreported list, cut-off, trends, alerts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chalicelib.core import clock
from chalicelib.core.clock import SHANGHAI, Clock, FrozenClock
from tests.conftest import County, dynamodb_calls


@pytest.fixture
def morning():
    """The clock at the latest 08:00 (Asia/Shanghai) already past, movable; restored afterwards. Never in the
    future: the session's operator token, issued by the real clock, must not have expired at the frozen time."""
    now = dt.datetime.now(SHANGHAI)
    day = now.date() if now.time() >= dt.time(8, 0) else now.date() - dt.timedelta(days=1)
    c = FrozenClock(dt.datetime.combine(day, dt.time(8, 0), tzinfo=SHANGHAI).astimezone(dt.UTC))
    clock.set_clock(c)
    yield c
    clock.set_clock(Clock())


@pytest.fixture
def village(client, operator_token, morning):
    return County(client, operator_token)


def colours(hh: dict, colour: str = "green", **overrides) -> list[dict]:
    return [{"member": m["id"], "colour": overrides.get(m["name"], colour)} for m in hh["members"]]


def report(c: County, hh: dict, token: str, outside=None, key: str | None = None, **overrides):
    body = {"household": hh["id"], "members": colours(hh, **overrides), "outside": outside or []}
    headers = {"Idempotency-Key": key} if key else None
    return c.api.post("/reports", body, token=token, headers=headers)


def completion(c: County, place: str, token: str | None = None, **params) -> dict:
    q = "&".join(f"{k}={v}" for k, v in {"place": place, **params}.items())
    r = c.api.get(f"/reports/completion?{q}", token=token or c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    return r.json


def test_villager_reports_and_a_second_report_replaces_the_first(village, events, morning):
    c = village
    hh = c.household(members=3)
    _, session = c.villager(hh["id"])
    token = session["access_token"]
    r = report(c, hh, token)
    assert r.status_code == 201, r.json
    assert r.json["level"] == "green" and r.json["date"] == clock.today().isoformat()
    assert {m["colour"] for m in r.json["members"]} == {"green"} and not r.json["proxy"]

    morning.advance(minutes=5)
    second = report(c, hh, token, outside=[{"from_place": "杭州", "count": 2}])
    assert second.status_code == 201, second.json
    events.drain()

    hist = c.api.get(f"/reports?household={hh['id']}", token=token)
    assert hist.status_code == 200, hist.json
    assert [i["id"] for i in hist.json["items"]] == [second.json["id"], r.json["id"]]  # both kept, newest first
    assert [i["current"] for i in hist.json["items"]] == [True, False]

    today = c.api.get(f"/reports/today?household={hh['id']}", token=token).json
    assert today["report"]["id"] == second.json["id"] and today["report"]["outside_persons"] == 2

    for place in (c.grid, c.village, c.township, c.code):  # counted once, with the replacement's figures
        got = completion(c, place)["place"]
        assert (got["expected"], got["reported"], got["green"], got["outside_households"],
                got["outside_persons"]) == (1, 1, 3, 1, 2), (place, got)
        assert got["rate"] == 1.0 and got["on_time"] == 1


def test_a_retry_with_the_same_key_changes_nothing(village, events):
    c = village
    hh = c.household(members=2)
    token = c.tokens["grid_worker"]
    first = report(c, hh, token, key="report-retry-0001")
    again = report(c, hh, token, key="report-retry-0001")
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    events.drain()
    hist = c.api.get(f"/reports?household={hh['id']}", token=token).json
    assert len(hist["items"]) == 1
    assert completion(c, c.grid)["place"]["reported"] == 1


def test_grid_worker_reports_on_behalf_and_it_is_recorded(village, events):
    c = village
    hh = c.household(members=2)
    r = report(c, hh, c.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    assert r.json["proxy"] is True and r.json["by_name"] == "测试grid_worker"
    events.drain()
    assert completion(c, c.village)["place"]["proxy"] == 1


def test_who_may_not_report(village):
    c = village
    hh = c.household(members=2)
    other = c.household(members=1)
    _, session = c.villager(other["id"])
    r = report(c, hh, session["access_token"])  # a villager of another household
    assert r.status_code == 404, r.json
    r = report(c, hh, c.tokens["epidemic_command"])  # may read households, may not report for them
    assert r.status_code == 403, r.json
    assert r.json["error"]["code"] == "forbidden_scope"
    grid2 = c.add_staff("grid_worker", c.grid2)
    assert report(c, hh, grid2).status_code == 404


def test_bad_reports_are_refused_and_keep_what_was_accepted(village, events):
    c = village
    hh = c.household(members=2)
    token = c.tokens["grid_worker"]
    assert report(c, hh, token).status_code == 201
    missing = c.api.post("/reports", {"household": hh["id"], "members": colours(hh)[:1]}, token=token)
    assert missing.status_code == 422 and missing.json["error"]["details"][0]["code"] == "member_missing"
    stranger = c.api.post("/reports", {"household": hh["id"], "members": colours(hh) + [
        {"member": "0123456789ab", "colour": "green"}]}, token=token)
    assert stranger.status_code == 422
    purple = c.api.post("/reports", {"household": hh["id"], "members": colours(hh, "purple")}, token=token)
    assert purple.status_code == 422
    dup = c.api.post("/reports", {"household": hh["id"], "members": colours(hh) * 2}, token=token)
    assert dup.status_code == 422
    too_many = report(c, hh, token, outside=[{"from_place": "武汉", "count": 51}])
    assert too_many.status_code == 422
    assert c.api.post("/reports", {"household": "0" * 16, "members": colours(hh)}, token=token).status_code == 404
    events.drain()
    assert completion(c, c.grid)["place"]["reported"] == 1
    assert len(c.api.get(f"/reports?household={hh['id']}", token=token).json["items"]) == 1


def test_unreported_households_of_a_grid_in_one_query(village, events, app):

    c = village
    hhs = [c.household(members=1) for _ in range(4)]
    c.household(members=1, grid=c.grid2, token=c.tokens["county_admin"])  # another grid's never shows
    for hh in hhs[:3]:
        assert report(c, hh, c.tokens["grid_worker"]).status_code == 201
    events.drain()  # the household's day status follows from the report's stream record
    with dynamodb_calls() as calls:
        r = c.api.get(f"/reports/unreported?grid={c.grid}", token=c.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    assert [h["id"] for h in r.json["items"]] == [hhs[3]["id"]]
    assert calls.count("Query") == 1 and "Scan" not in calls


def test_unreported_contacts_are_masked_unless_the_role_may_see_them(village, events, app):
    """The console's drill-down ends at a grid's unreported households with their contacts: household number,
    head, address and the head's phone — in full for the grid worker and village admin (households.pii), masked
    for the county admin and the epidemic command. Phones are only read when asked for (contacts=true): one BatchGet
    of the page's heads, whatever the number of households on the page."""

    c = village
    hh = c.household(members=2)
    head_phone = next(m["phone"] for m in c.api.get(f"/households/{hh['id']}", token=c.tokens["village_admin"])
                      .json["members"] if m["relation"] == "户主")
    assert "*" not in head_phone
    masked = f"{head_phone[:3]}****{head_phone[-4:]}"
    url = f"/reports/unreported?grid={c.grid}&contacts=true"

    for role, phone in (("grid_worker", head_phone), ("village_admin", head_phone), ("county_admin", masked),
                        ("epidemic_command", masked)):
        r = c.api.get(url, token=c.tokens[role])
        assert r.status_code == 200, (role, r.json)
        assert r.json["grid_name"] == "第一网格" and r.json["grid"] == c.grid
        assert r.json["phones_masked"] is (phone == masked), role
        item = next(i for i in r.json["items"] if i["id"] == hh["id"])
        assert (item["head_name"], item["address"], item["head_phone"]) == ("户主甲", "测试村1号", phone), role
        assert "ref" in item

    plain = c.api.get(f"/reports/unreported?grid={c.grid}", token=c.tokens["county_admin"])
    assert plain.status_code == 200
    assert "head_phone" not in plain.json["items"][0] or plain.json["items"][0]["head_phone"] is None
    assert plain.json["phones_masked"] is None

    with dynamodb_calls() as calls:
        r = c.api.get(url, token=c.tokens["county_admin"])
    assert calls.count("Query") == 1 and calls.count("BatchGetItem") == 1 and "Scan" not in calls, calls
    few = len(calls)
    for _ in range(4):
        c.household(members=2)
    with dynamodb_calls() as calls:
        r = c.api.get(url, token=c.tokens["county_admin"])
    assert len(r.json["items"]) == 5 and len(calls) == few, calls  # the same calls for five households as for one
    assert all(i["head_phone"] and "*" in i["head_phone"] for i in r.json["items"])

    # Another county's staff, or a grid worker of the other grid, get nothing of it.
    assert c.api.get(f"/reports/unreported?grid={c.grid2}&contacts=true",
                     token=c.tokens["grid_worker"]).status_code == 403
    bad = c.api.get(f"/reports/unreported?grid={c.grid}&contacts=maybe", token=c.tokens["county_admin"])
    assert bad.status_code == 422 and bad.json["error"]["code"]


def test_on_time_follows_the_county_cut_off(village, events, morning):
    c = village
    r = c.api.put("/reports/settings", {"cutoff": "09:00", "party_reminder_at": "08:30", "grid_reminder_at": "10:00"},
                  token=c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    early, late = c.household(members=1), c.household(members=1)
    assert report(c, early, c.tokens["grid_worker"]).status_code == 201  # 08:00
    morning.advance(hours=2)  # 10:00, after the cut-off
    token = c.api.sign_in(c.phones["grid_worker"], c.code)["access_token"]
    assert report(c, late, token).status_code == 201
    assert report(c, early, token).status_code == 201  # a late replacement of an on-time report stays on time
    events.drain()
    got = completion(c, c.grid, token=c.api.sign_in(c.admin_phone, c.code)["access_token"])["place"]
    assert (got["reported"], got["on_time"], got["on_time_rate"]) == (2, 1, 0.5)


def test_completion_costs_the_same_calls_whatever_the_size(village, events):

    c = village

    def calls_for(place: str) -> list[str]:
        with dynamodb_calls() as seen:
            r = c.api.get(f"/reports/completion?place={place}&children=true", token=c.tokens["county_admin"])
            assert r.status_code == 200, r.json
        return [op for op in seen if op != "GetItem"]  # the county record (cached in production)

    small = {p: calls_for(p) for p in (c.code, c.village)}
    for _ in range(6):
        assert report(c, c.household(members=1), c.tokens["grid_worker"]).status_code == 201
    events.drain()
    assert {p: calls_for(p) for p in (c.code, c.village)} == small


def test_red_code_reaches_the_command_and_is_acknowledged_and_closed(village, events, app):
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings
    from chalicelib.core.notify import topic_arn

    c = village
    sqs = client("sqs")
    queue = sqs.create_queue(QueueName=f"command-{c.code}")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    r = c.api.post("/alerts/subscriptions", {"protocol": "sqs", "endpoint": qarn}, token=c.tokens["epidemic_command"])
    assert r.status_code == 201, r.json

    hh = c.household(members=3)
    red = report(c, hh, c.tokens["grid_worker"], 成员0="red")
    assert red.status_code == 201 and red.json["level"] == "red"
    assert events.drain() >= 1

    msgs = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    assert len(msgs) == 1
    body = json.loads(msgs[0]["Body"])
    attrs = body["MessageAttributes"]
    assert attrs["tenant"]["Value"] == c.code and attrs["village"]["Value"] == c.village
    note = json.loads(body["Message"])
    assert note["level"] == "red" and note["count"] == 1 and "成员0" not in body["Message"]  # no names on SNS
    assert topic_arn(settings().alerts_topic).startswith("arn:")

    alerts = c.api.get("/alerts?status=open", token=c.tokens["epidemic_command"])
    assert alerts.status_code == 200, alerts.json
    [alert] = alerts.json["items"]
    assert alert["household"] == hh["id"] and alert["members"] == [{"name": "成员0", "colour": "red"}]
    assert alert["village_name"] == "测试村"

    events.drain()  # a second delivery publishes nothing again
    assert not sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages")

    assert c.api.post(f"/alerts/{alert['id']}/ack", token=c.tokens["grid_worker"]).status_code == 403
    ack = c.api.post(f"/alerts/{alert['id']}/ack", token=c.tokens["epidemic_command"])
    assert ack.status_code == 200 and ack.json["status"] == "acknowledged"
    assert c.api.post(f"/alerts/{alert['id']}/ack", token=c.tokens["epidemic_command"]).status_code == 409
    closed = c.api.post(f"/alerts/{alert['id']}/close", {"note": "已安排居家隔离并复核"},
                        token=c.tokens["epidemic_command"])
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert c.api.get("/alerts?status=open", token=c.tokens["epidemic_command"]).json["items"] == []
    assert [a["note"] for a in c.api.get("/alerts?status=closed", token=c.tokens["epidemic_command"]).json["items"]] \
        == ["已安排居家隔离并复核"]
    events.drain()
    got = completion(c, c.code)["place"]
    assert (got["red"], got["green"], got["alert_households"]) == (1, 2, 1)


def test_another_countys_subscription_gets_nothing(village, client, operator_token, events):
    from chalicelib.core.aws import client as aws_client

    other = County(client, operator_token)
    sqs = aws_client("sqs")
    queue = sqs.create_queue(QueueName=f"command-{other.code}")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert client.post("/alerts/subscriptions", {"protocol": "sqs", "endpoint": qarn},
                       token=other.tokens["epidemic_command"]).status_code == 201
    hh = village.household(members=1)
    assert report(village, hh, village.tokens["grid_worker"], colour="yellow").status_code == 201
    events.drain()
    assert not sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages")


def test_trend_of_a_village(village, events, morning):
    c = village
    hh = c.household(members=2)
    assert report(c, hh, c.tokens["grid_worker"]).status_code == 201
    morning.advance(days=1)
    token = c.api.sign_in(c.phones["grid_worker"], c.code)["access_token"]
    assert report(c, hh, token, 成员0="yellow").status_code == 201
    events.drain()
    admin = c.api.sign_in(c.admin_phone, c.code)["access_token"]
    r = c.api.get(f"/reports/trend?place={c.village}&days=30", token=admin)
    assert r.status_code == 200, r.json
    days = r.json["days"]
    assert len(days) == 30 and days[-1]["date"] == clock.today().isoformat()
    assert [(d["reported"], d["yellow"]) for d in days[-2:]] == [(1, 0), (1, 1)]
    assert all(d["reported"] == 0 for d in days[:-2])


def _reports_of(c: County, hh: dict) -> list:
    from chalicelib.daily_report.models import Report

    return list(Report.query(f"{c.code}#DR#{hh['id']}", Report.sk.startswith("H#")))


def test_stream_records_are_counted_once(village, events):
    """A record delivered twice (Lambda retries a failed batch) changes the counters once: the household's day
    status already names the report."""
    from chalicelib.daily_report import events as handlers

    c = village
    hh = c.household(members=1)
    assert report(c, hh, c.tokens["grid_worker"]).status_code == 201
    events.drain()
    (r,) = _reports_of(c, hh)
    assert handlers.apply_reports([r]) == {"duplicate": 1}
    assert completion(c, c.grid)["place"]["reported"] == 1


def test_unreported_pages_are_one_query_each(village, events):
    """Late in the morning most households have reported: a page still costs one Query, and pages chain."""

    c = village
    hhs = [c.household(members=1) for _ in range(12)]
    for hh in hhs[:9]:
        assert report(c, hh, c.tokens["grid_worker"]).status_code == 201
    events.drain()
    seen, cursor, pages = [], None, 0
    with dynamodb_calls() as calls:
        while True:
            q = f"/reports/unreported?grid={c.grid}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            r = c.api.get(q, token=c.tokens["grid_worker"])
            assert r.status_code == 200, r.json
            seen += [h["id"] for h in r.json["items"]]
            pages += 1
            cursor = r.json["next_cursor"]
            if not cursor:
                break
    assert sorted(seen) == sorted(h["id"] for h in hhs[9:])
    assert pages == 2 and calls.count("Query") == pages


def test_a_redelivered_batch_counts_nothing_twice(village, events):
    """Batches are summed per counter and written in one transaction per chunk; delivered again (Lambda retries a
    failed batch), they fall back to one report at a time and count nothing twice."""
    from chalicelib.core import streams

    c = village
    hhs = [c.household(members=2) for _ in range(3)]
    for hh in hhs:
        assert report(c, hh, c.tokens["grid_worker"], 成员0="yellow").status_code == 201
    events.drain()
    before = completion(c, c.code)["place"]
    records = [{"eventName": "INSERT", "dynamodb": {"NewImage": r.serialize()}}
               for hh in hhs for r in _reports_of(c, hh)]
    assert len(records) == 3 and streams.dispatch(records) == {"duplicate": 3}
    after = completion(c, c.code)["place"]
    assert after == before
    assert (after["reported"], after["yellow"], after["green"], after["alert_households"]) == (3, 3, 3, 3)


def test_a_report_is_one_write_and_a_key_is_its_id(village, events, monkeypatch):
    """Issue 13: the request writes the report alone — one conditional PutItem, no transaction, nothing in the
    idempotency table; the Idempotency-Key is the report's id, so a retry answers the same, and the key with
    another body is 422."""
    from chalicelib.core.config import settings
    from chalicelib.daily_report import service

    def idempotency_records() -> int:
        from chalicelib.core.aws import client

        return client("dynamodb").scan(TableName=settings().idempotency_table, Select="COUNT")["Count"]

    transactions = []
    real = service.transact
    monkeypatch.setattr(service, "transact", lambda: transactions.append(1) or real())
    c = village
    hh = c.household(members=3)
    token = c.tokens["grid_worker"]
    before = idempotency_records()
    with dynamodb_calls() as calls:
        first = report(c, hh, token, key="one-write-0001")
    assert first.status_code == 201, first.json
    writes = [op for op in calls if op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")]
    assert writes == ["PutItem"] and transactions == [], (calls, transactions)
    assert idempotency_records() == before
    again = report(c, hh, token, key="one-write-0001")
    assert (again.status_code, again.json) == (201, first.json)
    other = report(c, hh, token, key="one-write-0001", 成员0="yellow")
    assert other.status_code == 422 and other.json["error"]["code"] == "idempotency_key_reused", other.json
    events.drain()
    assert len(_reports_of(c, hh)) == 1 and completion(c, c.grid)["place"]["reported"] == 1


def test_two_reports_before_the_stream_runs_count_one_household(village, events):
    """Two members report at (nearly) once: both reports are kept, the later one counts, the counters hold one
    household with the later figures; the two records delivered again change nothing."""
    from chalicelib.core import streams

    c = village
    hh = c.household(members=2)
    _, s1 = c.villager(hh["id"])
    _, s2 = c.villager(hh["id"])
    first = report(c, hh, s1["access_token"], 成员0="red")  # the frozen clock: both at the same instant
    second = report(c, hh, s2["access_token"])
    assert first.status_code == second.status_code == 201, (first.json, second.json)
    today = c.api.get(f"/reports/today?household={hh['id']}", token=s1["access_token"]).json
    assert today["report"]["id"] == second.json["id"]  # at once, before the stream has run
    events.drain()
    got = completion(c, c.grid)["place"]
    assert (got["reported"], got["green"], got["red"], got["alert_households"]) == (1, 2, 0, 0), got
    hist = c.api.get(f"/reports?household={hh['id']}", token=s1["access_token"]).json["items"]
    assert [(i["id"], i["current"]) for i in hist] == [(second.json["id"], True), (first.json["id"], False)]
    left = c.api.get(f"/reports/unreported?grid={c.grid}", token=c.tokens["grid_worker"]).json["items"]
    assert hh["id"] not in [h["id"] for h in left]

    records = [{"eventName": "INSERT", "dynamodb": {"NewImage": r.serialize()}}
               for r in sorted(_reports_of(c, hh), key=lambda r: r.at_ms)]
    assert streams.dispatch(records) == {"duplicate": 2}
    assert completion(c, c.grid)["place"] == got


def test_a_household_reported_under_the_old_layout_is_taken_over(village, events):
    """The day of the deploy: a household reported under the old layout (its report keyed by time, a DayStatus,
    counted through the DayStatus's stream record). Its status reads right, and a new report replaces it: still
    one household, with the new figures."""
    from chalicelib.core import pii
    from chalicelib.core.db import transact
    from chalicelib.daily_report.models import DayStatus, Report
    from chalicelib.daily_report.service import REPORT_DAYS, expires_in
    from chalicelib.households import service as households

    c = village
    hh = c.household(members=2)
    tenant, date, now = c.code, clock.today().isoformat(), clock.iso()
    ms = int(clock.now().timestamp() * 1000) - 60_000
    members = [{"id": m["id"], "name": m["name"], "colour": "yellow"} for m in hh["members"]]
    old = Report(Report.partition(tenant, hh["id"]), f"H#{date}#{ms:013d}#0ld0ld0ld0ld0ld0", rid="0ld0ld0ld0ld0ld0",
                 hid=hh["id"], date=date, grid=c.grid, village=c.village, submitted_at=now, by_user="u", by_name="老",
                 proxy=False, level="yellow", outside_persons=0, expires=expires_in(REPORT_DAYS),
                 detail_enc=pii.encrypt(tenant, json.dumps({"members": members, "outside": []})))
    old.save()
    DayStatus(Report.partition(tenant, hh["id"]), f"D#{date}", hid=hh["id"], date=date, grid=c.grid,
              rid=old.rid, first_at=now, submitted_at=now, on_time=True, proxy=False, outside_persons=0,
              summary_enc=pii.encrypt(tenant, json.dumps({"green": 0, "yellow": 2, "red": 0})),
              expires=expires_in(REPORT_DAYS)).save()
    with transact() as tx:  # what the old request wrote on the household: its last report date only
        households.mark_reported(tx, tenant, hh["id"], date)
    events.drain()  # the old handler counts the old day status
    got = completion(c, c.grid)["place"]
    assert (got["reported"], got["yellow"], got["on_time"]) == (1, 2, 1), got
    token = c.tokens["grid_worker"]
    assert c.api.get(f"/reports/today?household={hh['id']}", token=token).json["report"]["id"] == old.rid

    new = report(c, hh, token)
    assert new.status_code == 201, new.json
    events.drain()
    got = completion(c, c.grid)["place"]
    assert (got["reported"], got["yellow"], got["green"], got["on_time"], got["proxy"]) == (1, 0, 2, 1, 1), got
    hist = c.api.get(f"/reports?household={hh['id']}", token=token).json["items"]
    assert [(i["id"], i["current"]) for i in hist] == [(new.json["id"], True), (old.rid, False)]


def test_the_forms_today_is_the_newest_report_of_the_day_read_at_once(village, morning):
    """GET /reports/form's today comes from its strongly consistent page of last reports: yesterday's report is not
    today's, and a report replaced a moment ago is not today's any more (the home's forms are the same answer)."""
    c = village
    hh = c.household(members=2)
    assert report(c, hh, c.tokens["grid_worker"]).status_code == 201
    morning.advance(days=1)
    token = c.api.sign_in(c.phones["grid_worker"], c.code)["access_token"]
    form = c.api.get(f"/reports/form?household={hh['id']}", token=token).json
    assert form["today"]["report"] is None and [r["current"] for r in form["history"]["items"]] == [True]
    first, second = report(c, hh, token), report(c, hh, token, 成员0="yellow")
    assert first.status_code == 201 and second.status_code == 201, (first.json, second.json)
    form = c.api.get(f"/reports/form?household={hh['id']}", token=token).json
    assert form["today"]["date"] == clock.today().isoformat() and form["today"]["report"]["id"] == second.json["id"]
    assert form["today"] == c.api.get(f"/reports/today?household={hh['id']}", token=token).json
    assert [r["current"] for r in form["history"]["items"]] == [True, False, True]
