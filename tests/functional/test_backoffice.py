"""县级后台 against the embedded AWS: the usage-quality page per township (coverage, daily reporting rolled up nightly,
cases against their SLA from the month counters the workflow ADDs in its transactions, party activity from the
党建指数 boards) in a constant number of DynamoDB calls, and the quarterly party-building report made by a job:
queued → running → done, its workbook downloaded and its totals checked against a recount of the raw items."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.request
import uuid

import pytest
from openpyxl import load_workbook

from chalicelib.core import clock, jobs
from tests.conftest import County, dynamodb_calls


def _month() -> str:
    return clock.today().strftime("%Y-%m")


def _quarter() -> str:
    d = clock.today()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


class Setup:
    """A county of two townships: households (one linked), daily reports today, a letter answered and resolved, a
    tip-off waiting, a party member's study award; the daily-report counters rolled up as the nightly job does."""

    def __init__(self, c: County, events):
        self.c = c
        admin = c.tokens["county_admin"]
        self.t2 = c.code + "002"
        self.v2, self.g2 = self.t2 + "201", self.t2 + "201G01"
        for code, name in ((self.t2, "第二镇"), (self.v2, "第二村"), (self.g2, "第二村网格")):
            assert c.api.post("/places", {"code": code, "name": name}, token=admin).status_code == 201
        c.add_staff("org_department", c.code)
        gw1 = c.tokens["grid_worker"]
        self.gw2 = c.add_staff("grid_worker", self.g2)
        c.tokens["grid_worker"] = gw1
        self.hh = [c.household(members=2), c.household(members=1), c.household(grid=self.g2, members=1,
                                                                                 token=self.gw2)]
        _, session = c.villager(self.hh[0]["id"])
        self.villager = session["access_token"]
        # Daily reports today: the villager twice (the second replaces the first), the grid worker of township 2
        # for its household (代报).
        for token, hh in ((self.villager, self.hh[0]), (self.villager, self.hh[0]), (self.gw2, self.hh[2])):
            body = {"household": hh["id"], "members": [{"member": m["id"], "colour": "green"} for m in hh["members"]],
                    "outside": []}
            r = c.api.post("/reports", body, token=token)
            assert r.status_code == 201, r.json
        events.drain()
        # A letter answered, then resolved; a tip-off nobody answered yet.
        r = c.api.post("/letters", {"to": "village", "category": "suggestion", "text": "建议在村口装两盏路灯"},
                       token=self.villager)
        assert r.status_code == 201, r.json
        self.letter = r.json["ref"]
        for body in ({"action": "note", "note": "已收到，村两委商议"}, {"action": "resolve", "note": "路灯已安装"}):
            r = c.api.post(f"/cases/{self.letter}/actions", body, token=c.tokens["village_admin"])
            assert r.status_code == 200, r.json
        r = c.api.post("/tipoffs", {"category": "gathering", "description": "村口小卖部有人聚集打牌",
                                    "location": "村口"}, token=self.villager)
        assert r.status_code == 201, r.json
        # A party member of township 1 gets a study award from the organisation department.
        pm = c.add_staff("party_member", c.grid)
        self.pm_uid = c.api.get("/me", token=pm).json["user_id"]
        r = c.api.post("/vanguard/points/awards", {"member": self.pm_uid, "source": "study", "ref": "lesson-1"},
                       token=c.tokens["org_department"])
        assert r.status_code == 201, r.json
        # The nightly roll-up, as it would run tomorrow at 00:20: yesterday and today.
        self.rolled = events.run_job("quality_rollup", clock.now() + dt.timedelta(days=1))
        self.days_this_month = sum(1 for d in (clock.today() - dt.timedelta(days=1), clock.today())
                                   if d.month == clock.today().month)


@pytest.fixture
def setup(county, events):
    return Setup(county, events)


def _quality(c: County, period: str, role: str = "org_department"):
    return c.api.get(f"/backoffice/quality?period={period}", token=c.tokens[role])


