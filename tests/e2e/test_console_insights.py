"""问题分析 and 数据权利 in the staff console (issue 17, points 7 and 8), in a desktop Chromium against the real local
stack.

The demo county admin opens 县级后台 → 问题分析: the demo county's case categories in the category × place table (as
GET /insights/cases counts them), the villages on the lng/lat scatter (the chart's data, exposed as data-points,
equals GET /insights/hotspots's points), the village left without coordinates listed apart, and 导出Excel of the
village table gives a workbook whose rows equal the table's. Then 数据权利: a new retention period is saved (the
server holds it), an export is requested and watched until 已完成, its zip downloaded (数据.xlsx and JSON lines of
the demo county only), and 审计日志 shows that one download.
"""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
from playwright.sync_api import expect

from tests.e2e.conftest import open_console, shot
from tests.e2e.test_console_errands import COUNTY_ADMIN

COUNTY = "330825"


def trend_text(c: dict) -> str:
    """The trend column as the page writes it (insights.js trendOf)."""
    if c["change_pct"] is None:
        return "新增" if c["current"] > 0 else "—"
    if c["change"] == 0:
        return "持平"
    pct = f"{round(abs(c['change_pct']) * 10) / 10:g}%"
    return f"▲ {pct}" if c["change"] > 0 else f"▼ {pct}"


