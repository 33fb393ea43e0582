"""网上代办统计 in the staff console (issue 14, point 5), in a desktop Chromium against the real local stack.

Two villagers of new households in the demo county's 张王村 apply for 生育登记 through the API as the phone does (a
photo of every material uploaded first); the demo village admin forwards both; the demo county admin approves one
and refuses the other. Then the county admin opens 网上代办 → 网上代办统计: this month's KPI cards, the charts, the
row of 生育登记 per item and per township match the API's numbers, and 导出Excel downloads the workbook under its
own name, whose 按乡镇和事项 sheet ends with the 合计 line.

Phones: 142xxxxxxxx for the keys made here (the villagers come from test_console_errands' 143 range).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import openpyxl
from playwright.sync_api import expect

from tests.e2e.conftest import open_console, shot
from tests.e2e.stack import new_phone
from tests.e2e.test_console_errands import COUNTY_ADMIN, VILLAGE_ADMIN, villager_applies


def step(api, session: dict, ref: str, action: str, **body):
    return api.api(session, "POST", f"/api/errands/applications/{ref}/actions", {"action": action, **body},
                   key=new_phone("142"))


def pct(rate) -> str:
    return "—" if rate is None else f"{round(rate * 1000) / 10:g}%"


def test_the_months_numbers_charts_tables_and_workbook_in_the_console(desk, web_stack, console_built, tmp_path):
    api = web_stack
    _, item, approved = villager_applies(api, tmp_path)
    _, _, refused = villager_applies(api, tmp_path)
    va, ca = api.staff_session(VILLAGE_ADMIN), api.staff_session(COUNTY_ADMIN)
    for ref in (approved, refused):
        step(api, va, ref, "forward")
    step(api, ca, approved, "decide", outcome="approved")
    step(api, ca, refused, "decide", outcome="refused", note="材料不符合要求")
    month = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    numbers = api.api(ca, "GET", f"/api/errands/stats?place=330825&month={month}")
    total = numbers["total"]
    mine = next(i for i in numbers["items"] if i["item"] == item["id"])
    assert total["applied"] >= 2 and mine["approved"] >= 1 and mine["refused"] >= 1, numbers

    # The county admin opens it from the menu (网上代办 → 网上代办统计).
    page = open_console(desk, web_stack, ca, "/")
    page.get_by_role("menuitem", name="网上代办统计").click()
    expect(page.get_by_role("heading", name="网上代办统计")).to_be_visible()
    expect(page.get_by_role("combobox", name="地点")).to_be_visible()
    expect(page.get_by_role("combobox", name="月份")).to_have_value(month)

    cards = page.get_by_role("group", name=f"龙游县 {int(month[:4])}年{int(month[5:])}月 网上代办主要指标")
    expect(cards.locator("[data-kpi=applied] dd").first).to_have_text(str(total["applied"]))
    assert int(cards.locator("[data-kpi=applied] dd").first.inner_text()) >= 2
    expect(cards.locator("[data-kpi=decided] dd").first).to_have_text(str(total["decided"]))
    expect(cards.locator("[data-kpi=within_limit_rate] dd").first).to_have_text(pct(total["within_limit_rate"]))
    expect(cards.locator("[data-kpi=avg_days] dd").first).to_have_text(f"{total['avg_days']:g}")
    expect(cards.locator("[data-kpi=to_door_share] dd").first).to_have_text(pct(total["to_door_share"]))
    expect(cards.locator("dt")).to_have_text(["申请数", "已办结", "法定时限内办结率", "平均用时（工作日）",
                                              "送达到家占比（“少跑路”）"])

    # Charts: per township, the items most applied for, the on-time rate per township (drawn as SVG).
    charts = page.locator("[role=img]")
    expect(charts).to_have_count(3)
    for i in range(3):
        expect(charts.nth(i).locator("svg")).to_have_count(1)
    expect(charts.nth(1)).to_contain_text("生育登记")

    # The tables: 生育登记 per item, and in its township.
    items = page.locator("[data-test=items-table]")
    row = items.locator(".el-table__body tr", has_text="生育登记")
    expect(row.locator("td")).to_have_text([
        "生育登记", str(mine["applied"]), str(mine["decided"]), str(mine["approved"]), str(mine["refused"]),
        pct(mine["within_limit_rate"]), f"{mine['avg_days']:g}", pct(mine["to_door_share"])])
    theirs = next(r for r in numbers["rows"] if r["item"] == item["id"] and r["township"] == "330825001")
    rows = page.locator("[data-test=rows-table]")
    expect(rows.locator(".el-table__body tr", has_text="生育登记").filter(has_text=theirs["township_name"])
           .locator("td").nth(2)).to_have_text(str(theirs["applied"]))
    shot(page, "console-errand-stats")

    # 导出Excel: the workbook, under its own name.
    with page.expect_download() as got:
        page.get_by_role("button", name="导出Excel").click()
    download = got.value
    assert download.suggested_filename == f"网上代办统计-{month}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    lines = list(openpyxl.load_workbook(path)["按乡镇和事项"].iter_rows(values_only=True))
    assert lines[0][:3] == ("乡镇", "事项", "申请数")
    assert lines[-1][0] == "合计" and lines[-1][2] == total["applied"], lines[-1]
    assert any(x[0] == theirs["township_name"] and x[1] == "生育登记" and x[2] == theirs["applied"] for x in lines)

    # A month without applications says so.
    picker = page.get_by_role("combobox", name="月份")
    picker.fill("2020-01")
    picker.press("Enter")
    empty = page.locator("[data-test=empty]")
    expect(empty).to_contain_text("龙游县 2020年1月 还没有网上代办申请")
    expect(page.locator("[data-kpi]")).to_have_count(0)
    expect(page.locator("[data-test=items-table]")).to_have_count(0)
    expect(page.get_by_role("button", name="导出Excel")).to_be_disabled()
    shot(page, "console-errand-stats-empty")
