"""网上代办's catalogue (issue 14, point 1) in Chromium against the real local stack: the demo county's catalogue
(devstack/demo_errands.py) on a 360×740 phone — found from the home tile by its pinyin initials — and in the console,
where the county admin (13900000002) edits an item, switches another off (the phone no longer lists it) and imports
a small spreadsheet built here (one new item, one changed), previewed before it is written.
"""

from __future__ import annotations

import json
import re

import openpyxl
from playwright.sync_api import expect

from devstack.demo_errands import SHEET_ROWS
from tests.e2e.conftest import ARTIFACTS, SMALL_PHONE, open_app, open_console, screenshot, shot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number

COUNTY_ADMIN = "13900000002"
GRID = "330825001201G01"  # 张王村第一网格 (demo)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def viewport_shot(page, name: str):
    """A screenshot of what the desk shows (a drawer stays where it is, unlike in a full-page one)."""
    expect(page.locator(".el-loading-mask")).to_have_count(0)
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def linked_villager(web_stack, browser):
    """A phone (360×740) of a villager linked to a new household of the demo grid, on the home page."""
    admin = web_stack.staff_session(COUNTY_ADMIN)
    household = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"张王村代办{new_phone('148')[-5:]}号",
        "members": [{"name": "代阿伯", "relation": "户主", "id_number": new_id_number()}]}, status=201)
    invite = web_stack.api(admin, "POST", f"/api/households/{household['id']}/invites", {}, status=201)
    ctx = browser.new_context(**SMALL_PHONE)
    ctx.set_default_timeout(20_000)
    page = open_app(ctx, web_stack, web_stack.session(new_phone("148")), f"/link?code={invite['code']}")
    page.fill("input[name=name]", "代阿伯")
    page.click("[data-test=link-submit]")
    expect(page).to_have_url(re.compile(r"/household$"))
    page.goto(f"{web_stack.url}/")
    return ctx, page


def test_a_villager_finds_sydj_from_the_home_tile_and_reads_its_materials(web_stack, browser):
    ctx, page = linked_villager(web_stack, browser)
    try:
        page.click("[data-test=tile-errands]")
        expect(page).to_have_url(re.compile(r"/errands$"))
        expect(page.locator(".app-bar__title")).to_have_text("网上代办")
        search = page.get_by_role("searchbox", name="搜索事项")
        expect(search).to_have_attribute("placeholder", "搜索事项，如 生育登记 或 sydj")
        expect(page.locator("[data-test=errand-group]").first).to_be_visible()
        groups = page.locator("[data-test=errand-group] summary")
        assert groups.count() >= 8  # the demo county's departments
        expect(page.locator("[data-test=errand-group]", has_text="县卫生健康局")).to_be_visible()
        screenshot(page, "phone-errands-catalogue")

        search.fill("sydj")
        found = page.locator("[data-test=errand]:visible")
        expect(found).to_have_count(1)
        expect(found.first).to_contain_text("生育登记")
        expect(found.first).to_contain_text("县卫生健康局")
        expect(found.first).to_contain_text("即办")
        expect(found.first.locator("[data-test=courier-tag]")).to_have_text("快递到家")
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-search-sydj")

        search.fill("护照办理")
        expect(page.locator("[data-test=errands-not-found]")).to_have_text(
            "没有找到“护照办理”，可以换个说法，或请网格员帮忙")
        search.fill("sydj")
        found.first.click()
        expect(page).to_have_url(re.compile(r"/errands/[0-9a-f]{12}$"))
        expect(page.locator("[data-test=errand-name]")).to_have_text("生育登记")
        materials = page.locator("[data-test=material]")
        assert materials.count() >= 2
        expect(page.locator("[data-test=original-required]").first).to_have_text("须验原件")
        expect(page.locator("[data-test=errand-fields]")).to_be_visible()
        apply = page.get_by_role("button", name="在线申请")
        expect(apply).to_be_enabled()  # the application form (errands/apply/) is in the app
        no_sideways_scroll(page)
        screenshot(page, "phone-errand-sydj")
        item_url = page.url
        apply.click()
        expect(page).to_have_url(re.compile(r"/errands/[0-9a-f]{12}/apply$"))
        page.goto(item_url)

        # Elder mode: the same page, bigger, still without sideways scroll.
        page.evaluate("localStorage.setItem('cqt.prefs', JSON.stringify({elder: true, locale: 'zh-CN'}))")
        page.reload()
        expect(page.locator("[data-test=errand-name]")).to_have_text("生育登记")
        assert float(page.evaluate("getComputedStyle(document.querySelector('.errand-material__name')).fontSize")
                     .rstrip("px")) >= 20
        no_sideways_scroll(page)
        screenshot(page, "phone-errand-sydj-elder")

        # Opened once with a signal, the catalogue opens without one.
        page.goto(f"{web_stack.url}/errands")
        expect(page.locator("[data-test=errand-group]").first).to_be_visible()
        # the service worker has precached the app and controls the page (a bigger build takes longer to precache)
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                               timeout=30_000)
        ctx.set_offline(True)
        page.reload()
        expect(page.locator("[data-test=errands-offline]")).to_be_visible()
        page.get_by_role("searchbox", name="搜索事项").fill("准生证")
        expect(page.locator("[data-test=errand]:visible")).to_have_count(1)
    finally:
        ctx.close()


