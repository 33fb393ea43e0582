"""问题分析 on the embedded AWS: cases of every type filed over ten weeks (back-dated through the injected clock),
the stream rolls the case counters up and counts the texts' words, and the county's offices read the category ×
place × week matrix with its trend, the hotspot map, the top words and the anomaly flags, each in a constant number
of DynamoDB calls, and export each table to Excel."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
import requests

from chalicelib.core import clock
from chalicelib.core.tenancy import TenantContext
from tests.conftest import dynamodb_calls


@pytest.fixture
def filed(county, client, events):
    """Two villages of one township: village 1 (on the map) gets one tip-off a week for eight weeks, then six this
    week about its street lamps; village 2 (no coordinates) two 随手拍 this week."""
    from chalicelib.cases import service as cases

    c = county
    admin = c.tokens["county_admin"]
    c.village2 = c.township + "202"
    for code, name in ((c.village2, "第二村"), (c.village2 + "G01", "第二村一网格")):
        assert client.post("/places", {"code": code, "name": name}, token=admin).status_code == 201
    r = client.put(f"/places/{c.village}/location", {"lng": 119.172, "lat": 29.031}, token=admin)
    assert r.status_code == 200 and (r.json["lng"], r.json["lat"]) == (119.172, 29.031), r.json
    _, session = c.villager(c.household(members=1)["id"])
    ctx = TenantContext(c.code, session["user_id"], "")
    now = clock.now()
    c.now = now
    try:
        for weeks_ago in range(8, 0, -1):
            clock.set_clock(clock.FrozenClock(now - dt.timedelta(weeks=weeks_ago)))
            cases.file(ctx, "tipoff", category="gathering", text="祠堂有人聚餐", place=c.village, per_day=1000)
        clock.set_clock(clock.FrozenClock(now))
        for _ in range(6):
            cases.file(ctx, "tipoff", category="other", place=c.village, per_day=1000,
                       text="村口路灯坏了，张三家门口晚上漆黑，路灯一直不亮，电话13812345678")
        for _ in range(2):
            cases.file(ctx, "snap", category="sanitation", text="垃圾堆放在河边", place=c.village2 + "G01",
                       per_day=1000)
    finally:
        clock.set_clock(clock.Clock())
    events.drain()
    return c


def _week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def test_the_matrix_and_its_trend_count_every_case_type_by_place_and_week(filed, client):
    c = filed
    admin = c.tokens["county_admin"]
    r = client.get("/insights/cases?weeks=4", token=admin)
    assert r.status_code == 200, r.json
    m = r.json
    assert m["level"] == "county" and len(m["weeks"]) == 4 and m["weeks"][-1] == _week(clock.today())
    # current 4 weeks: 3 gatherings + 6 others in village 1, 2 snaps in village 2; previous 4 weeks: 4 gatherings
    assert m["total"] == {"current": 11, "previous": 4, "change": 7, "change_pct": 175.0}
    cats = {(x["type"], x["category"]): x for x in m["trend"]["categories"]}
    assert (cats[("tipoff", "gathering")]["current"], cats[("tipoff", "gathering")]["previous"]) == (3, 4)
    assert cats[("tipoff", "other")]["name"] == "其他风险" and cats[("tipoff", "other")]["current"] == 6
    assert cats[("snap", "sanitation")]["change_pct"] is None and cats[("snap", "sanitation")]["type_name"]
    assert m["trend"]["places"] == [{"place": c.township, "name": "测试街道", "current": 11, "previous": 4,
                                     "change": 7, "change_pct": 175.0}]
    assert sum(x["count"] for x in m["rows"]) == 11 and {x["place"] for x in m["rows"]} == {c.township}
    # a township official reads their township, by village; and one village of it
    own = client.get(f"/insights/cases?place={c.township}&weeks=4", token=c.tokens["township_official"]).json
    by_place = {x["place"]: (x["current"], x["previous"]) for x in own["trend"]["places"]}
    assert by_place == {c.village: (9, 4), c.village2: (2, 0)} and own["place_names"][c.village2] == "第二村"
    one = client.get(f"/insights/cases?place={c.village2}&weeks=4", token=c.tokens["township_official"]).json
    assert one["total"]["current"] == 2 and {x["place"] for x in one["rows"]} == {c.village2}


def test_hotspots_words_and_anomalies(filed, client):
    c = filed
    admin = c.tokens["county_admin"]
    h = client.get("/insights/hotspots?weeks=1", token=admin)
    assert h.status_code == 200, h.json
    assert h.json["points"] == [{"village": c.village, "name": "测试村", "township": c.township,
                                 "township_name": "测试街道", "count": 6, "lng": 119.172, "lat": 29.031}]
    assert [(u["village"], u["count"]) for u in h.json["unplaced"]] == [(c.village2, 2)] and h.json["max"] == 6
    w = client.get("/insights/words?weeks=1", token=admin)
    assert w.status_code == 200, w.json
    words = {x["word"]: x["count"] for x in w.json["words"]}
    assert words["路灯"] == 12 and words["河边"] == 2 and w.json["cases"] == 8
    assert "张三" not in words and not any(ch.isdigit() for x in words for ch in x)  # no names, no numbers
    town = client.get(f"/insights/words?place={c.township}&weeks=10", token=c.tokens["township_official"]).json
    assert town["cases"] == 16 and {x["word"] for x in town["words"]} >= {"路灯", "祠堂", "聚餐"}
    a = client.get("/insights/anomalies", token=admin)
    assert a.status_code == 200, a.json
    assert [(x["village"], x["count"], x["mean"], x["sd"]) for x in a.json["items"]] == [(c.village, 6, 1.0, 0.0)]
    assert a.json["items"][0]["history"] == [1] * 8 and "3 倍标准差" in a.json["rule"]
    last = client.get(f"/insights/anomalies?week={_week(clock.today() - dt.timedelta(weeks=1))}", token=admin)
    assert last.status_code == 200 and last.json["items"] == []  # one case a week is no jump


def test_each_read_costs_a_constant_number_of_calls(filed, client):
    c = filed
    admin = c.tokens["county_admin"]
    for path in ("/insights/cases", "/insights/hotspots", "/insights/words"):
        counts = []
        for weeks in (1, 26):
            client.get(f"{path}?weeks={weeks}", token=admin)  # warm the caches (county, categories)
            with dynamodb_calls() as calls:
                assert client.get(f"{path}?weeks={weeks}", token=admin).status_code == 200
            counts.append(len(calls))
        assert counts[0] == counts[1] <= 8, (path, counts)
    with dynamodb_calls() as calls:
        assert client.get("/insights/anomalies", token=admin).status_code == 200
    assert calls.count("BatchGetItem") <= 3 and "Scan" not in calls


def test_every_table_exports_to_excel(filed, client):
    c = filed
    admin = c.tokens["county_admin"]
    r = client.post("/insights/export", {"table": "cases", "weeks": 4}, token=admin)
    assert r.status_code == 200 and r.json["filename"].endswith(".xlsx"), r.json
    rows = list(openpyxl.load_workbook(io.BytesIO(requests.get(r.json["url"], timeout=30).content))
                ["分类×地点×周"].iter_rows(values_only=True))
    assert rows[0][:3] == ("事项类型", "类别", "地点") and rows[-1][0] == "合计" and rows[-1][-1] == 11
    for table, sheet, first in (("trend", "按类别", "事项类型"), ("hotspots", "热点", "乡镇"),
                                ("words", "高频词", "词语"), ("anomalies", "异常提醒", "乡镇")):
        r = client.post("/insights/export", {"table": table, "weeks": 1}, token=admin)
        assert r.status_code == 200, (table, r.json)
        wb = openpyxl.load_workbook(io.BytesIO(requests.get(r.json["url"], timeout=30).content))
        assert wb[sheet].cell(1, 1).value == first, table
    words = openpyxl.load_workbook(io.BytesIO(requests.get(client.post(
        "/insights/export", {"table": "words", "weeks": 1}, token=admin).json["url"], timeout=30).content))["高频词"]
    assert ("路灯", 12) in list(words.iter_rows(values_only=True))


def test_refusals_and_bad_input(filed, client, other_county):
    c = filed
    admin = c.tokens["county_admin"]
    assert client.get("/insights/cases?weeks=0", token=admin).status_code == 422
    assert client.get("/insights/cases?weeks=27", token=admin).status_code == 422
    assert client.get("/insights/cases?place=abc", token=admin).status_code == 422
    assert client.get("/insights/anomalies?week=2026-W60", token=admin).status_code == 422
    bad = client.get(f"/insights/words?place={c.village}", token=admin)
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["code"] == "words_by_township"
    assert client.post("/insights/export", {"table": "people"}, token=admin).status_code == 422
    # the read-only county role reads; a village office, a grid worker and another county do not
    assert client.get("/insights/cases", token=c.tokens["epidemic_command"]).status_code == 200
    assert client.get("/insights/cases", token=c.tokens["township_official"]).status_code == 403  # not the county
    assert client.get(f"/insights/cases?place={c.village}", token=c.tokens["village_admin"]).status_code == 403
    assert client.get("/insights/hotspots", token=c.tokens["grid_worker"]).status_code == 403
    foreign = client.get(f"/insights/cases?place={c.code}", token=other_county.tokens["county_admin"])
    assert foreign.status_code == 403 and c.code not in json.dumps(foreign.json["error"]["details"] or "")


def test_a_redelivered_case_is_counted_once(filed, events):
    """The stream delivers a batch again (a failed Lambda batch): words and the matrix stay as they were."""
    from chalicelib.cases.models import CaseCount
    from chalicelib.insights import words
    from chalicelib.insights.models import InsightWeek, WordWeek

    c = filed
    week = _week(clock.today())
    before = WordWeek.get(*WordWeek.keys(c.code, c.code, week))
    # a filed case's record again: counted before
    assert words.apply(c.code, "SP-000001", week, [c.code, c.township], "路灯路灯") == "words_duplicate"
    assert words.apply(c.code, "SP-999999", week, [c.code, c.township], "路灯路灯") == "words_counted"
    assert words.apply(c.code, "SP-999999", week, [c.code, c.township], "路灯路灯") == "words_duplicate"
    after = WordWeek.get(*WordWeek.keys(c.code, c.code, week))
    assert json.loads(after.words)["路灯"] == json.loads(before.words)["路灯"] + 2 and after.cases == before.cases + 1
    matrix = InsightWeek.get(*InsightWeek.keys(c.code, c.code, week))
    pk, sk = CaseCount.keys(c.code, "snap", week, c.village2, "sanitation")
    from chalicelib.core.streams import dispatch

    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"pk": {"S": pk}, "sk": {"S": sk},
                                                               "kind": {"S": "case_count"}}}}
    dispatch([record, record])
    assert InsightWeek.get(*InsightWeek.keys(c.code, c.code, week)).total == matrix.total == 8


def test_the_demo_county_shows_its_cases_on_the_map(client, app, events):
    """devstack: the demo county's villages are on the map around 龙游 (one listed apart) and its seeded cases are in
    the analysis."""
    from devstack import seed
    from devstack.demo_data import COUNTY_CODE, DEMO_ACCOUNTS
    from tests.conftest import demo_session

    if not seed.is_seeded():
        seed.seed()
    events.drain()
    admin = next(a for a in DEMO_ACCOUNTS if a["role"] == "county_admin")
    token = demo_session(COUNTY_CODE, admin["phone"])["access_token"]
    h = client.get("/insights/hotspots?weeks=4", token=token).json
    assert h["points"] and len(h["unplaced"]) == 1
    assert all(118.9 < p["lng"] < 119.45 and 28.8 < p["lat"] < 29.25 for p in h["points"])
    m = client.get("/insights/cases?weeks=4", token=token).json
    assert m["total"]["current"] > 0 and m["trend"]["categories"]