def test_the_quality_page_shows_each_township_from_aggregates(setup):
    s, c = setup, setup.c
    assert s.rolled[c.code] == 2 * (1 if s.days_this_month == 2 else 2)  # an item per township and month
    r = _quality(c, _month())
    assert r.status_code == 200, r.json
    q = r.json
    assert q["kind"] == "month" and q["months"] == [_month()] and q["scope"] == c.code
    assert [row["township"] for row in q["rows"]] == [c.township, s.t2]
    one, two = q["rows"]
    assert (one["households"], one["linked"], one["coverage"]) == (2, 1, 0.5)
    assert (two["households"], two["linked"]) == (1, 0)
    days = s.days_this_month
    assert one["days"] == days and one["expected"] == 2 * days and one["reported"] == 1
    assert two["expected"] == days and two["reported"] == 1 and two["report_rate"] == round(1 / days, 4)
    letter = one["cases"]["letter"]
    assert (letter["filed"], letter["responded"], letter["resolved"]) == (1, 1, 1)
    assert letter["within_sla_rate"] == 1.0 and letter["response_within_sla_rate"] == 1.0
    assert letter["avg_response_h"] is not None and letter["avg_response_h"] < 1
    tip = one["cases"]["tipoff"]
    assert (tip["filed"], tip["responded"], tip["resolved"], tip["avg_response_h"]) == (1, 0, 0, None)
    assert two["cases"]["letter"]["filed"] == 0
    assert one["party"] == {"deeds": 0, "study": 1, "volunteer": 0, "points": 5, "members": 1, "index": 5.0}
    assert two["party"]["points"] == 0
    total = q["county"]
    assert (total["township"], total["households"], total["linked"], total["reported"]) == (c.code, 3, 1, 2)
    assert total["expected"] == 3 * days and total["cases"]["letter"]["resolved"] == 1
    assert total["party"]["study"] == 1 and {t["id"] for t in q["case_types"]} >= {"snap", "letter", "tipoff"}

    # The quarter adds the months up; the party numbers come from the quarter's board.
    r = _quality(c, _quarter())
    assert r.status_code == 200 and r.json["kind"] == "quarter" and len(r.json["months"]) == 3
    assert r.json["county"]["cases"]["letter"]["filed"] == 1 and r.json["county"]["party"]["points"] == 5


def test_the_page_costs_the_same_calls_whatever_the_size(setup, other_county):
    small = other_county  # one township, nothing in it
    small.add_staff("org_department", small.code)
    counts = []
    for c in (setup.c, small):
        with dynamodb_calls() as month_calls:
            assert _quality(c, _month()).status_code == 200
        with dynamodb_calls() as quarter_calls:
            assert _quality(c, _quarter()).status_code == 200
        counts.append((sorted(month_calls), sorted(quarter_calls)))
    assert counts[0] == counts[1]
    month_calls, quarter_calls = counts[0]
    # townships (Query), roll-ups (a Query a month), coverage counters (BatchGet: the current period), case months
    # (a Query a month), township boards (BatchGet)
    assert month_calls.count("Query") == 3 and month_calls.count("BatchGetItem") == 2, month_calls
    assert quarter_calls.count("Query") == 7 and quarter_calls.count("BatchGetItem") == 2, quarter_calls


