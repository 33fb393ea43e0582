"""县级后台 in the staff console (issue 17, points 5 and 6), in a desktop Chromium against the real local stack.

The demo county admin opens 县级后台 → 使用质量: last month's row per township (the numbers of GET /backoffice/quality)
with the county's total last and in bold, the chart, the table as an Excel workbook (the server's export, opened
with openpyxl: the page's rows and totals); at a 1280-wide window the page itself does not overflow (the table
scrolls inside). Then 季度党建报表: the current quarter's report is generated, its
progress reaches 已完成, the workbook is downloaded and its totals equal a recount of the raw items through the API
(households of every village, the cases filed in the quarter, the party members' points entries), and the printable
view shows each sheet with its title and the A4 landscape print layout gives one page a sheet.

Read only: the test adds nothing to the demo county but the report (the daily reports of past days are seeded as
counters, without report items, so they are not recounted here; tests/functional/test_backoffice.py does).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from zoneinfo import ZoneInfo

import openpyxl
from playwright.sync_api import expect

from tests.e2e.conftest import open_console, shot

COUNTY_ADMIN = "13900000002"  # 吴县管 (devstack/demo_data.py DEMO_ACCOUNTS)
COUNTY = "330825"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def pct(rate) -> str:
    """As the page says a rate: Math.round(rate × 1000) / 10 (half up, not Python's half to even), or —."""
    return "—" if rate is None else f"{math.floor(rate * 1000 + 0.5) / 10:g}%"


def periods() -> tuple[str, str]:
    """(the last full month, the current quarter), Asia/Shanghai."""
    today = dt.datetime.now(SHANGHAI).date()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.strftime("%Y-%m"), f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def pages(api, session, path: str) -> list[dict]:
    """Every item of a paged list (limit 100, following next_cursor)."""
    out, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        page = api.api(session, "GET", f"{path}{sep}limit=100" + (f"&cursor={cursor}" if cursor else ""))
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def in_quarter(iso: str, quarter: str) -> bool:
    d = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(SHANGHAI)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}" == quarter


def recount(api, session, quarter: str) -> dict:
    """The quarter's numbers counted from the raw items through the API, as the county admin reads them: the
    households of every village of each township, the cases filed in the quarter (every type) and how many are
    resolved, and the points entries of every party member in the quarter."""
    townships = pages(api, session, f"/api/places?parent={COUNTY}")
    households = {}
    for t in townships:
        villages = pages(api, session, f"/api/places?parent={t['code']}")
        households[t["name"]] = sum(len(pages(api, session, f"/api/households?place={v['code']}")) for v in villages)
    cases = [c for c in pages(api, session, f"/api/cases?place={COUNTY}") if in_quarter(c["created_at"], quarter)]
    members = [s for s in pages(api, session, f"/api/staff?place={COUNTY}")
               if any(g["role"] == "party_member" for g in s["grants"])]
    entries, with_points = [], 0
    for m in members:
        mine, cursor = [], None
        while True:
            got = api.api(session, "GET", f"/api/vanguard/points/{m['id']}" + (f"?cursor={cursor}" if cursor else ""))
            mine += [e for e in got["entries"] if in_quarter(e["at"], quarter)]
            cursor = got["next_cursor"]
            if not cursor:
                break
        entries += mine
        with_points += bool(mine)
    return {"households": households, "filed": len(cases),
            "resolved": sum(1 for c in cases if c["status"] in ("resolved", "closed")),
            "points": sum(e["points"] for e in entries), "members": with_points,
            "study": sum(1 for e in entries if e["source"] == "study"),
            "deeds": sum(1 for e in entries if e["source"] == "deed"),
            "volunteer": sum(1 for e in entries if e["source"] == "volunteer")}


def settled_recount(api, session, quarter: str) -> dict:
    """The recount once two in a row agree: a fresh stack is still applying the demo's likes (stream handlers) for a
    few seconds after it starts."""
    last = recount(api, session, quarter)
    for _ in range(20):
        time.sleep(1)
        now = recount(api, session, quarter)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the raw items kept changing: {last}")