def table_rows(table) -> list[list[str]]:
    rows = table.locator(".el-table__body tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_case_analysis_and_the_countys_data_rights_in_the_console(desk, web_stack, console_built, tmp_path):
    api = web_stack
    ca = api.staff_session(COUNTY_ADMIN)
    cases = api.api(ca, "GET", f"/api/insights/cases?place={COUNTY}&weeks=8")
    hot = api.api(ca, "GET", f"/api/insights/hotspots?place={COUNTY}&weeks=8")
    cats = cases["trend"]["categories"]
    assert cases["total"]["current"] > 0 and cats, cases  # the demo county's seeded cases are this period's
    assert hot["points"] and hot["unplaced"], hot  # the demo leaves one village without coordinates

    # 问题分析, from the menu (县级后台 → 问题分析).
    page = open_console(desk, web_stack, ca, "/")
    page.get_by_role("menuitem", name="问题分析").click()
    expect(page.get_by_role("heading", name="问题分析")).to_be_visible()
    expect(page.get_by_role("radio", name="近8周")).to_be_checked()
    expect(page.locator("[data-test=total] dd").first).to_have_text(str(cases["total"]["current"]))

    # The category × place table: a row per category in the server's order, then 合计.
    table = page.locator("[data-test=category-table]")
    expect(table.locator(".el-table__body tr")).to_have_count(len(cats) + 1)
    rows = table_rows(table)
    assert [r[:2] for r in rows[:-1]] == [[c["type_name"], c["name"]] for c in cats], rows
    assert [r[-3:] for r in rows[:-1]] == [[str(c["current"]), str(c["previous"]), trend_text(c)] for c in cats]
    assert rows[-1][0] == "合计" and rows[-1][-3:-1] == [str(cases["total"]["current"]),
                                                        str(cases["total"]["previous"])], rows[-1]
    first = cats[0]
    per_place = {}
    for r in cases["rows"]:
        if (r["type"], r["category"]) == (first["type"], first["category"]):
            per_place[r["place"]] = per_place.get(r["place"], 0) + r["count"]
    assert sum(int(x) for x in rows[0][2:-3]) == first["current"] == sum(per_place.values()), rows[0]
    expect(page.locator("[data-test=weekly-chart] svg")).to_have_count(1)

    # The map: every located village with its count (the chart's own data), drawn as SVG; the unplaced apart.
    chart = page.locator("[data-test=hotspot-map]")
    expect(chart).to_have_attribute("data-points", "|".join(f"{p['name']}:{p['count']}" for p in hot["points"]))
    expect(chart.locator("svg")).to_have_count(1)
    busiest = hot["points"][0]
    assert busiest["count"] > 0
    expect(chart.locator("svg")).to_contain_text(busiest["name"])
    unplaced = page.locator("[data-test=unplaced]")
    for v in hot["unplaced"]:
        expect(unplaced).to_contain_text(v["name"])
    villages = page.locator("[data-test=hotspot-table]")
    expect(villages.locator(".el-table__body tr")).to_have_count(len(hot["points"]) + len(hot["unplaced"]))
    seen = [r[:3] for r in table_rows(villages)]
    assert seen == [[v["township_name"] or "", v["name"], str(v["count"])] for v in hot["points"] + hot["unplaced"]]
    shot(page, "console-insights")

    # 导出Excel of the village table: the workbook's rows are the table's.
    with page.expect_download() as got:
        page.locator("[data-test=export-hotspots]").click()
    download = got.value
    name = download.suggested_filename
    assert name.startswith("问题分析-热点地图-") and name.endswith(".xlsx"), name
    path = tmp_path / name
    download.save_as(path)
    lines = list(openpyxl.load_workbook(path)["热点"].iter_rows(values_only=True))
    assert lines[0] == ("乡镇", "村", "编码", "经度", "纬度", "事项数")
    assert [[r[0] or "", r[1], str(r[5])] for r in lines[1:]] == seen

    # 数据权利 → 保存期限: a new period for health reports, saved and held by the server.
    before = api.api(ca, "GET", "/api/datarights/retention")
    days = 180 if before["health_days"] != 180 else 200
    page.get_by_role("menuitem", name="数据权利").click()
    expect(page.get_by_role("heading", name="数据权利")).to_be_visible()
    page.get_by_role("tab", name="保存期限").click()
    health = page.locator("[data-test=health-days] input")
    expect(health).to_have_value(str(before["health_days"]))
    health.fill(str(days))
    health.press("Tab")
    page.locator("[data-test=save-retention]").click()
    expect(page.get_by_text("保存期限已更新")).to_be_visible()
    after = api.api(ca, "GET", "/api/datarights/retention")
    assert after["health_days"] == days and after["photo_days"] == before["photo_days"], after
    expect(page.locator("[data-test=updated-at]")).to_be_visible()
    shot(page, "console-data-rights-retention")

    # 数据导出: request one, watch it reach 已完成, download the zip.
    page.get_by_role("tab", name="数据导出").click()
    page.locator("[data-test=request-export]").click()
    exports = page.locator("[data-test=exports]")
    expect(exports.locator("[data-test=export-status]").first).to_have_text("已完成", timeout=90_000)
    expect(page.locator("[data-test=export-progress]")).to_have_count(0)
    listed = api.api(ca, "GET", "/api/datarights/exports")["items"]
    mine = listed[0]
    assert mine["status"] == "done" and mine["progress"] == 100 and mine["requested_by_name"] == "吴县管", mine
    shot(page, "console-data-rights-exports")
    with page.expect_download() as got:
        exports.locator("[data-test=download]").first.click()
    download = got.value
    assert download.suggested_filename.startswith("村情通数据导出-") and download.suggested_filename.endswith(".zip")
    path = tmp_path / "export.zip"
    download.save_as(path)
    z = zipfile.ZipFile(path)
    names = z.namelist()
    assert "数据.xlsx" in names and "households/household.jsonl" in names, names
    records = [json.loads(line) for n in names if n.endswith(".jsonl") for line in z.read(n).decode().splitlines()]
    assert records and all(rec["pk"].startswith(f"{COUNTY}#") for rec in records)
    book = openpyxl.load_workbook(io.BytesIO(z.read("数据.xlsx")), read_only=True)
    assert "household" in book.sheetnames

    # 审计日志: that download, once (polling the progress wrote nothing), by the county admin.
    page.get_by_role("tab", name="审计日志").click()
    page.get_by_role("textbox", name="对象").fill(mine["id"])
    page.get_by_role("button", name="搜索").click()
    audit = page.locator("[data-test=audit]")
    row = audit.locator(".el-table__body tr", has_text="下载全县数据导出包")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("吴县管")
    expect(row).to_contain_text(mine["id"])
    expect(audit.locator(".el-table__body tr", has_text="申请导出全县数据")).to_have_count(1)
    log = api.api(ca, "GET", f"/api/datarights/audit?subject={mine['id']}")["items"]
    assert sorted(i["what"] for i in log) == ["county_export", "county_export_download"], log
    shot(page, "console-data-rights-audit")