def test_the_county_admin_edits_one_item_and_switches_another_off(desk, web_stack, browser, console_built):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    page = open_console(desk, web_stack, admin, "/")
    page.get_by_role("menuitem", name="事项目录").click()
    expect(page).to_have_url(re.compile(r"/console/errands/items$"))
    expect(page.get_by_role("menuitem", name="网上代办", exact=True)).to_be_visible()  # the group
    rows = page.locator(".errand-items .el-table__body tr")
    expect(rows.filter(has_text="高龄津贴申领")).to_have_count(1)
    assert rows.count() >= len(SHEET_ROWS) - 1  # every demo item, switched-off ones included

    page.get_by_role("button", name="编辑 高龄津贴申领").click()
    drawer = page.locator(".errand-drawer")
    expect(drawer.get_by_label("事项名称")).to_have_value("高龄津贴申领")
    promised = drawer.get_by_label("承诺时限")
    promised.fill("7")
    promised.blur()
    viewport_shot(page, "console-errand-editor")
    drawer.get_by_text("申请材料", exact=True).scroll_into_view_if_needed()
    viewport_shot(page, "console-errand-editor-materials")
    drawer.get_by_role("button", name="保存").click()
    expect(drawer).to_be_hidden()
    row = rows.filter(has_text="高龄津贴申领")
    expect(row).to_contain_text("7 个工作日")

    switch = page.get_by_role("switch", name="启用 临时救助申请")
    expect(switch).to_be_checked()
    page.locator(".el-switch", has=switch).click()
    expect(rows.filter(has_text="临时救助申请")).to_contain_text("停用")
    expect(switch).not_to_be_checked()
    shot(page, "console-errand-items")

    item = next(i for i in web_stack.api(admin, "GET", "/api/errands/items?all=true")["items"]
                if i["name"] == "高龄津贴申领")
    assert item["promised_days"] == 7

    # A phone that opens the list now does not offer the switched-off item; the edited one says 承诺7个工作日.
    ctx, phone = linked_villager(web_stack, browser)
    try:
        phone.goto(f"{web_stack.url}/errands")
        search = phone.get_by_role("searchbox", name="搜索事项")
        expect(phone.locator("[data-test=errand-group]").first).to_be_visible()
        search.fill("临时救助")
        expect(phone.locator("[data-test=errands-not-found]")).to_be_visible()
        search.fill("高龄津贴")
        expect(phone.locator("[data-test=errand]:visible")).to_contain_text("承诺7个工作日")
    finally:
        ctx.close()


def test_the_county_admin_imports_a_sheet_previewed_then_committed(desk, web_stack, console_built, tmp_path):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    header = SHEET_ROWS[0]
    col = {h.rstrip("*"): i for i, h in enumerate(header)}
    changed = list(next(r for r in SHEET_ROWS[1:] if r[col["事项名称"]] == "农机购置补贴申请"))
    changed[col["承诺时限"]] = "8个工作日"
    new = [""] * len(header)
    new[col["事项名称"]] = "农村小型工程补助申请"
    new[col["实施部门"]] = "县水利局"
    new[col["申请材料"]] = "申请人居民身份证（原件）：正反面拍照\n工程照片"
    new[col["表单字段"]] = "工程地点*；开工日期（日期）*"
    new[col["承诺时限"]] = "10个工作日"
    new[col["送达方式"]] = "快递"
    book = openpyxl.Workbook()
    for r in (header, changed, new):
        book.active.append(r)
    sheet = tmp_path / "事项清单.xlsx"
    book.save(sheet)

    page = open_console(desk, web_stack, admin, "/errands/items")
    page.get_by_role("button", name="导入").click()
    dialog = page.locator(".errand-import")
    page.set_input_files("#errand-import-file", str(sheet))
    dialog.get_by_role("button", name="预览").click()
    counts = dialog.locator("[data-test=import-counts] .el-tag")
    expect(counts).to_have_text(["新增 1", "更改 1", "未变 0", "有误 0"])
    preview = dialog.locator("[data-test=import-preview]")
    expect(preview).to_contain_text("农村小型工程补助申请")
    expect(preview).to_contain_text("农机购置补贴申请")
    shot(page, "console-errand-import-preview")
    names = [i["name"] for i in web_stack.api(admin, "GET", "/api/errands/items?all=true")["items"]]
    assert "农村小型工程补助申请" not in names  # a preview writes nothing

    dialog.get_by_role("button", name="确认导入").click()
    expect(dialog.locator("[data-test=import-result]")).to_contain_text("新增 1 项，更新 1 项")
    items = {i["name"]: i for i in web_stack.api(admin, "GET", "/api/errands/items?all=true")["items"]}
    assert items["农机购置补贴申请"]["promised_days"] == 8
    assert items["农村小型工程补助申请"]["delivery"] == ["courier"]
    page.keyboard.press("Escape")
    expect(page.locator(".errand-items .el-table__body tr").filter(has_text="农村小型工程补助申请")).to_have_count(1)
    detail = web_stack.api(admin, "GET", f"/api/errands/items/{items['农村小型工程补助申请']['id']}")
    assert detail["materials"][0]["original_required"] is True
    assert [f["type"] for f in detail["fields"]] == ["text", "date"]
    assert json.dumps(detail, ensure_ascii=False).count("开工日期") == 1