def test_quality_page_and_the_quarterly_report_with_its_workbook_and_print_view(desk, web_stack, console_built,
                                                                                 tmp_path):
    api = web_stack
    ca = api.staff_session(COUNTY_ADMIN)
    month, quarter = periods()
    numbers = api.api(ca, "GET", f"/api/backoffice/quality?period={month}")
    assert len(numbers["rows"]) == 5 and numbers["county"]["households"] > 0, numbers

    # 县级后台 → 使用质量: last month by default, a row per township, the county's total last (bold).
    page = open_console(desk, web_stack, ca, "/")
    page.get_by_role("menuitem", name="使用质量").click()
    expect(page.get_by_role("heading", name="使用质量")).to_be_visible()
    expect(page.get_by_role("combobox", name="月份")).to_have_value(month)
    table = page.locator("[data-test=quality-table]")
    body_rows = table.locator(".el-table__body tr")
    expect(body_rows).to_have_count(len(numbers["rows"]) + 1)
    for i, want in enumerate([*numbers["rows"], numbers["county"]]):
        cells = body_rows.nth(i).locator("td")
        letter = want["cases"]["letter"]
        expect(cells.nth(0)).to_have_text(want["name"])
        expect(cells.nth(1)).to_have_text(str(want["households"]))
        expect(cells.nth(2)).to_have_text(str(want["linked"]))
        expect(cells.nth(4)).to_have_text(pct(want["report_rate"] if want["expected"] else None))
        expect(cells.nth(5)).to_have_text(pct(want["on_time_rate"] if want["expected"] else None))
        # case types in the server's order (疫情举报, 随手拍, 村民信箱, 网上代办): 村民信箱 is the third
        j = 6 + 5 * [t["id"] for t in numbers["case_types"]].index("letter")
        expect(cells.nth(j)).to_have_text(str(letter["filed"]))
        expect(cells.nth(j + 4)).to_have_text(pct(letter["within_sla_rate"]))
        expect(cells.nth(-2)).to_have_text(str(want["party"]["points"]))
    total = body_rows.last
    expect(total).to_have_class(re.compile(r"quality__total"))
    assert total.locator("td").nth(1).evaluate("el => getComputedStyle(el).fontWeight") == "700"
    assert numbers["county"]["cases"]["letter"]["filed"] >= 1  # the seeded letter of last month: not all zeros
    expect(table.locator("thead")).to_contain_text("时限内办结率")
    for name in ("随手拍", "村民信箱", "疫情举报", "网上代办", "党建指数", "平均响应(小时)"):
        expect(table.locator("thead")).to_contain_text(name)
    chart = page.locator("[role=img]")
    expect(chart.locator("svg")).to_have_count(1)
    expect(chart).to_contain_text(numbers["rows"][1]["name"])
    shot(page, "console-backoffice-quality")

    # At a 1280-wide window the page itself does not scroll sideways: the wide table scrolls inside.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    wrap = table.locator(".el-scrollbar__wrap").first
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")  # 30-odd columns: it does scroll, inside
    shot(page, "console-backoffice-quality-1280")

    # The table as an Excel workbook (the server's, GET /backoffice/quality/export): the same rows and totals.
    with page.expect_download() as got:
        page.get_by_role("button", name="导出Excel").click()
    assert got.value.suggested_filename == f"使用质量-{month}.xlsx"
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    ws = openpyxl.load_workbook(saved).active
    assert ws["A1"].value.startswith("龙游县") and ws["A1"].value.endswith("使用质量")
    headers = [c.value for c in ws[4]]
    assert headers[1:4] == ["登记户数", "关联户数", "覆盖率"] and headers[-1] == "党建指数"
    lines = list(ws.iter_rows(min_row=5, values_only=True))
    assert [x[0] for x in lines] == [r["name"] for r in numbers["rows"]] + ["龙游县"]
    j = 1 + 5 + 5 * [t["id"] for t in numbers["case_types"]].index("letter")  # the letter type's 受理 column
    for line, want in zip(lines, [*numbers["rows"], numbers["county"]], strict=True):
        assert (line[1], line[2], line[j], line[-2]) == (want["households"], want["linked"],
                                                         want["cases"]["letter"]["filed"], want["party"]["points"])
        assert line[4] == (want["report_rate"] if want["expected"] else "—")
    assert lines[-1][1] == numbers["county"]["households"] == sum(x[1] for x in lines[:-1])

    # 季度党建报表: the current quarter, generated; the progress reaches 已完成.
    want = settled_recount(api, ca, quarter)
    page.get_by_role("menuitem", name="季度党建报表").click()
    expect(page.get_by_role("heading", name="季度党建报表")).to_be_visible()
    year, q = quarter.split("-Q")
    expect(page.get_by_role("combobox", name="季度")).to_be_visible()
    expect(page.locator(".el-select", has=page.get_by_role("combobox", name="季度"))).to_contain_text(
        f"{year}年第{q}季度")  # the chosen quarter, as the select shows it
    page.get_by_role("button", name="生成报表").click()
    current = page.locator("[data-test=current]")
    expect(current.locator("[data-test=current-status]")).to_have_text("已完成", timeout=30_000)
    expect(current.locator("[data-test=progress]")).to_contain_text("100%")
    made = api.api(ca, "GET", "/api/backoffice/reports?limit=1")["items"][0]
    assert made["quarter"] == quarter and made["status"] == "done" and made["created_by_name"] == "吴县管", made
    expect(page.locator("[data-test=reports-table] .el-table__body tr").first).to_contain_text("已完成")
    shot(page, "console-backoffice-report-done")

    # 下载: the workbook under its own name; its totals are the recount's.
    with page.expect_download() as got:
        current.get_by_role("button", name="下载").click()
    assert got.value.suggested_filename == f"季度党建报表-{quarter}.xlsx"
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 1 + len(numbers["rows"])
    ws = wb["汇总"]
    assert ws["A2"].value == "制表单位：中共龙游县委组织部", ws["A2"].value
    headers = [c.value for c in ws[4]]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[-1][1] == "合计"
    by_name = {r[1]: dict(zip(headers, r, strict=True)) for r in rows}
    for name, n in want["households"].items():
        assert by_name[name]["登记户数（户）"] == n, (name, by_name[name], n)
    totals = by_name["合计"]
    assert totals["登记户数（户）"] == sum(want["households"].values())
    assert totals["群众诉求受理（件）"] == want["filed"] and want["filed"] > 0, (totals, want)
    assert totals["已办结（件）"] == want["resolved"], (totals, want)
    assert totals["党员积分（分）"] == want["points"] and want["points"] > 0, (totals, want)
    assert totals["有积分党员（人）"] == want["members"], (totals, want)
    assert totals["学习完成（次）"] == want["study"] and totals["实事获批（件）"] == want["deeds"], (totals, want)
    assert totals["志愿服务（次）"] == want["volunteer"], (totals, want)

    # 打印预览: a tab of its own with every sheet — title, 制表单位/统计期间/制表时间, headers, rows, 合计.
    with page.expect_popup() as popped:
        current.get_by_role("button", name="打印预览").click()
    view = popped.value
    sheets = view.locator("section.sheet")
    expect(sheets).to_have_count(len(wb.sheetnames))
    first = sheets.first
    expect(first.locator("h1")).to_have_text(ws["A1"].value)
    expect(first).to_contain_text("制表单位：中共龙游县委组织部")
    expect(first).to_contain_text("统计期间：")
    expect(first).to_contain_text("制表时间：")
    expect(first).to_contain_text("单位：户、户次、件、次、人、分")
    expect(first.locator("thead th").nth(2)).to_have_text("登记户数（户）")
    expect(first.locator("tbody tr")).to_have_count(len(numbers["rows"]))
    total_cells = first.locator("tfoot td")
    expect(total_cells.nth(1)).to_have_text("合计")
    expect(total_cells.nth(2)).to_have_text(str(totals["登记户数（户）"]))
    expect(total_cells.nth(16)).to_have_text(str(want["points"]))
    rate = totals["关联覆盖率"]
    expect(total_cells.nth(4)).to_have_text(f"{math.floor(rate * 1000 + 0.5) / 10:.1f}%")
    expect(sheets.nth(1).locator("h1")).to_have_text(wb[wb.sheetnames[1]]["A1"].value)
    expect(view.get_by_role("button", name="打印")).to_be_visible()
    shot(view, "console-backoffice-report-print")

    # Printed (A4 landscape from the page's own @page rule): one page a sheet, without the buttons.
    view.emulate_media(media="print")
    expect(view.get_by_role("button", name="打印")).to_be_hidden()
    pdf = view.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == len(wb.sheetnames), "one page a sheet"
    boxes = {tuple(round(float(x)) for x in b.split()) for b in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 842, 595)}, boxes  # A4 landscape, in points
    (tmp_path / "report.pdf").write_bytes(pdf)