def test_who_sees_what(setup):
    c = setup.c
    r = _quality(c, _month(), "township_official")  # their own township only
    assert r.status_code == 200 and [row["township"] for row in r.json["rows"]] == [c.township]
    assert r.json["county"]["households"] == 2 and r.json["scope"] == c.township
    assert _quality(c, _month(), "county_admin").status_code == 200
    assert len(_quality(c, _month(), "epidemic_command").json["rows"]) == 2
    for role in ("village_admin", "grid_worker"):
        r = _quality(c, _month(), role)
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_scope"
    r = c.api.get("/backoffice/quality?period=2026-13", token=c.tokens["org_department"])
    assert r.status_code == 422
    future = (clock.today().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    r = _quality(c, future)
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "period_in_future"
    assert c.api.get("/backoffice/quality", token=c.tokens["org_department"]).status_code == 422


def _export(c: County, period: str, role: str = "org_department"):
    return c.api.get(f"/backoffice/quality/export?period={period}", token=c.tokens[role])


def test_the_quality_export_is_a_workbook_of_the_pages_rows_and_totals(setup):
    s, c = setup, setup.c
    page = _quality(c, _month()).json
    r = _export(c, _month())
    assert r.status_code == 200, r.json
    assert r.json["filename"] == f"使用质量-{_month()}.xlsx"
    data = urllib.request.urlopen(r.json["url"]).read()  # noqa: S310 - the embedded S3's presigned link
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "使用质量" and ws["A1"].value.endswith("使用质量") and ws["A1"].value.startswith(
        page["county"]["name"])
    assert page["start"] in ws["A2"].value and page["end"] in ws["A2"].value
    groups, labels = [c_.value for c_ in ws[3]], [c_.value for c_ in ws[4]]
    assert groups[:6] == ["乡镇（街道）", "住户", None, None, "每日上报", None]  # groups span their columns (merged)
    assert labels[1:6] == ["登记户数", "关联户数", "覆盖率", "日报完成率", "按时上报率"]
    names = [t["name"] for t in page["case_types"]]
    assert [g for g in groups if g] == ["乡镇（街道）", "住户", "每日上报", *names, "党员"]
    assert labels[-5:] == ["实事", "学习", "志愿服务", "积分", "党建指数"]
    lines = [list(x) for x in ws.iter_rows(min_row=5, values_only=True)]
    assert [x[0] for x in lines] == [row["name"] for row in page["rows"]] + [page["county"]["name"]]
    for line, row in zip(lines, [*page["rows"], page["county"]], strict=True):
        assert line[1:4] == [row["households"], row["linked"], row["coverage"] if row["households"] else "—"]
        assert line[4] == (row["report_rate"] if row["expected"] else "—")
        j = 6 + 5 * [t["id"] for t in page["case_types"]].index("letter")
        letter = row["cases"]["letter"]
        assert line[j:j + 5] == [letter["filed"], letter["resolved"]] + [
            "—" if letter[k] is None else letter[k] for k in ("avg_response_h", "avg_resolution_h", "within_sla_rate")]
        assert line[-5:] == [row["party"][k] for k in ("deeds", "study", "volunteer", "points", "index")]
    total = lines[-1]
    assert total[1] == 3 and total[2] == 1 and sum(x[1] for x in lines[:-1]) == total[1]
    assert ws.cell(row=5, column=4).number_format == "0.0%"  # a rate is a fraction shown as a percentage
    assert s.t2 in {row["township"] for row in page["rows"]}

    # A township official's workbook is their own township; the same checks as the page refuse the rest.
    r = _export(c, _quarter(), "township_official")
    assert r.status_code == 200, r.json
    ws = load_workbook(io.BytesIO(urllib.request.urlopen(r.json["url"]).read())).active  # noqa: S310
    assert [x[0] for x in ws.iter_rows(min_row=5, values_only=True)] == ["测试街道", "测试街道"]
    r = _export(c, _month(), "village_admin")
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_scope"
    r = _export(c, "2026-13")
    assert r.status_code == 422 and r.json["error"]["code"]
    assert c.api.get("/backoffice/quality/export", token=c.tokens["org_department"]).status_code == 422


def test_case_counters_count_a_first_answer_and_a_first_resolution_once(setup):
    s, c = setup, setup.c
    r = c.api.post(f"/cases/{s.letter}/actions", {"action": "note", "note": "再补充一句"},
                   token=c.tokens["village_admin"])
    assert r.status_code == 200, r.json  # a note on a resolved letter: not a second first answer
    r = c.api.post(f"/cases/{s.letter}/actions", {"action": "rate", "rating": 5}, token=s.villager)
    assert r.status_code == 200, r.json  # resolved → closed: not a second resolution
    letter = _quality(c, _month()).json["rows"][0]["cases"]["letter"]
    assert (letter["filed"], letter["responded"], letter["resolved"]) == (1, 1, 1)


# --- the quarterly report ------------------------------------------------------------------------------------------

def _create(c: County, quarter: str, key: str | None = None, role: str = "org_department"):
    return c.api.post("/backoffice/reports", {"quarter": quarter}, token=c.tokens[role],
                      headers={"Idempotency-Key": key or f"bo-{uuid.uuid4().hex}"})


def _recount(c: County, s: Setup, quarter: str) -> dict:
    """The quarter's numbers counted from the raw items (households, reports, cases, ledger entries)."""
    from chalicelib.cases.models import Case
    from chalicelib.core.db import key
    from chalicelib.daily_report.models import Report
    from chalicelib.households.models import Household
    from chalicelib.vanguard.models import Entry

    year, q = int(quarter[:4]), int(quarter[-1])
    months = {f"{year}-{m:02d}" for m in range((q - 1) * 3 + 1, (q - 1) * 3 + 4)}
    hhs = [h for v in (c.village, s.v2) for h in Household.gsi1.query(Household.village_index(c.code, v))
           if isinstance(h, Household)]
    days = set()
    for h in hhs:
        days |= {(r.hid, r.date) for r in Report.query(Report.partition(c.code, h.hid)) if isinstance(r, Report)
                 and r.date[:7] in months}
    cases = [x for x in Case.gsi3.query(key(c.code, "CASEC")) if isinstance(x, Case)]
    entries = [e for e in Entry.query(Entry.partition(c.code, s.pm_uid), Entry.sk.startswith("E#"))]
    return {"households": len(hhs), "linked": sum(1 for h in hhs if (h.follower_count or 0) > 0),
            "reported": len(days), "filed": len(cases),
            "resolved": sum(1 for x in cases if x.status in ("resolved", "closed")),
            "points": sum(int(e.points) for e in entries), "study": sum(1 for e in entries if e.source == "study"),
            "deeds": sum(1 for e in entries if e.source == "deed")}


def test_the_quarterly_report_is_made_by_a_job_and_its_totals_match_a_recount(setup, events):
    s, c = setup, setup.c
    quarter = _quarter()
    k = f"bo-{uuid.uuid4().hex}"
    r = _create(c, quarter, k)
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    assert r.json["status"] == "queued" and r.json["progress"] == 0 and r.json["url"] is None
    again = _create(c, quarter, k)
    assert again.status_code == 201 and again.json["id"] == rid  # a retry: the same report
    listed = c.api.get("/backoffice/reports", token=c.tokens["county_admin"]).json["items"]
    assert [x["id"] for x in listed] == [rid]
    r = c.api.get(f"/backoffice/reports/{rid}/print", token=c.tokens["org_department"])
    assert r.status_code == 409 and r.json["error"]["code"] == "report_not_ready"

    ran = [(b["job"], res) for b, res in events.deliver() if b["county"] == c.code]
    assert ("quarterly_report", "done") in ran
    r = c.api.get(f"/backoffice/reports/{rid}", token=c.tokens["org_department"])
    assert r.status_code == 200, r.json
    done = r.json
    assert done["status"] == "done" and done["progress"] == 100 and done["finished_at"]
    assert done["filename"] == f"季度党建报表-{quarter}.xlsx"
    data = urllib.request.urlopen(done["url"]).read()  # noqa: S310 - the embedded S3's presigned link
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["汇总", "测试街道", "第二镇"]
    ws = wb["汇总"]
    assert "A1:R1" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].value.endswith("党建工作统计表（汇总）") and ws["A1"].font.bold
    assert ws["A2"].value == f"制表单位：中共测试县{c.code}委组织部" and ws["A3"].value.startswith("制表时间：")
    headers = [x.value for x in ws[4]]
    assert headers[:4] == ["序号", "乡镇（街道）", "登记户数（户）", "关联户数（户）"] and ws["C4"].font.bold
    assert ws["C4"].border.left.style == "thin"
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert [r[1] for r in rows] == ["测试街道", "第二镇", "合计"]
    total = dict(zip(headers, rows[-1], strict=True))
    want = _recount(c, s, quarter)
    assert total["登记户数（户）"] == want["households"] == 3
    assert total["关联户数（户）"] == want["linked"] == 1
    assert total["日报已报（户次）"] == want["reported"] == 2
    assert total["群众诉求受理（件）"] == want["filed"] == 2
    assert total["已办结（件）"] == want["resolved"] == 1
    assert total["党员积分（分）"] == want["points"] == 5
    assert total["学习完成（次）"] == want["study"] == 1 and total["实事获批（件）"] == want["deeds"] == 0
    assert total["有积分党员（人）"] == 1 and total["党建指数（分）"] == 5.0
    assert ws.cell(row=ws.max_row, column=5).number_format == "0.0%"
    town = wb["测试街道"]
    village_rows = list(town.iter_rows(min_row=5, values_only=True))
    assert [r[1] for r in village_rows] == ["测试村", "合计"]
    assert village_rows[-1][2] == 2 and village_rows[-1][9] == 5  # households, points

    # The printable page: the same numbers.
    r = c.api.get(f"/backoffice/reports/{rid}/print", token=c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    assert [sh["name"] for sh in r.json["sheets"]] == ["汇总", "测试街道", "第二镇"]
    assert r.json["sheets"][0]["total"] == list(rows[-1]) and r.json["period_text"].endswith("日")

    # A duplicate delivery of a done report does nothing.
    body = {"job": "quarterly_report", "county": c.code, "township": rid, "at": clock.now().isoformat(), "id": "x"}
    assert jobs.run(body) == "already done"


def test_a_failed_run_says_so_and_a_redelivery_makes_it(setup, monkeypatch):
    c = setup.c
    from chalicelib.backoffice import report

    rid = _create(c, _quarter()).json["id"]
    body = {"job": "quarterly_report", "county": c.code, "township": rid, "at": clock.now().isoformat(), "id": "y"}

    def broken(*a, **kw):
        raise RuntimeError("S3 down")

    monkeypatch.setattr(report, "workbook", broken)
    res = jobs.handle([{"messageId": "m1", "body": json.dumps(body)}])
    assert res == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    r = c.api.get(f"/backoffice/reports/{rid}", token=c.tokens["org_department"]).json
    assert r["status"] == "failed" and "失败" in r["message"] and r["url"] is None
    monkeypatch.undo()
    assert jobs.run(body) == "done"
    r = c.api.get(f"/backoffice/reports/{rid}", token=c.tokens["org_department"]).json
    assert r["status"] == "done" and r["message"] is None and r["url"]


def test_reports_are_the_county_offices_and_checked(setup):
    c = setup.c
    for role in ("township_official", "village_admin", "epidemic_command"):
        r = _create(c, _quarter(), role=role)
        assert r.status_code == 403, (role, r.json)
    r = _create(c, "2099-Q1")
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "period_in_future"
    assert _create(c, "2026-Q5").status_code == 422
    r = c.api.get("/backoffice/reports/20260101000000-abcdef", token=c.tokens["org_department"])
    assert r.status_code == 404
