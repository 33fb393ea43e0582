"""The staff console's "find a person" and roster re-import, in a desktop Chromium against the real local stack.

The county admin (13900000002) finds a person by name across the whole county and by a whole ID number, opens the
household and sees today's report (who reported, when) and every member's code colour; then imports a roster of
团石村 (龙洲街道, a village no other browser test counts), edits the sheet and imports it again: the preview shows
what is new, changed and unchanged before anything is written, and the commit updates the records.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_console, shot
from tests.e2e.test_phone_app import new_id_number

COUNTY_ADMIN = "13900000002"
VILLAGE = "330825002201"  # 团石村, 龙洲街道
GRID = VILLAGE + "G01"


@pytest.fixture(scope="module")
def admin(web_stack, console_built) -> dict:
    return web_stack.session(COUNTY_ADMIN)


def _fresh_phone() -> str:
    return f"147{random.randrange(100_000_000):08d}"


def _household_with_a_report(web_stack, admin: dict, family: str) -> dict:
    """A household of 团石村 whose villager reports today: the head green, the child yellow."""
    idno = new_id_number()
    hh = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"团石村{random.randint(100, 999)}号",
        "members": [{"name": f"{family}建国", "relation": "户主", "id_number": idno, "phone": _fresh_phone()},
                    {"name": f"{family}小雨", "relation": "子女", "id_number": new_id_number()}]}, status=201)
    code = web_stack.api(admin, "POST", f"/api/households/{hh['id']}/invites", {}, status=201)["code"]
    villager = web_stack.session(_fresh_phone())
    linked = web_stack.api(villager, "POST", "/api/links", {"code": code})
    colours = {"户主": "green", "子女": "yellow"}
    web_stack.api(linked, "POST", "/api/reports", {
        "household": hh["id"], "members": [{"member": m["id"], "colour": colours[m["relation"]]}
                                           for m in hh["members"]]}, status=201)
    return {**hh, "id_number": idno}


def test_a_county_admin_finds_a_person_across_the_county_and_sees_today_in_the_household(desk, web_stack, admin):
    family = random.choice("郜鄢隗邝乜")
    hh = _household_with_a_report(web_stack, admin, family)
    page = open_console(desk, web_stack, admin, "/households")
    search = page.get_by_role("search").filter(has=page.get_by_label("查找人员"))
    search.get_by_label("查找人员").fill(f"{family}建")
    search.get_by_role("button", name="查找").click()
    results = page.locator(".people__table")
    row = page.locator(".people__table .el-table__body tr").filter(has_text=f"{family}建国")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("龙洲街道 团石村")
    expect(row).to_contain_text("团石村第一网格")
    expect(row).to_contain_text(hh["ref"])
    expect(row).to_contain_text(re.compile(r"\d{6}\*{8}[\dX]{4}"))  # the county admin sees ID numbers masked
    expect(results).not_to_contain_text(GRID)  # places by name, not code
    page.wait_for_timeout(300)
    shot(page, "console-find-person")

    # The county admin sees numbers masked, so it may not search by them (it could complete a masked number by
    # trying the birth dates the mask hides): the page says so, and who can.
    expect(search).to_contain_text("按身份证号、手机号查找仅限网格员和村情通管理员")
    search.get_by_label("查找人员").fill(hh["id_number"][:10])
    search.get_by_role("button", name="查找").click()
    expect(page.get_by_role("alert").filter(has_text="号码不支持部分搜索")).to_be_visible()
    search.get_by_label("查找人员").fill(hh["id_number"])
    search.get_by_role("button", name="查找").click()
    expect(page.get_by_role("alert").filter(has_text="仅限网格员和村情通管理员")).to_be_visible()
    search.get_by_label("查找人员").fill(f"{family}建国")
    search.get_by_role("button", name="查找").click()
    rows = page.locator(".people__table .el-table__body tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{family}建国")

    rows.first.get_by_role("button", name=re.compile("^查看")).click()
    drawer = page.get_by_role("dialog")
    today = drawer.locator("[data-test=today-report]")
    expect(today).to_contain_text("已报")
    expect(today).to_contain_text(re.compile(r"\d{2}:\d{2} 由 .+ 填报"))
    expect(drawer).to_contain_text("团石村第一网格")
    colours = drawer.locator("[data-colour]")
    expect(colours).to_have_count(2)
    member_rows = drawer.locator(".el-table__body tr")
    expect(member_rows.filter(has_text=f"{family}建国").locator("[data-colour]")).to_have_text("绿码")
    expect(member_rows.filter(has_text=f"{family}小雨").locator("[data-colour]")).to_have_text("黄码")
    page.wait_for_timeout(400)  # the drawer slides in
    shot(page, "console-household-today")


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


HEADER = ["户编号", "网格编码", "地址", "姓名", "与户主关系", "身份证号", "手机号", "是否党员", "是否外来人员", "来自"]


def test_a_roster_imported_again_is_previewed_then_updates_the_records(desk, web_stack, admin, tmp_path):
    tag = f"TS{random.randint(10_000, 99_999)}"
    ids = [new_id_number() for _ in range(5)]
    phone, phone2 = _fresh_phone(), _fresh_phone()
    first = tmp_path / "团石村名单.csv"
    first.write_bytes(_csv([HEADER,
                            [f"{tag}-1", GRID, "团石村东1号", "柯大山", "户主", ids[0], phone, "是", "否", ""],
                            [f"{tag}-1", GRID, "团石村东1号", "柯小河", "子女", ids[1], "", "否", "否", ""],
                            [f"{tag}-2", GRID, "团石村东2号", "柯二", "户主", ids[2], "", "否", "否", ""]]))
    second = tmp_path / "团石村名单-改.csv"
    second.write_bytes(_csv([HEADER + ["备注"],
                             [f"{tag}-1", GRID, "团石村东1号", "柯大山", "户主", ids[0], phone2, "是", "否", "", "换"],
                             [f"{tag}-1", GRID, "团石村东1号", "柯小河", "子女", ids[1], "", "否", "否", "", ""],
                             [f"{tag}-1", GRID, "团石村东1号", "柯小溪", "子女", ids[3], "", "否", "否", "", "新生"],
                             [f"{tag}-2", GRID, "团石村东2号", "柯二", "户主", ids[2], "", "否", "否", "", ""],
                             [f"{tag}-3", GRID, "团石村东3号", "柯三", "户主", ids[4], "", "否", "否", "", ""]]))

    page = open_console(desk, web_stack, admin, "/imports")
    page.get_by_role("radiogroup", name="导入内容").get_by_text("住户与成员").click()
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("下载 住户与成员")).click()
    template = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert "与户主关系（户主/配偶/子女/父母/孙子女/兄弟姐妹/其他）" in template and "\n示例-0001," in template

    page.set_input_files("#import-file", str(first))
    page.get_by_role("button", name="预览").click()
    counts = page.locator("[data-test=preview-counts]")
    expect(counts).to_contain_text("新增 3")
    expect(counts).to_contain_text("按户：新增 2 户")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status").filter(has_text="导入成功")).to_contain_text("新增 2 户")

    page.set_input_files("#import-file", str(second))
    page.get_by_role("button", name="预览").click()
    expect(counts).to_contain_text("新增 2")
    expect(counts).to_contain_text("更改 1")
    expect(counts).to_contain_text("未变 2")
    expect(counts).to_contain_text("有误 0")
    expect(page.locator(".import-warnings__row")).to_contain_text("备注")  # an unknown column is reported
    changed = page.locator(".preview-rows__row[data-action=changed]")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("柯大山")
    expect(changed).to_contain_text(re.compile(r"手机号：1\d{2}\*{4}\d{4} → 1\d{2}\*{4}\d{4}"))
    expect(page.locator(".preview-rows__row[data-action=new]")).to_have_count(2)
    page.wait_for_timeout(300)  # buttons fade between states
    shot(page, "console-import-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status").filter(has_text="导入成功")).to_contain_text("新增 1 户、更新 1 户、未变 1 户")
    shot(page, "console-import-updated")

    listed = web_stack.api(admin, "GET", f"/api/households?place={GRID}&q={tag}&limit=100")["items"]
    assert sorted(h["ref"] for h in listed) == [f"{tag}-1", f"{tag}-2", f"{tag}-3"]
    one = next(h for h in listed if h["ref"] == f"{tag}-1")
    assert one["member_count"] == 3
    members = web_stack.api(admin, "GET", f"/api/households/{one['id']}")["members"]  # masked for the county admin
    assert next(m["phone"] for m in members if m["name"] == "柯大山") == f"{phone2[:3]}****{phone2[-4:]}"
