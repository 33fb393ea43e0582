"""The county admin's case settings in the staff console, in Chromium against the real local stack: 事项类别 (the
county's categories of 随手拍) and 工作日历 (the working-day calendar that time limits in working days follow).

The categories and the calendar are the county's own, and other browser tests file 随手拍 in the demo county
under its default categories: so this module onboards a county of its own through the API (开化县 330824, with the
platform operator 13900000001, as an operator does) and works as its first county admin. Phones: 133xxxxxxxx.

The admin adds a category with a single-choice field to 随手拍 (the code is checked before anything is sent),
switches 邻里纠纷 off, saves, reloads and finds both; then makes a Tuesday of 2026 a day off in the calendar.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_console, shot
from tests.e2e.stack import new_phone

OPERATOR = "13900000001"
COUNTY = "330824"  # 开化县: onboarded here, used by no other browser test


@pytest.fixture(scope="module")
def kaihua(web_stack, console_built) -> dict:
    """The session of the first county admin of a county onboarded for this module."""
    operator = web_stack.session(OPERATOR)
    phone = new_phone("133")
    web_stack.api(operator, "POST", "/api/counties", {
        "code": COUNTY, "name": "开化县", "admin_phone": phone, "admin_name": "开县管"}, status=201,
        key=str(uuid.uuid4()))
    admin = web_stack.session(phone)
    assert admin["tenant"] == COUNTY
    return admin


def open_select(root, name: str):
    """Open an Element Plus select by its accessible name."""
    page = getattr(root, "page", root)
    root.locator(".el-select").filter(has=page.get_by_role("combobox", name=name, exact=True)).click()


def choose_type(page, name: str):
    open_select(page, "事项类型")
    page.get_by_role("option", name=name, exact=True).click()


def test_county_admin_edits_snap_categories_and_marks_a_day_off(desk, web_stack, kaihua):
    api, admin = web_stack, kaihua
    page = open_console(desk, web_stack, admin, "/")
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("menuitem", name="事项类别").click()
    expect(page.get_by_role("heading", name="事项类别")).to_be_visible()
    choose_type(page, "随手拍")
    rows = page.locator('.el-table[aria-label="随手拍的类别"] .el-table__body tr')
    expect(rows).to_have_count(5)  # the defaults of 随手拍
    expect(rows.nth(0).locator("td")).to_contain_text(["1", "环境卫生", "Sanitation", "72 小时（3 天）", "垃圾堆放",
                                                       "0 项"])
    expect(rows.nth(1).locator("td")).to_contain_text(["2", "道路设施", "120 小时（5 天）", "1 项"])
    expect(page.get_by_text("所有修改均已保存")).to_be_visible()

    # A new category with a single-choice field: the code is checked here first.
    page.get_by_role("button", name="新增类别").click()
    dialog = page.get_by_role("dialog", name="新增类别")
    dialog.get_by_role("textbox", name="编码", exact=True).fill("Livestock")
    dialog.get_by_role("textbox", name="名称", exact=True).fill("家禽散养")
    sla = dialog.get_by_label("办理时限（小时）")
    sla.fill("96")
    sla.press("Tab")
    expect(dialog.locator("[data-test=sla-days]")).to_have_text("约 4 天")
    dialog.get_by_role("button", name="添加填写项").click()
    dialog.get_by_role("textbox", name="填写项 1 编码").fill("animal")
    dialog.get_by_role("textbox", name="填写项 1 标题").fill("什么牲畜")
    open_select(dialog, "填写项 1 类型")
    for name in ("单行文字", "多行文字", "数字", "日期时间", "单选", "多选"):
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.get_by_role("option", name="单选", exact=True).click()
    dialog.get_by_label("填写项 1 选项 1 名称").fill("鸡鸭")
    dialog.get_by_label("填写项 1 选项 2 名称").fill("猪")
    dialog.locator("label.el-checkbox", has_text="必填").click()
    dialog.get_by_role("button", name="确定").click()
    expect(dialog.locator(".el-form-item__error")).to_have_text(
        ["编码只能用小写字母、数字和下划线，以小写字母开头，2–30 位"])
    shot(page, "console-case-categories-dialog")
    dialog.get_by_role("textbox", name="编码", exact=True).fill("livestock")
    dialog.get_by_role("button", name="确定").click()
    expect(dialog).to_be_hidden()
    expect(rows).to_have_count(6)
    expect(rows.nth(5).locator("td")).to_contain_text(["6", "家禽散养新增livestock", "96 小时（4 天）", "1 项"])

    # 邻里纠纷 switched off (there is no delete), 家禽散养 moved above it; nothing sent yet.
    page.locator(".el-switch", has=page.get_by_role("switch", name="启用 邻里纠纷")).click()
    page.get_by_role("button", name="上移 家禽散养").click()
    page.get_by_role("button", name="上移 家禽散养").click()
    expect(page.locator("[data-test=unsaved]")).to_have_text("有未保存的修改")
    expect(rows.locator("td:nth-child(2) strong")).to_have_text(["环境卫生", "道路设施", "安全隐患", "家禽散养",
                                                                 "邻里纠纷", "其他"])
    expect(page.get_by_role("button", name="删除")).to_have_count(0)
    shot(page, "console-case-categories-edited")
    menu.get_by_role("menuitem", name="工作日历").click()  # leaving asks first
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("放弃尚未保存的修改？")
    box.get_by_role("button", name="取消").click()
    expect(page.get_by_role("heading", name="事项类别")).to_be_visible()
    expect(page.locator("[data-test=unsaved]")).to_be_visible()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="已保存事项类别")).to_be_visible()
    expect(page.get_by_text("所有修改均已保存")).to_be_visible()

    # What the server now has, and what a reload shows.
    snap = next(t for t in api.api(admin, "GET", "/api/cases/types")["items"] if t["id"] == "snap")
    cats = {c["code"]: c for c in snap["categories"]}
    assert [c["code"] for c in snap["categories"]] == ["sanitation", "road", "safety", "livestock", "dispute",
                                                       "other"]
    assert cats["dispute"]["enabled"] is False
    assert cats["livestock"]["sla_hours"] == 96 and cats["livestock"]["enabled"] is True
    assert cats["livestock"]["fields"] == [{
        "code": "animal", "name": "什么牲畜", "datatype": "singlevaluelist", "required": True, "description": "",
        "values": [{"key": "opt1", "name": "鸡鸭"}, {"key": "opt2", "name": "猪"}]}]
    page.reload()
    expect(page.get_by_role("heading", name="事项类别")).to_be_visible()
    choose_type(page, "随手拍")
    expect(rows).to_have_count(6)
    expect(rows.nth(3).locator("td")).to_contain_text(["4", "家禽散养livestock", "96 小时（4 天）", "1 项"])
    expect(rows.nth(3)).not_to_contain_text("新增")
    expect(page.get_by_role("switch", name="启用 邻里纠纷")).not_to_be_checked()
    expect(page.get_by_role("switch", name="启用 家禽散养")).to_be_checked()
    page.get_by_role("button", name="编辑 家禽散养").click()
    dialog = page.get_by_role("dialog", name="编辑类别：家禽散养")
    expect(dialog.get_by_role("textbox", name="编码", exact=True)).to_be_disabled()
    expect(dialog.get_by_label("填写项 1 选项 2 编码")).to_have_value("opt2")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".el-overlay:visible")).to_have_count(0)  # faded out, for the picture
    shot(page, "console-case-categories")

    # 工作日历: a Tuesday of 2026 becomes a day off in this county.
    menu.get_by_role("menuitem", name="工作日历").click()
    expect(page.get_by_role("heading", name="工作日历")).to_be_visible()
    expect(page.get_by_text("村民信箱来信 3 个工作日内答复，超时转交上级")).to_be_visible()
    year = page.get_by_role("combobox", name="年份")
    year.fill("2026")
    year.press("Enter")
    days = page.locator('.el-table[aria-label="2026 年工作日历"] .el-table__body tr')
    expect(page.locator("[data-test=national-source]")).to_have_text("2026 年国家安排依据：国办发明电〔2025〕7号")
    expect(days.filter(has_text="2026/10/01").locator("td")).to_contain_text(["2026/10/01", "周四", "休", "国庆节",
                                                                             "国家"])
    expect(days.filter(has_text="2026/09/22")).to_have_count(0)  # an ordinary Tuesday
    page.get_by_role("button", name="调整日期").click()
    dialog = page.get_by_role("dialog", name="调整日期")
    date = dialog.get_by_role("combobox", name="日期")
    date.fill("2026-09-22")
    date.press("Enter")
    expect(dialog.locator("[data-test=day-before]")).to_have_text("2026/09/22（周二）按国家安排为工作日。")
    dialog.locator(".el-radio-button", has_text="休息日").click()
    dialog.get_by_label("备注").fill("本县防汛调休")
    shot(page, "console-workdays-dialog")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text="已保存：2026/09/22 为休息日")).to_be_visible()
    row = days.filter(has_text="2026/09/22")
    expect(row.locator("td")).to_contain_text(["2026/09/22", "周二", "休", "本县调整为休息", "本县", "本县防汛调休"])
    expect(page.get_by_role("status")).to_contain_text("其中本县调整 1 天")
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_have_count(0, timeout=10_000)
    shot(page, "console-workdays")
    year_out = api.api(admin, "GET", "/api/workdays/2026")
    assert {d["date"]: d for d in year_out["days"]}["2026-09-22"] == {
        "date": "2026-09-22", "kind": "off", "name": "本县调整为休息", "source": "county", "note": "本县防汛调休",
        "default_kind": "work"}
