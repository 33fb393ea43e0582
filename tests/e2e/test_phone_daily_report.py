"""每日上报 and 党员联户 in the phone app, in Chromium at a phone viewport, against the real local stack.

The households are in villages no other browser test reports for (张王村 330825001201 reports every household in
another test): 灵山村 (330825102201) for the villager and the grid worker, 黄铁村 (330825102202) for the report sent
after the signal returns, 茶圩村 (330825101201) for the party member, 下徐村 (330825002202) for the home page on a
360×740 phone. The demo staff all work in 张王村, so the
county admin (13900000002) invites a grid worker for 灵山村 and for 茶圩村 and a party member of 茶圩村 through the
API, and links the party member to households there (POST /api/party-links). Villagers sign in with a fresh
number (the code from the local SMS outbox) and link to their household with an invite code in the app.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot
from tests.e2e.stack import new_phone

COUNTY_ADMIN = "13900000002"
LINGSHAN = "330825102201G01"  # 灵山村第一网格
HUANGTIE = "330825102202"  # 黄铁村
CHAXU = "330825101201G01"  # 茶圩村第一网格
XIAXU = "330825002202G01"  # 下徐村第一网格: the home page's villagers (no other browser test reports there)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def invite_staff(web_stack, admin: dict, role: str, place: str, name: str) -> tuple[dict, dict]:
    """(the person as POST /api/staff answered, their session)."""
    phone = new_phone("136")
    person = web_stack.api(admin, "POST", "/api/staff", {"phone": phone, "name": name, "role": role, "place": place},
                           status=201)
    return person, web_stack.session(phone)




def unreported(web_stack, session: dict, grid: str) -> list[dict]:
    items, cursor = [], None
    while True:
        page = web_stack.api(session, "GET", f"/api/reports/unreported?grid={grid}&limit=50"
                             + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def linked_villager(web_stack, phone, admin: dict, hid: str, name: str, prefs: dict | None = None):
    """A new villager links to household `hid` with an invite code in the app; returns the page (at /household)."""
    invite = web_stack.api(admin, "POST", f"/api/households/{hid}/invites", {}, status=201)
    session = web_stack.session(new_phone("136"))
    page = open_app(phone, web_stack, session, f"/link?code={invite['code']}", prefs)
    expect(page.locator("[data-test=invite-code] input")).to_have_value(invite["code"])
    page.fill("input[name=name]", name)
    page.click("[data-test=link-submit]")
    expect(page).to_have_url(re.compile(r"/household$"))
    return page


def pick_all(page, colour: str = "green"):
    members = page.locator("fieldset.colour-member")
    for i in range(members.count()):
        page.locator(f"[data-test=member-{i}] [data-test=colour-{colour}]").click()


def shanghai_hhmm(iso: str) -> str:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(SHANGHAI).strftime("%H:%M")


@pytest.fixture(scope="module")
def admin(web_stack) -> dict:
    return web_stack.session(COUNTY_ADMIN)


@pytest.fixture(scope="module")
def lingshan_worker(web_stack, admin) -> tuple[dict, dict]:
    return invite_staff(web_stack, admin, "grid_worker", LINGSHAN, "灵网格")


def test_villager_reports_with_outside_persons_then_replaces_the_report(web_stack, admin, phone):
    household = unreported(web_stack, admin, LINGSHAN)[0]
    hid = household["id"]
    page = linked_villager(web_stack, phone, admin, hid, "灵大伯")

    page.goto(f"{web_stack.url}/")
    page.click("[data-test=tile-daily_report]")
    expect(page).to_have_url(re.compile(r"/report$"))
    expect(page.locator("[data-test=today-status]")).to_have_text("今日未报")
    members = page.locator("fieldset.colour-member")
    expect(members).to_have_count(household["member_count"])
    head = page.get_by_role("group", name=re.compile(rf"^{household['head_name']}\s*户主$"))
    for label in ("绿码", "黄码", "红码"):  # every choice is a labelled radio, large enough to tap
        radio = head.get_by_role("radio", name=label)
        expect(radio).to_be_visible()
        assert radio.bounding_box()["height"] >= 48

    # Forgetting a member is caught on the phone.
    page.click("[data-test=submit-report]")
    expect(page.locator("[data-test=member-0]")).to_contain_text("请选择健康码颜色")

    pick_all(page, "green")
    page.get_by_role("switch", name="有外来人员同住").click()
    group = page.locator("[data-test=outside-0]")
    group.locator("[data-test=from-place] input").fill("江西省上饶市")
    group.get_by_role("button", name="第1组增加一人").click()
    expect(group.get_by_role("spinbutton", name="第1组人数")).to_have_value("2")
    page.click("[data-test=add-group]")
    page.locator("[data-test=outside-1] [data-test=from-place] input").fill("安徽省合肥市")
    screenshot(page, "phone-report-form")
    page.click("[data-test=submit-report]")

    today = page.locator("[data-test=today]")
    expect(page.locator("[data-test=today-status]")).to_have_text("已上报")
    report = web_stack.api(admin, "GET", f"/api/reports/today?household={hid}")["report"]
    assert report["outside"] == [{"from_place": "江西省上饶市", "count": 2}, {"from_place": "安徽省合肥市", "count": 1}]
    assert report["outside_persons"] == 3 and report["proxy"] is False and report["level"] == "green"
    assert report["by_name"] == "灵大伯"
    expect(page.locator("[data-test=today-when]")).to_contain_text(f"{shanghai_hhmm(report['submitted_at'])} 已上报")
    expect(page.locator("[data-test=today-when]")).to_contain_text("填报人：灵大伯")
    expect(page.locator("[data-test=proxy-tag]")).to_have_count(0)
    expect(today).to_contain_text("外来人员3人：江西省上饶市2人、安徽省合肥市1人")
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator("[data-test=history-item]")).to_have_count(1)
    screenshot(page, "phone-report-done")

    # 重新填报: the form comes back filled in; a red code is confirmed first.
    page.click("[data-test=redo]")
    expect(head.get_by_role("radio", name="绿码")).to_be_checked()
    expect(page.locator("[data-test=outside-1] [data-test=from-place] input")).to_have_value("安徽省合肥市")
    head.get_by_role("radio", name="红码").check()
    page.click("[data-test=submit-report]")
    dialog = page.get_by_role("dialog").filter(has_text="确认提交")
    expect(dialog).to_contain_text(f"{household['head_name']}为红码")
    expect(dialog).to_contain_text("将立即通知县防疫指挥部")
    page.wait_for_timeout(400)  # the dialog's opening animation
    screenshot(page, "phone-report-confirm")
    dialog.get_by_role("button", name="返回修改").click()
    expect(dialog).to_be_hidden()
    # (Nothing was sent: no alert reaches the county command from this test.)
    assert web_stack.api(admin, "GET", f"/api/reports?household={hid}")["items"][0]["id"] == report["id"]
    head.get_by_role("radio", name="绿码").check()
    page.get_by_role("switch", name="有外来人员同住").click()  # the visitors left
    page.click("[data-test=submit-report]")

    expect(page.locator("[data-test=history-item]")).to_have_count(2)
    expect(today).to_contain_text("无外来人员")
    history = web_stack.api(admin, "GET", f"/api/reports?household={hid}")["items"]
    assert [r["current"] for r in history] == [True, False]
    assert history[0]["outside_persons"] == 0 and history[1]["id"] == report["id"]
    expect(page.locator("[data-test=history-item]").nth(1)).to_contain_text("已被替换")
    screenshot(page, "phone-report-replaced")


def settled_completion(web_stack, admin, place: str) -> dict:
    """A place's completion once the stream has caught up (a report of an earlier test may still be on its way to
    the counters on a loaded machine): the same answer twice, a second apart."""
    last = None
    for _ in range(20):
        now = web_stack.api(admin, "GET", f"/api/reports/completion?place={place}")["place"]
        if now == last:
            return now
        last = now
        time.sleep(1)
    return last


def test_grid_worker_reports_for_an_unreported_household(web_stack, admin, lingshan_worker, phone):
    worker, session = lingshan_worker
    before = settled_completion(web_stack, admin, LINGSHAN)
    page = open_app(phone, web_stack, session, "/")
    page.click("[data-test=tile-field]")
    # The field page renders from the phone's copy, then again with the server's answers: click once it settled.
    page.wait_for_load_state("networkidle")
    page.click("[data-test=field-unreported]")
    expect(page).to_have_url(re.compile(r"/field/unreported\?grid="))
    expect(page.locator("[data-test=completion]")).to_contain_text(
        f"已报 {before['reported']} / {before['expected']} 户")
    rows = page.locator("[data-test=unreported-row]")
    expect(rows.first).to_be_visible()
    expected_rows = unreported(web_stack, admin, LINGSHAN)
    expect(rows).to_have_count(len(expected_rows))
    screenshot(page, "field-unreported")

    target = expected_rows[0]
    row = rows.filter(has_text=target["address"])
    row.get_by_role("button", name=f"为 {target['head_name']}（{target['address']}）代报").click()
    expect(page).to_have_url(re.compile(rf"/field/report/{target['id']}$"))
    expect(page.locator(".app-bar__title")).to_have_text(f"代报：{target['address']}")
    expect(page.locator("[data-test=proxy-banner]")).to_contain_text(
        f"为 {target['head_name']}（{target['address']}）代报")
    pick_all(page, "green")
    screenshot(page, "field-proxy-report")
    page.get_by_role("button", name="提交代报").click()

    expect(page).to_have_url(re.compile(r"/field/unreported\?grid="))
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_text=target["address"])).to_have_count(0)
    expect(rows).to_have_count(len(expected_rows) - 1)
    expect(page.locator("[data-test=completion]")).to_contain_text(
        f"已报 {before['reported'] + 1} / {before['expected']} 户", timeout=20_000)
    report = web_stack.api(admin, "GET", f"/api/reports/today?household={target['id']}")["report"]
    assert report["proxy"] is True and report["by_name"] == "灵网格"
    screenshot(page, "field-unreported-after")


def test_party_member_reminds_an_unreported_household(web_stack, admin, phone):
    households = unreported(web_stack, admin, CHAXU)[:3]
    member, session = invite_staff(web_stack, admin, "party_member", CHAXU, "茶党员")
    links = web_stack.api(admin, "POST", "/api/party-links",
                          {"member": member["id"], "households": [h["id"] for h in households]})
    assert len(links["items"]) == 3
    # One of them has reported already (the grid worker of 茶圩村 reports for it).
    _, chaxu_worker = invite_staff(web_stack, admin, "grid_worker", CHAXU, "茶网格")
    done, todo, other = households
    full = web_stack.api(chaxu_worker, "GET", f"/api/households/{done['id']}")
    web_stack.api(chaxu_worker, "POST", "/api/reports", {
        "household": done["id"], "members": [{"member": m["id"], "colour": "green"} for m in full["members"]]},
        status=201)

    page = open_app(phone, web_stack, session, "/")
    expect(page.locator("[data-test=tile-party]")).to_have_text("我的联户")
    # Their phone is linked to no household of its own: no report or pass tile of theirs, a way to link one.
    expect(page.locator("[data-test=tile-daily_report]")).to_have_count(0)
    expect(page.locator("[data-test=tile-link]")).to_be_visible()
    screenshot(page, "phone-home-party")
    page.click("[data-test=tile-party]")
    expect(page).to_have_url(re.compile(r"/party$"))
    expect(page.locator("[data-test=party-summary]")).to_contain_text("今日已报 1 / 3 户")
    rows = page.locator("[data-test=linked-household]")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text=done["head_name"]).locator("[data-test=status]")).to_have_text("已报")
    expect(rows.filter(has_text=done["head_name"]).locator("[data-test=remind]")).to_have_count(0)
    todo_row = rows.filter(has_text=todo["address"])
    expect(todo_row.locator("[data-test=status]")).to_have_text("未报")
    screenshot(page, "party-links")

    todo_row.get_by_role("button", name=f"提醒 {todo['head_name']}（{todo['address']}）上报").click()
    expect(todo_row.locator("[data-test=reminded]")).to_contain_text("已提醒")
    todo_members = web_stack.api(chaxu_worker, "GET", f"/api/households/{todo['id']}")["members"]
    head_phone = next(m["phone"] for m in todo_members if m["relation"] == "户主")
    _, sms = web_stack.call("GET", "/__dev/sms")
    texts = [m["text"] for m in sms if m["phone"] == head_phone]
    assert len(texts) == 1 and "请打开村情通填报" in texts[0] and "提醒人：茶党员（党员）" in texts[0], texts
    screenshot(page, "party-reminded")

    # Reopened, the household still shows 已提醒; asking again sends no second text message.
    page.reload()
    expect(rows.filter(has_text=todo["address"]).locator("[data-test=reminded]")).to_be_visible()
    again = web_stack.api(session, "POST", "/api/reports/reminders", {"household": todo["id"]})
    assert again["already"] is True
    _, sms = web_stack.call("GET", "/__dev/sms")
    assert len([m for m in sms if m["phone"] == head_phone]) == 1
    expect(rows.filter(has_text=other["address"]).locator("[data-test=remind]")).to_be_visible()


def test_report_made_offline_is_sent_once_when_the_signal_returns(web_stack, admin, phone):
    household = unreported(web_stack, admin, f"{HUANGTIE}G01")[0]
    hid = household["id"]
    # An elderly villager: elder mode on.
    page = linked_villager(web_stack, phone, admin, hid, "黄阿婆", prefs={"elder": True, "locale": "zh-CN"})
    page.goto(f"{web_stack.url}/report")
    expect(page.locator("[data-test=today-status]")).to_have_text("今日未报")
    for target in page.locator("label.colour-option, button").all():
        if target.is_visible():
            assert target.bounding_box()["height"] >= 48, target.inner_html()

    phone.set_offline(True)
    expect(page.locator("[data-test=offline-banner]")).to_be_visible()
    pick_all(page, "green")
    page.click("[data-test=submit-report]")
    expect(page.locator("[data-test=today-status]")).to_have_text("待发送")
    expect(page.locator("[data-test=outbox-badge]")).to_have_text("待发送 1")
    screenshot(page, "phone-report-queued")
    stored = json.loads(page.evaluate("localStorage.getItem('cqt.outbox')"))
    assert len(stored) == 1 and stored[0]["path"] == "/reports" and stored[0]["body"]["household"] == hid
    assert web_stack.api(admin, "GET", f"/api/reports/today?household={hid}")["report"] is None

    phone.set_offline(False)  # the 'online' event sends it
    expect(page.locator("[data-test=today-status]")).to_have_text("已上报", timeout=20_000)
    expect(page.locator("[data-test=outbox-badge]")).to_have_count(0)
    screenshot(page, "phone-report-sent-later")

    # Opening the app again sends nothing more: exactly one report.
    page.reload()
    expect(page.locator("[data-test=today-status]")).to_have_text("已上报")
    page.wait_for_timeout(500)
    assert json.loads(page.evaluate("localStorage.getItem('cqt.outbox')")) == []
    history = web_stack.api(admin, "GET", f"/api/reports?household={hid}")["items"]
    assert len(history) == 1, history




def api_requests(page) -> list[str]:
    """Start recording the API requests the page makes (paths with their query)."""
    seen: list[str] = []
    page.on("request", lambda r: "/api/" in r.url and seen.append(r.url.split("/api", 1)[1]))
    return seen


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_home_shows_today_before_and_after_reporting(web_stack, admin, small_phone):
    """On a 360×740 phone: the home says 未报 with a big 每日上报 button, in one request (GET /home); after reporting it
    says 已报, by whom and when (Asia/Shanghai), and what the checkpoint will say of the pass."""
    household = unreported(web_stack, admin, XIAXU)[0]
    hid = household["id"]
    page = linked_villager(web_stack, small_phone, admin, hid, "徐大伯")
    cutoff = web_stack.api(admin, "GET", "/api/reports/settings")["cutoff"]
    page.wait_for_load_state("networkidle")  # the household page linking landed on has finished its own requests
    seen = api_requests(page)  # what opening the app at its home page asks for
    page.goto(f"{web_stack.url}/")
    card = page.locator("[data-test=home-today]")
    expect(card.locator("[data-test=home-today-status]")).to_have_text("未报")
    expect(card).to_contain_text(f"请在 {cutoff} 前完成")
    go = card.locator("[data-test=home-report-now]")
    expect(go).to_have_text("每日上报")
    box = go.bounding_box()
    assert box["height"] >= 56 and box["width"] >= 280, box  # big, and the width of the card
    assert box["y"] < 300, box  # near the top: the first thing seen
    for tile in page.locator(".tile").all():
        expect(tile.locator("svg path")).to_have_count(1)  # every tile has its icon
    page.wait_for_timeout(1000)  # let the background requests finish
    assert seen == ["/home"], seen  # the whole home (me, modules, the inbox badge, today's report) in one request
    no_sideways_scroll(page)
    screenshot(page, "phone-home-before-report")

    go.click()
    expect(page).to_have_url(re.compile(r"/report\?household="))
    expect(page.locator("fieldset.colour-member")).to_have_count(household["member_count"])
    pick_all(page, "green")
    page.click("[data-test=submit-report]")
    expect(page.locator("[data-test=today-status]")).to_have_text("已上报")
    expect(page.locator("[data-test=history-item]")).to_have_count(1)  # the answer leads the last reports
    page.wait_for_timeout(1000)
    # The morning: the home, then the report sent. The report page came with the home (its `forms`), the me with it
    # too, and the report's answer is the report: nothing is read again (bench/cost.py prices this sequence).
    assert [u.split("?")[0] for u in seen] == ["/home", "/reports"], seen
    page.locator(".app-bar__back").click()
    expect(page).to_have_url(re.compile(r"/$"))
    report = web_stack.api(admin, "GET", f"/api/reports/today?household={hid}")["report"]
    expect(card.locator("[data-test=home-today-status]")).to_have_text("已报")
    expect(card.locator("[data-test=home-today-who]")).to_have_text(
        f"徐大伯 {shanghai_hhmm(report['submitted_at'])} 已报")
    expect(card.locator("[data-test=home-today-colours]")).to_have_text(f"全家{household['member_count']}人均为绿码")
    expect(card.locator("[data-test=home-report-now]")).to_have_count(0)
    no_sideways_scroll(page)
    expect(page.locator(".van-toast")).to_be_hidden()  # the report page's 已上报 toast
    screenshot(page, "phone-home-after-report")
    card.locator("[data-test=home-view-pass]").click()
    expect(page).to_have_url(re.compile(r"/pass$"))
    # The pass page says what the checkpoint will say, by the server's rule (the home does not apply it again).
    page.get_by_role("radio").first.check()
    expect(page.locator("[data-test=pass-verdict-head]")).to_have_text("可通行")


def test_elder_mode_keeps_the_daily_report_first_and_big_and_shows_a_queued_report(web_stack, admin, small_phone):
    household = unreported(web_stack, admin, XIAXU)[1]
    hid = household["id"]
    page = linked_villager(web_stack, small_phone, admin, hid, "徐阿婆", prefs={"elder": True, "locale": "zh-CN"})
    page.goto(f"{web_stack.url}/")
    card = page.locator("[data-test=home-today]")
    expect(card.locator("[data-test=home-today-status]")).to_have_text("未报")
    go = card.locator("[data-test=home-report-now]")
    assert go.bounding_box()["height"] >= 72
    tiles = page.locator("nav.tiles .tile")
    expect(tiles.first).to_have_attribute("data-test", "tile-daily_report")
    first = tiles.first.bounding_box()
    assert first["height"] >= 88 and first["width"] >= 320, first
    assert card.bounding_box()["y"] < first["y"]  # today's status first, then 每日上报, then the rest
    expect(page.locator("[data-test=tile-daily_report]")).to_have_count(1)
    no_sideways_scroll(page)
    screenshot(page, "phone-home-elder")

    # The report page was opened once with a signal (so the phone knows the household's members) ...
    go.click()
    expect(page.locator("fieldset.colour-member")).to_have_count(household["member_count"])
    page.locator(".app-bar__back").click()
    expect(card.locator("[data-test=home-today-status]")).to_have_text("未报")
    # ... then, with no signal, the report waits on the phone, and the home says so.
    small_phone.set_offline(True)
    go.click()
    expect(page.locator("fieldset.colour-member")).to_have_count(household["member_count"])
    pick_all(page, "green")
    page.click("[data-test=submit-report]")
    expect(page.locator("[data-test=today-status]")).to_have_text("待发送")
    page.locator(".app-bar__back").click()
    expect(card.locator("[data-test=home-today-status]")).to_have_text("待发送")
    expect(card.locator("[data-test=home-today-queued]")).to_contain_text("有信号时自动发送")
    expect(card.locator("[data-test=home-today-offline]")).to_have_count(0)
    expect(page.locator(".van-toast")).to_be_hidden()
    screenshot(page, "phone-home-elder-queued")

    small_phone.set_offline(False)  # sent on the 'online' event; the home asks again
    expect(card.locator("[data-test=home-today-status]")).to_have_text("已报", timeout=20_000)
    expect(card.locator("[data-test=home-today-who]")).to_contain_text("徐阿婆")
    screenshot(page, "phone-home-elder-after")
    assert len(web_stack.api(admin, "GET", f"/api/reports?household={hid}")["items"]) == 1


def test_each_role_lands_on_its_own_first_page_after_signing_in(web_stack, admin, small_phone):
    """Grid workers open field work and checkpoint staff the scanner, straight from the sign-in page."""
    for role, place, landing in (("grid_worker", XIAXU, r"/field$"), ("checkpoint_staff", XIAXU[:12], r"/pass/scan$")):
        number = new_phone("136")
        web_stack.api(admin, "POST", "/api/staff", {"phone": number, "name": "下徐员", "role": role, "place": place},
                      status=201)
        page = small_phone.new_page()
        page.goto(f"{web_stack.url}/signin")
        page.fill("[data-test=phone] input", number)
        page.click("[data-test=send-code]")
        expect(page.get_by_text(f"验证码已发送至 {number}")).to_be_visible()
        page.fill("[data-test=code] input", web_stack.sms_code(number))
        page.click("[data-test=sign-in]")
        expect(page).to_have_url(re.compile(landing))
        if role == "grid_worker":
            expect(page.locator(".app-bar__title")).to_have_text("下徐村第一网格")  # its name, not its code
        page.evaluate("localStorage.clear()")
        page.close()
