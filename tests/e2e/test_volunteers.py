"""紧急招募令 (issue 16 points 7, 8) in Chromium against the real local stack.

(a) The proof "200 concurrent sign-ups for 10 slots give exactly 10 confirmed and 190 waiting": the village admin
posts a 10-slot call in the console (发布招募); 200 villagers of the demo village (on a stack of its own), linked to
households through the API, sign up at the same moment in 64 threads; the console's roster shows 10 已确认 and
190 候补 (positions 1..190), and the demo villager, signing up on a 360×740 phone, is 候补第191位.
(b) A confirmed volunteer's QR code checks them in: the demo party member signs up on the phone (已确认 with the QR),
the village admin on the phone's call page pastes the code into the manual field (签到) and sees 余党员 已签到; the
admin records his hours in the console's roster (登记时长) and his party points rise (GET /vanguard/points/{uid})."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, SMALL_PHONE, open_app, open_console, screenshot, shot
from tests.e2e.stack import Stack, new_phone
from tests.e2e.test_boards import new_household, no_sideways_scroll

COUNTY_ADMIN = "13900000002"
VILLAGE_ADMIN = "13900000007"  # 祝村管, 村情通管理员 of the demo village: organises its calls
PARTY_MEMBER = "13900000013"  # 余党员 of the demo grid
VILLAGER = "13900000014"  # 黄村民 of the demo grid
VILLAGE = "330825001201"  # 张王村
PEOPLE = 200
SLOTS = 10
PER_HOUSEHOLD = 10
SHANGHAI = ZoneInfo("Asia/Shanghai")


def tomorrow_at(hour: int) -> dt.datetime:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def villagers(web_stack, admin: dict, n: int) -> list[dict]:
    """`n` villagers of the demo village, a new household per PER_HOUSEHOLD of them, each linked with an invite (as
    the phone does). Households in parallel; within one, one invite at a time (a new one replaces the last)."""

    def household(h: int) -> list[dict]:
        hid = new_household(web_stack, admin, f"志愿户{h}")
        out = []
        for i in range(min(PER_HOUSEHOLD, n - h * PER_HOUSEHOLD)):
            invite = web_stack.api(admin, "POST", f"/api/households/{hid}/invites", {}, status=201,
                                   key=uuid.uuid4().hex)
            phone = new_phone("171")
            ident = web_stack.session(phone)
            out.append(web_stack.api(ident, "POST", "/api/links", {"code": invite["code"], "name": f"志愿者{h}-{i}"},
                                     key=uuid.uuid4().hex))
        return out

    groups = -(-n // PER_HOUSEHOLD)
    with ThreadPoolExecutor(max_workers=groups) as pool:
        return [p for group in pool.map(household, range(groups)) for p in group]


def fill_time(page, label: str, at: dt.datetime):
    box = page.locator(f'.vol-dialog input[aria-label="{label}"]')
    box.click()
    box.fill(at.strftime("%Y-%m-%d %H:%M"))
    box.press("Enter")
    page.locator(".vol-dialog .el-dialog__title").click()  # close the picker's panel


@pytest.fixture(scope="module")
def crowd_stack(tmp_path_factory):
    """A local stack of its own for the 200 villagers: their sign-in codes would otherwise count against the stack's
    limit per address (every browser test signs in from 127.0.0.1), and their 20 households would join the demo
    village that other tests go through household by household."""
    s = Stack(tmp_path_factory.mktemp("crowd") / "data")
    s.start()
    yield s
    s.stop()


def test_200_concurrent_signups_for_10_slots(crowd_stack, browser, console_built, tmp_path):
    web_stack = crowd_stack
    started = time.monotonic()
    admin = web_stack.staff_session(VILLAGE_ADMIN)
    title = f"抗洪转移{uuid.uuid4().hex[:4]}"
    starts, ends = tomorrow_at(8), tomorrow_at(12)

    # The village admin posts a 10-slot call in the console.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, admin, "/volunteers")
        expect(cpage.locator("[data-place-only]")).to_have_text("张王村", timeout=20_000)
        expect(cpage.locator("[data-test=calls]")).to_contain_text("为村医招募驾驶员", timeout=20_000)  # seeded
        shot(cpage, "console-volunteers-calls")
        cpage.click("[data-test=post-call]")
        dialog = cpage.locator(".vol-dialog")
        expect(dialog.locator("[data-place-only]")).to_have_text("张王村")
        dialog.locator("#vol-title").fill(title)
        dialog.locator("#vol-description").fill("连日降雨，低洼处有六户老人需要转移到村文化礼堂，需人手帮忙搬运行李。")
        dialog.locator("#vol-address").fill("张王村文化礼堂")
        fill_time(cpage, "开始时间", starts)
        fill_time(cpage, "结束时间", ends)
        dialog.locator('[data-test=call-slots] input').fill(str(SLOTS))
        dialog.locator('[data-test=call-slots] input').press("Tab")
        dialog.locator("#vol-requirements").fill("身体健康，能搬重物")
        dialog.locator(".el-checkbox", has_text="搬运").click()
        shot(cpage, "console-volunteers-post")
        dialog.locator("[data-test=call-save]").click()
        expect(cpage.locator(".el-message--success")).to_contain_text(f"已发布“{title}”")
        expect(cpage.locator("[data-test=calls]")).to_contain_text(title)
    finally:
        desk.close()
    items = web_stack.api(admin, "GET", f"/api/volunteers/calls?place={VILLAGE}")["items"]
    call = next(c for c in items if c["title"] == title)
    cid = call["id"]
    assert (call["slots"], call["starts_at"], call["ends_at"]) == (SLOTS, utc(starts), utc(ends))  # sent as +08:00
    assert call["skills"] == ["搬运"]

    # 200 villagers of the village sign up at the same moment.
    county = web_stack.staff_session(COUNTY_ADMIN)
    people = villagers(web_stack, county, PEOPLE)
    assert len(people) == PEOPLE
    made = time.monotonic()
    gate = threading.Event()

    def sign_up(s: dict) -> dict:
        gate.wait(30)
        return web_stack.api(s, "POST", f"/api/volunteers/calls/{cid}/signups")["mine"]

    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = [pool.submit(sign_up, s) for s in people]
        time.sleep(0.2)
        gate.set()
        mine = [f.result() for f in futures]
    statuses = [m["status"] for m in mine]
    assert statuses.count("confirmed") == SLOTS, statuses
    assert statuses.count("waiting") == PEOPLE - SLOTS
    assert sorted(m["position"] for m in mine if m["status"] == "waiting") == list(range(1, PEOPLE - SLOTS + 1))
    assert all(m["code"] for m in mine if m["status"] == "confirmed")
    after = web_stack.api(admin, "GET", f"/api/volunteers/calls/{cid}")
    assert (after["confirmed"], after["waiting"]) == (SLOTS, PEOPLE - SLOTS)
    print(f"{PEOPLE} villagers linked in {made - started:.1f} s; signed up in {time.monotonic() - made:.1f} s")

    # The console's roster: 10 已确认 in order, 190 候补 with positions 1..190.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, admin, "/volunteers")
        expect(cpage.locator(f"[data-test=call-slots-{cid}]")).to_have_text(f"{SLOTS}/{SLOTS}")
        cpage.click(f"[data-test=roster-{cid}]")
        expect(cpage.locator("[data-test=roster-counts]")).to_have_text(
            f"已确认 {SLOTS}/{SLOTS} 人，候补 {PEOPLE - SLOTS} 人")
        confirmed = cpage.locator("[data-test=roster-confirmed] .el-table__body-wrapper tr.el-table__row")
        expect(confirmed).to_have_count(SLOTS)
        expect(confirmed.first).to_contain_text("已确认")
        positions = cpage.locator("[data-test=roster-waiting] [data-test=position]")
        expect(positions).to_have_count(PEOPLE - SLOTS)
        assert positions.all_text_contents() == [f"第{n}位" for n in range(1, PEOPLE - SLOTS + 1)]
        phones = cpage.locator("[data-test=roster-confirmed] [data-test=phone]").all_text_contents()
        assert all(re.fullmatch(r"171\*{4}\d{4}", p) for p in phones), phones  # masked
        shot(cpage, "console-volunteers-roster-200")
        cpage.locator("[data-test=reveal]").click()
        expect(cpage.locator("[data-test=roster-confirmed] [data-test=phone]").first).to_have_text(
            re.compile(r"^171\d{8}$"))
        with cpage.expect_download() as got:
            cpage.click("[data-test=export]")
        assert got.value.suggested_filename == f"志愿者名单-{title}.xlsx"
        saved = tmp_path / "roster.xlsx"
        got.value.save_as(saved)
        sheet = load_workbook(saved)["报名名单"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == ["已确认"] * SLOTS + ["候补"] * (PEOPLE - SLOTS)
        assert [r[1] for r in rows[SLOTS:]] == list(range(1, PEOPLE - SLOTS + 1))
    finally:
        desk.close()

    # The demo villager signs up on the phone: 候补第191位.
    villager = web_stack.staff_session(VILLAGER)
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, villager, "/")
        tile = page.locator("[data-test=tile-volunteers]")
        expect(tile).to_contain_text("紧急招募令")
        screenshot(page, "phone-home-volunteers-tile")
        tile.click()
        expect(page).to_have_url(re.compile(r"/volunteers$"))
        expect(page.locator("[data-test=vol-state]")).to_contain_text("您已是张王村的志愿者")  # the seeded volunteer
        card = page.locator("[data-test=calls] .vol-call", has_text=title)
        expect(card.locator("[data-test=call-slots]")).to_have_text(
            f"已确认 {SLOTS}/{SLOTS} 人 · 候补 {PEOPLE - SLOTS} 人")
        expect(card.locator("[data-test=call-time]")).to_have_text(f"{starts.month}月{starts.day}日 08:00–12:00")
        no_sideways_scroll(page)
        screenshot(page, "phone-volunteers-list")
        card.click()
        expect(page).to_have_url(re.compile(rf"/volunteers/calls/{cid}$"))
        expect(page.locator("[data-test=call-title]")).to_have_text(title)
        page.click("[data-test=signup]")
        expect(page.locator("[data-test=mine-state]")).to_have_text(f"候补第{PEOPLE - SLOTS + 1}位")
        expect(page.locator("[data-test=mine-qr]")).to_have_count(0)
        no_sideways_scroll(page)
        screenshot(page, "phone-volunteers-waiting-191")
    finally:
        phone.close()
    assert web_stack.api(villager, "GET", f"/api/volunteers/calls/{cid}")["mine"]["position"] == PEOPLE - SLOTS + 1


def test_a_confirmed_volunteer_is_checked_in_by_qr_and_earns_points(web_stack, browser, console_built):
    admin = web_stack.staff_session(VILLAGE_ADMIN)
    member = web_stack.staff_session(PARTY_MEMBER)
    uid = member["user_id"]
    starts = dt.datetime.now(SHANGHAI).replace(second=0, microsecond=0) + dt.timedelta(minutes=30)
    title = f"村医巡诊接送{uuid.uuid4().hex[:4]}"
    cid = web_stack.api(admin, "POST", "/api/volunteers/calls", {
        "place": VILLAGE, "title": title, "description": "接送村医到各自然村巡诊。", "address": "张王村卫生室门口",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=4)).isoformat(), "slots": 2,
        "skills": ["驾驶"]}, status=201, key=uuid.uuid4().hex)["id"]
    before = web_stack.api(member, "GET", f"/api/vanguard/points/{uid}")["balance"]

    # The party member signs up on the phone: 已确认, with his check-in QR code.
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, member, "/volunteers")
        page.locator("[data-test=calls] .vol-call", has_text=title).click()
        expect(page).to_have_url(re.compile(rf"/volunteers/calls/{cid}$"))
        page.click("[data-test=signup]")
        expect(page.locator("[data-test=mine-state]")).to_have_text("已确认")
        qr = page.locator("[data-test=mine-qr]")
        expect(qr).to_be_visible()
        page.wait_for_function("() => { const i = document.querySelector('[data-test=mine-qr]');"
                               " return i && i.complete && i.naturalWidth > 0 }")
        code = qr.get_attribute("data-code")
        assert code and code.startswith("CQV1.")
        assert qr.bounding_box()["width"] >= 200  # big enough to scan
        no_sideways_scroll(page)
        screenshot(page, "phone-volunteers-confirmed-qr")
    finally:
        phone.close()

    # The village admin, on the phone's call page: 签到 with the code pasted into the manual field.
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, admin, f"/volunteers/calls/{cid}")
        expect(page.locator("[data-test=organiser]")).to_be_visible()
        expect(page.locator("[data-test=signup]")).to_have_count(0)  # staff of no household: no 报名
        expect(page.locator("[data-test=call-slots]")).to_contain_text("已确认 1/2 人")
        page.locator("[data-test=manual-code]").fill("CQV1.not-a-code")
        page.click("[data-test=manual-check]")
        expect(page.locator("[data-test=organiser] .error-block")).to_be_visible()
        page.click("[data-test=scan-next]")
        page.locator("[data-test=manual-code]").fill(code)
        page.click("[data-test=manual-check]")
        expect(page.locator("[data-test=scan-name]")).to_have_text("余党员")
        expect(page.locator("[data-test=scan-state]")).to_contain_text("已签到")
        no_sideways_scroll(page)
        screenshot(page, "phone-volunteers-organiser-checkin")
    finally:
        phone.close()

    # The admin records his hours in the console's roster; a party member's points rise.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, admin, "/volunteers")
        cpage.click(f"[data-test=roster-{cid}]")
        row = cpage.locator("[data-test=roster-confirmed] tr.el-table__row", has_text="余党员")
        expect(row.locator("[data-test=checked-in]")).not_to_have_text("—")
        sid = web_stack.api(admin, "GET", f"/api/volunteers/calls/{cid}/roster")["confirmed"][0]["id"]
        cpage.click(f"[data-test=hours-{sid}]")
        box = cpage.locator(".el-message-box")
        box.locator("input").fill("4")
        box.locator(".el-button--primary").click()
        expect(cpage.locator(".el-message--success")).to_contain_text("已登记 余党员 服务 4 小时")
        expect(row.locator("[data-test=hours]")).to_have_text("4")
        expect(row.locator("[data-test=points]")).not_to_have_text("—")
        shot(cpage, "console-volunteers-roster-hours")
    finally:
        desk.close()
    after = web_stack.api(member, "GET", f"/api/vanguard/points/{uid}")
    assert after["balance"] > before, (before, after)
    given = web_stack.api(admin, "GET", f"/api/volunteers/calls/{cid}/roster")["confirmed"][0]["points"]
    assert given and after["balance"] >= before + given, (before, after, given)  # (likes' points may come too)
    entry = next(e for e in after["entries"] if e["source"] == "volunteer" and e["ref"] == sid)
    assert entry["points"] == given
