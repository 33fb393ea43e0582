"""The staff console (/console/) in a desktop Chromium against the real local stack with the demo county.

People: 13900000002 county admin (signs in through the console's own sign-in page, once per session),
13900000001 platform operator and 13900000006 township official of 东华街道 (sessions from the API, put into the
browser's localStorage as the console keeps them). A phone may ask for a code once a minute, and the phone app's
tests use other phones, so each of these signs in exactly once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, open_app, open_console, screenshot, shot
from tests.e2e.stack import new_phone

COUNTY_ADMIN = "13900000002"
OPERATOR = "13900000001"
TOWNSHIP_OFFICIAL = "13900000006"


@pytest.fixture(scope="session")
def county_admin(web_stack, browser, console_built) -> dict:
    """Scenario (a): the county admin signs in through the console's sign-in page with the code from the SMS
    outbox. Returns the session the console saved, for the other tests."""
    ctx = browser.new_context(**DESK)
    ctx.set_default_timeout(15_000)
    try:
        page = ctx.new_page()
        page.goto(f"{web_stack.url}/console/")
        expect(page).to_have_url(re.compile(r"/console/signin"))
        expect(page.get_by_role("heading", name="管理后台登录")).to_be_visible()
        page.get_by_label("手机号").fill(COUNTY_ADMIN)
        page.get_by_role("button", name="获取验证码").click()
        expect(page.get_by_role("button", name=re.compile(r"秒后重新获取"))).to_be_visible()
        shot(page, "console-signin")
        page.get_by_label("验证码").fill(web_stack.sms_code(COUNTY_ADMIN))
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page).to_have_url(re.compile(r"/console/reports$"))  # the county admin's own first page
        expect(page.get_by_text("吴县管（县级管理员（大数据局））")).to_be_visible()
        session = json.loads(page.evaluate("localStorage.getItem('cqt.session')"))
        assert session["tenant"] == "330825" and session["refresh_token"]
        return session
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def operator(web_stack) -> dict:
    return web_stack.session(OPERATOR)


@pytest.fixture(scope="session")
def township_official(web_stack) -> dict:
    return web_stack.session(TOWNSHIP_OFFICIAL)


def tree_item(page, name: str):
    """The row of one place in the places tree (not its subtree)."""
    return page.locator(".el-tree-node__content").filter(has=page.get_by_text(name, exact=True))


def expand(page, name: str):
    """Open a place's children. A root opens by itself (default-expanded) once its children are loaded: a click
    then would close it again, so click only a node that stays closed once nothing is loading."""
    node = tree_item(page, name).locator("xpath=..")  # the node whose own row it is (not an ancestor)
    expect(page.locator(".el-tree-node__loading-icon")).to_have_count(0)
    page.wait_for_timeout(300)  # a default expansion lands right after its load
    if node.get_attribute("aria-expanded") != "true":
        tree_item(page, name).locator(".el-tree-node__expand-icon").click()
    expect(node).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".el-tree-node__loading-icon")).to_have_count(0)


def open_select(root, name: str):
    """Open an Element Plus select by its accessible name (its input sits under the shown value)."""
    page = getattr(root, "page", root)  # a Locator has .page; a Page is its own
    root.locator(".el-select").filter(has=page.get_by_role("combobox", name=name)).click()


# --- (a) sign-in, landing page, language --------------------------------------------------------------------------

def test_county_admin_sees_the_places_tree_and_can_switch_language(desk, web_stack, county_admin):
    page = open_console(desk, web_stack, county_admin, "/places")
    expect(page).to_have_url(re.compile(r"/console/places$"))
    for township in ("东华街道", "龙洲街道", "湖镇镇"):
        expect(tree_item(page, township)).to_be_visible()
    nav = page.get_by_role("navigation", name="主菜单")
    for item in ("地点", "住户与成员", "人员与角色", "表格导入", "覆盖率"):
        expect(nav.get_by_role("menuitem", name=item)).to_be_visible()
    expect(nav.get_by_role("menuitem", name="县开通")).to_have_count(0)  # operator only
    expand(page, "东华街道")
    tree_item(page, "张王村").click()
    expect(page.get_by_role("heading", name="张王村")).to_be_visible()
    expect(page.get_by_text("330825001201", exact=True)).to_be_visible()
    shot(page, "console-places")

    open_select(page, "语言")
    page.get_by_role("option", name="English").click()
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("menuitem", name="Households")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    open_select(page, "Language")
    page.get_by_role("option", name="简体中文").click()
    expect(nav.get_by_role("menuitem", name="住户与成员")).to_be_visible()


# --- (b) spreadsheet import with a row-by-row error report ------------------------------------------------------

def test_county_admin_imports_places_and_sees_the_bad_row(desk, web_stack, county_admin, tmp_path):
    token = county_admin["access_token"]
    bad = tmp_path / "乡镇村网格.csv"
    bad.write_text("编码,名称,上级编码\n"
                   "330825002150,石佛村,330825002\n"
                   "330825002150G01,石佛村第一网格,330825002150\n"
                   "330825002199G01,不存在村的网格,330825002199\n", encoding="utf-8")
    good = tmp_path / "乡镇村网格-改.csv"
    good.write_text("编码,名称,上级编码\n"
                    "330825002150,石佛村,330825002\n"
                    "330825002150G01,石佛村第一网格,330825002150\n", encoding="utf-8")

    page = open_console(desk, web_stack, county_admin, "/imports")
    expect(page.get_by_role("heading", name="表格导入")).to_be_visible()
    template = page.get_by_role("link", name=re.compile("下载 地点"))
    with page.expect_download() as dl:
        template.click()
    assert dl.value.suggested_filename == "地点导入模板.csv"
    header, sample = Path(dl.value.path()).read_text(encoding="utf-8-sig").strip().splitlines()
    assert [h.split("（")[0] for h in header.split(",")] == ["编码", "名称", "上级编码"] and sample.startswith("示例")

    page.set_input_files("#import-file", str(bad))
    page.get_by_role("button", name="预览").click()  # the preview lists every bad row; nothing is written
    rows = page.locator(".import-errors__row")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(["4", "上级编码", "上级 330825002199 不存在"])
    expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
    shot(page, "console-import-rejected")
    for code in ("330825002150", "330825002150G01"):  # all or nothing: the good rows were not written either
        assert web_stack.call("GET", f"/api/places/{code}", token=token)[0] == 404

    page.set_input_files("#import-file", str(good))
    page.get_by_role("button", name="预览").click()
    expect(page.locator("[data-test=preview-counts]")).to_contain_text("新增 2")
    page.get_by_role("button", name="确认导入").click()
    done = page.get_by_role("status").filter(has_text="导入成功")
    expect(done).to_have_text("导入成功：共 2 行，新建 2 条，未变 0 条")
    expect(page.locator(".import-errors__row")).to_have_count(0)
    shot(page, "console-import-done")
    status, place = web_stack.call("GET", "/api/places/330825002150G01", token=token)
    assert status == 200 and place["name"] == "石佛村第一网格"


def test_a_place_created_by_hand_shows_the_api_error_next_to_the_code(desk, web_stack, county_admin):
    page = open_console(desk, web_stack, county_admin, "/places")
    expand(page, "东华街道")
    tree_item(page, "张王村").click()
    page.get_by_role("button", name="新建下级").click()
    dialog = page.get_by_role("dialog", name="新建网格")
    code = dialog.get_by_label("编码")
    expect(code).to_have_value("330825001201G")
    code.fill("330825001201G7")  # one digit: the API refuses it
    dialog.get_by_label("名称").fill("张王村第七网格")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.locator(".el-form-item__error")).to_contain_text("编码格式不正确")
    code.fill("330825001201G07")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text="已创建 张王村第七网格")).to_be_visible()
    expect(tree_item(page, "张王村第七网格")).to_be_visible()  # the parent's children were loaded again


# --- households and members -------------------------------------------------------------------------------------

def test_households_search_page_and_masked_members_with_a_retry_after_a_network_failure(desk, web_stack,
                                                                                         county_admin):
    page = open_console(desk, web_stack, county_admin, "/households")
    failed = {"n": 0}

    def drop_first(route):
        if failed["n"] == 0:
            failed["n"] += 1
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(r"/api/households\?"), drop_first)
    expand(page, "东华街道")
    tree_item(page, "张王村").click()
    expect(page.get_by_role("alert")).to_contain_text("网络连接失败")
    shot(page, "console-households-offline")
    page.get_by_role("button", name="重试").click()
    table = page.get_by_role("table").first
    expect(page.locator(".el-table__body tr")).to_have_count(20)
    page.get_by_role("button", name="下一页").click()
    expect(page.get_by_text("第 2 页")).to_be_visible()
    page.get_by_role("button", name="上一页").click()

    page.get_by_label("搜索住户").fill("张王村21号")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".el-table__body tr")).to_have_count(1)
    expect(table).to_be_visible()
    shot(page, "console-households")
    page.get_by_role("button", name=re.compile(r"^查看 .+ 户$")).click()
    drawer = page.get_by_role("dialog")
    expect(drawer).to_contain_text("张王村21号")
    expect(drawer).to_contain_text("身份证号和手机号已按权限脱敏显示")
    expect(drawer.get_by_text(re.compile(r"^330825\*{8}\d{3}[\dX]$")).first).to_be_visible()
    shot(page, "console-household")

    page.keyboard.press("Escape")
    page.get_by_label("搜索住户").fill("")
    page.get_by_role("button", name="搜索").click()
    page.get_by_text("只看未关联的住户").click()
    expect(page.locator(".el-table__body tr").first).to_be_visible()
    for cell in page.locator(".el-table__body tr td:nth-child(6)").all_inner_texts():
        assert cell.strip() == "0"


# --- (c) coverage charts -------------------------------------------------------------------------------------------

def test_coverage_chart_for_the_county_then_donghua_then_zhangwang(desk, web_stack, county_admin):
    token = county_admin["access_token"]
    page = open_console(desk, web_stack, county_admin, "/coverage")
    county = web_stack.call("GET", "/api/coverage?place=330825&children=true", token=token)[1]
    expect(page.get_by_role("status")).to_contain_text(f"龙游县：共 {county['place']['households']} 户")
    chart = page.get_by_role("img", name=re.compile("龙游县 下各地点"))
    expect(chart.locator("svg")).to_be_visible()
    expect(chart).to_contain_text("东华街道")
    shot(page, "console-coverage-county")

    page.get_by_role("button", name="查看下级 东华街道").click()
    township = web_stack.call("GET", "/api/coverage?place=330825001&children=true", token=token)[1]
    zw = next(c for c in township["children"] if c["place"] == "330825001201")
    expect(page.get_by_role("status")).to_contain_text(f"东华街道：共 {township['place']['households']} 户")
    chart = page.get_by_role("img", name=re.compile("东华街道 下各地点"))
    expect(chart).to_contain_text("张王村")
    row = page.locator(".el-table__body tr", has_text="张王村")
    expect(row.locator("td").nth(1)).to_have_text(str(zw["households"]))
    expect(row.locator("td").nth(2)).to_have_text(str(zw["followed"]))
    shot(page, "console-coverage-township")

    page.get_by_role("button", name="查看下级 张王村").click()
    expect(page.get_by_role("status")).to_contain_text(f"张王村：共 {zw['households']} 户")
    chart = page.get_by_role("img", name=re.compile("张王村 下各地点"))
    expect(chart).to_contain_text("张王村第一网格")  # its grids
    expect(page.get_by_role("button", name=re.compile("查看下级"))).to_have_count(0)  # nothing below a grid
    shot(page, "console-coverage-village")
    page.get_by_role("link", name="龙游县").click()
    expect(page.get_by_role("status")).to_contain_text("龙游县：共")


# --- (d) operator: onboard a county, its settings, disable/enable; what its people then see --------------------------

def _jiangshan_villager(web_stack, admin: dict) -> dict:
    """A household of the new county with a villager linked to it (through the API, as a grid worker would)."""
    for code, name in (("330881001", "虎山街道"), ("330881001201", "城北村"), ("330881001201G01", "城北村第一网格")):
        web_stack.api(admin, "POST", "/api/places", {"code": code, "name": name}, status=201)
    first17 = "33088119700101100"
    idno = first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9,
                                                                             10, 5, 8, 4, 2), strict=True)) % 11]
    hh = web_stack.api(admin, "POST", "/api/households", {
        "grid": "330881001201G01", "address": "城北村1号",
        "members": [{"name": "江户主", "relation": "户主", "id_number": idno}]}, status=201)
    invite = web_stack.api(admin, "POST", f"/api/households/{hh['id']}/invites", {}, status=201)["code"]
    villager = web_stack.session(new_phone("188"))
    return web_stack.api(villager, "POST", "/api/links", {"code": invite})


def test_operator_onboards_a_county_and_its_people_see_when_it_is_suspended(desk, phone, browser, web_stack,
                                                                           operator):
    token = operator["access_token"]
    page = open_console(desk, web_stack, operator)
    expect(page).to_have_url(re.compile(r"/console/counties$"))
    expect(page.locator(".el-table__body tr", has_text="龙游县")).to_be_visible()

    page.get_by_role("button", name="开通新县").click()
    dialog = page.get_by_role("dialog", name="开通新县")
    # Only modules that are built are offered, those on by default switched on, each saying what it does.
    built = web_stack.call("GET", "/api/modules")[1]["items"]
    expect(dialog.locator("[data-module]")).to_have_count(len(built))
    expect(dialog).to_contain_text("卡口扫码核验健康码与当日上报")
    dialog.get_by_label("县级编码").fill("33088")
    dialog.get_by_label("县名").fill("江山市")
    dialog.get_by_label("首位管理员姓名").fill("周江山")
    dialog.get_by_label("首位管理员手机号").fill("13700000881")
    dialog.locator('[data-module="tipoffs"]').click()
    dialog.get_by_role("button", name="开通新县").click()
    expect(dialog.locator(".el-form-item__error")).to_have_text("内容过短")  # the API's 422, next to the field
    dialog.get_by_label("县级编码").fill("330881")
    dialog.get_by_role("button", name="开通新县").click()
    expect(dialog).to_be_hidden()
    row = page.locator(".el-table__body tr", has_text="江山市")
    expect(row).to_contain_text("330881")
    expect(row).to_contain_text("正常")
    chosen = [m["id"] for m in built if m["default_on"] and m["id"] != "tipoffs"]
    expect(row).to_contain_text(f"{len(chosen)} 个模块")
    shot(page, "console-counties")
    county = web_stack.call("GET", "/api/counties/330881", token=token)[1]
    assert county["modules"] == chosen

    # Settings: whom its people contact, and the modules.
    page.get_by_role("button", name="设置 江山市").click()
    settings = page.get_by_role("dialog", name="江山市 的设置")
    expect(settings.get_by_role("switch", name="疫情举报")).not_to_be_checked()
    settings.get_by_label("服务联系方式").fill("江山市大数据局 0570-4012345")
    settings.locator('[data-module="tipoffs"]').click()
    shot(page, "console-county-settings")
    settings.get_by_role("button", name="保存").click()
    expect(settings).to_be_hidden()
    expect(row).to_contain_text(f"{len(chosen) + 1} 个模块")  # tip-offs back on
    county = web_stack.call("GET", "/api/counties/330881", token=token)[1]
    assert county["contact"] == "江山市大数据局 0570-4012345" and len(county["modules"]) == len(chosen) + 1

    # A villager of the new county uses the app; its county admin uses the console.
    admin = web_stack.session("13700000881")
    villager = _jiangshan_villager(web_stack, admin)
    app = open_app(phone, web_stack, villager, "/")
    expect(app.locator("[data-test=tile-daily_report]")).to_be_visible()

    row.get_by_role("button", name="停用 江山市").click()
    page.get_by_role("dialog").get_by_role("button", name="停用").click()
    expect(row).to_contain_text("已停用")
    assert web_stack.call("GET", "/api/counties/330881", token=token)[1]["status"] == "disabled"

    # The villager's next visit shows the suspension and whom to call, not a cached home nor a sign-out.
    app.reload()
    notice = app.locator("[data-test=county-suspended]")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("heading", name="本县服务已暂停")).to_be_visible()
    expect(notice).to_contain_text("江山市的村情通服务已暂停")
    expect(notice.locator("[data-test=suspended-contact]")).to_have_text("江山市大数据局 0570-4012345")
    screenshot(app, "phone-county-suspended")
    assert json.loads(app.evaluate("localStorage.getItem('cqt.session')"))["tenant"] == "330881"
    # So does the county admin in the console (a desk of their own).
    other_desk = browser.new_context(**DESK)
    try:
        desk_admin = open_console(other_desk, web_stack, admin, "/")
        expect(desk_admin.get_by_role("heading", name="本县服务已暂停")).to_be_visible()
        expect(desk_admin.locator("[data-test=suspended-contact]")).to_have_text("江山市大数据局 0570-4012345")
        screenshot(desk_admin, "console-county-suspended")
    finally:
        other_desk.close()

    row.get_by_role("button", name="启用 江山市").click()
    page.get_by_role("dialog").get_by_role("button", name="启用").click()
    expect(row).to_contain_text("正常")
    # Back on: 重新检查 brings the villager's home back, still signed in.
    notice.get_by_role("button", name="重新检查").click()
    expect(notice).to_be_hidden()
    app.goto(f"{web_stack.url}/")
    expect(app.locator("[data-test=tile-daily_report]")).to_be_visible()

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/console/signin$"))
    assert page.evaluate("localStorage.getItem('cqt.session')") is None


# --- (e) staff: invite with the roles one may appoint ---------------------------------------------------------------

def test_township_official_invites_a_checkpoint_worker_with_only_the_roles_allowed(desk, web_stack,
                                                                                   township_official):
    token = township_official["access_token"]
    page = open_console(desk, web_stack, township_official, "/staff")
    expect(page.get_by_role("heading", name="东华街道")).to_be_visible()  # its one place is chosen for it
    expect(page.get_by_role("button", name="邀请人员")).to_be_disabled()  # no role to appoint at a township
    expect(page.get_by_text("您不能在该地点任命任何角色")).to_be_visible()

    expand(page, "东华街道")
    tree_item(page, "张王村").click()
    expect(page.get_by_role("heading", name="张王村")).to_be_visible()
    expect(page.locator(".el-table__body tr", has_text="祝村管")).to_be_visible()
    page.get_by_role("button", name="邀请人员").click()
    dialog = page.get_by_role("dialog", name="邀请人员")
    dialog.get_by_role("button", name="邀请人员").click()
    expect(dialog.locator(".el-form-item__error")).to_have_text(["请选择角色", "请填写姓名", "请输入正确的手机号"])
    open_select(dialog, "角色")
    options = page.get_by_role("option")
    expect(options).to_have_text(["村情通管理员", "卡口值守人员"])
    page.get_by_role("option", name="卡口值守人员").click()
    dialog.get_by_label("姓名").fill("郑值守")
    dialog.get_by_label("手机号").fill("13700000991")
    shot(page, "console-staff-invite")
    dialog.get_by_role("button", name="邀请人员").click()
    expect(dialog).to_be_hidden()
    row = page.locator(".el-table__body tr", has_text="郑值守")
    expect(row).to_contain_text("卡口值守人员")
    expect(row).to_contain_text("137****0991")
    shot(page, "console-staff")

    staff = web_stack.call("GET", "/api/staff?place=330825001201&limit=100", token=token)[1]["items"]
    assert [g["role"] for s in staff if s["name"] == "郑值守" for g in s["grants"]] == ["checkpoint_staff"]
    _, outbox = web_stack.call("GET", "/__dev/sms")
    assert any(m["phone"] == "13700000991" for m in outbox)

    row.get_by_role("button", name="移除 郑值守").click()
    page.get_by_role("dialog").get_by_role("button", name="移除").click()
    expect(page.locator(".el-table__body tr", has_text="郑值守")).to_have_count(0)
