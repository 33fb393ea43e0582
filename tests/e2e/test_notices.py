"""通知公告 (issue 15, points 1–3) in Chromium against the real local stack — "an urgent notice reaches a villager's
banner and the unread list shrinks as they read": the demo village admin publishes an urgent notice to 张王村 in the
console; two villagers of two households of the demo grid open the phone app (360×740) and see the banner; the demo
grid worker's 阅读情况 of the grid lists both households as unread; one villager taps the banner → the notice (read)
→ the banner no longer shows it; the grid worker's unread list no longer has that household, and the read count
went up by one.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import SMALL_PHONE, open_app, open_console, screenshot, shot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number

COUNTY_ADMIN = "13900000002"
VILLAGE_ADMIN = "13900000007"  # 祝村管, 张王村
GRID_WORKER = "13900000009"  # 汪专网, 专职网格员 of the demo grid
VILLAGE = "330825001201"  # 张王村 (demo)
GRID = "330825001201G01"  # 张王村第一网格


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def villager_of_new_household(web_stack, admin: dict, label: str) -> tuple[str, str, dict]:
    """A household of the demo grid (its id and address) and a villager linked to it (their session)."""
    head_phone = new_phone("136")
    address = f"张王村通知路{head_phone[-4:]}号"
    hid = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": address,
        "members": [{"name": f"{label}{head_phone[-3:]}", "relation": "户主", "id_number": new_id_number(),
                     "phone": head_phone}]}, status=201)["id"]
    invite = web_stack.api(admin, "POST", f"/api/households/{hid}/invites", {}, status=201)
    ident = web_stack.session(new_phone("136"))
    family = web_stack.api(ident, "POST", "/api/links", {"code": invite["code"], "name": label},
                           key=new_phone("136"))
    return hid, address, family


def publish_in_console(desk, web_stack, title: str):
    page = open_console(desk, web_stack, web_stack.staff_session(VILLAGE_ADMIN), "/notices")
    expect(page.locator("[data-place-only]")).to_have_text("张王村")
    page.locator("[data-test=publish-notice]").click()
    dialog = page.locator(".notice-dialog")
    expect(dialog.locator("[data-test=from-place]")).to_have_text("张王村")
    dialog.get_by_label("标题", exact=True).fill(title)
    dialog.get_by_label("正文", exact=True).fill("受寒潮影响，今晚至明晨有冰冻。请各户关好门窗，检查取暖用电，"
                                                  "老人独居户请家人电话问候。")
    dialog.locator("[data-test=urgent-switch]").click()
    expect(dialog.locator("[data-test=urgent-switch]")).to_have_class(re.compile("is-checked"))
    expect(dialog).to_contain_text("7天未打开村情通的住户发送一次短信")
    screenshot(page, "console-notices-publish")
    dialog.locator("[data-test=notice-save]").click()
    expect(dialog).to_be_hidden()
    row = page.locator("[data-test=sent-notices] tr", has_text=title)
    expect(row.locator("[data-test=sent-status]")).to_have_text("已发布")
    expect(row).to_contain_text("紧急")
    shot(page, "console-notices-sent")
    return page


def unread_households(page) -> list[str]:
    return page.locator("[data-test=unread-household]").evaluate_all("els => els.map((e) => e.dataset.hid)")


def test_an_urgent_notice_reaches_a_villagers_banner_and_the_unread_list_shrinks_as_they_read(
        web_stack, browser, desk, console_built):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    hid1, address1, first = villager_of_new_household(web_stack, admin, "通知甲")
    hid2, address2, second = villager_of_new_household(web_stack, admin, "通知乙")
    title = f"寒潮冰冻紧急通知{new_phone('137')[-4:]}"

    office = publish_in_console(desk, web_stack, title)

    phones = [browser.new_context(**SMALL_PHONE) for _ in range(3)]
    for ctx in phones:
        ctx.set_default_timeout(20_000)
    try:
        # Both villagers open the app: the banner is there, on the home and on every other screen.
        pages = []
        for i, (ctx, who) in enumerate(zip(phones, (first, second))):
            page = open_app(ctx, web_stack, who, "/")
            banner = page.locator("[data-test=urgent-banner]")
            expect(banner).to_contain_text(title)
            expect(banner).to_contain_text("紧急")
            no_sideways_scroll(page)
            screenshot(page, f"phone-notices-banner-{i + 1}")
            pages.append(page)
        pages[1].locator("[data-test=tile-notices]").click()
        expect(pages[1]).to_have_url(re.compile(r"/notices$"))
        expect(pages[1].locator("[data-test=urgent-banner]")).to_contain_text(title)
        row = pages[1].locator("[data-test=notice-row]", has_text=title)
        expect(row.locator("[data-test=unread-dot]")).to_have_count(1)
        expect(row.locator("[data-test=urgent-tag]")).to_have_text("紧急")
        no_sideways_scroll(pages[1])
        screenshot(pages[1], "phone-notices-list")

        # The grid worker lands on 网格工作 (not the home): the banner is there too. The notice → 阅读情况 of the
        # grid: both households are unread.
        worker = open_app(phones[2], web_stack, web_stack.staff_session(GRID_WORKER), "/field")
        expect(worker.locator("[data-test=urgent-banner]")).to_contain_text(title)
        screenshot(worker, "phone-notices-banner-field")
        worker.goto(f"{web_stack.url}/notices")
        worker.locator("[data-test=notice-row]", has_text=title).click()
        expect(worker.locator("[data-test=notice-title]")).to_contain_text(title)
        worker.locator("[data-test=to-receipts]").click()
        expect(worker).to_have_url(re.compile(rf"/receipts\?place={GRID}$"))
        expect(worker.locator("[data-test=unread-household]").first).to_be_visible()
        unread = unread_households(worker)
        assert hid1 in unread and hid2 in unread, unread
        read_before = int(worker.locator("[data-test=read-count]").inner_text().split("/")[0])
        no_sideways_scroll(worker)
        screenshot(worker, "phone-notices-receipts-before")

        # The first villager taps the banner: the notice opens and is read; the banner no longer has it.
        villager = pages[0]
        villager.locator("[data-test=urgent-banner]", has_text=title).locator("[data-test=urgent-open]").click()
        expect(villager).to_have_url(re.compile(r"/notices/[0-9a-f]+$"))
        expect(villager.locator("[data-test=notice-title]")).to_contain_text(title)
        expect(villager.locator("[data-test=notice-from]")).to_have_text("张王村")
        expect(villager.locator("[data-test=notice-body]")).to_contain_text("寒潮")
        no_sideways_scroll(villager)
        screenshot(villager, "phone-notices-detail")
        villager.locator(".app-bar__back").click()  # back where the banner was tapped: the home
        expect(villager.locator(".home__greeting")).to_be_visible()
        expect(villager.locator("[data-test=urgent-banner]", has_text=title)).to_have_count(0)
        villager.locator("[data-test=tile-notices]").click()
        expect(villager).to_have_url(re.compile(r"/notices$"))
        expect(villager.locator("[data-test=urgent-banner]", has_text=title)).to_have_count(0)
        read_row = villager.locator("[data-test=notice-row]", has_text=title)
        expect(read_row.locator("[data-test=unread-dot]")).to_have_count(0)
        # any other urgent notice (the demo county has one) is acknowledged with 知道了: then no banner at all
        banner = villager.locator("[data-test=urgent-banner]")
        for _ in range(5):
            if not banner.count():
                break
            shown = banner.locator("[data-test=urgent-title]").inner_text()
            with villager.expect_response(lambda r: r.url.endswith("/read") and r.request.method == "POST"):
                banner.locator("[data-test=urgent-ack]").click()
            expect(banner.locator("[data-test=urgent-title]", has_text=shown)).to_have_count(0)
        expect(banner).to_have_count(0)
        villager.reload()  # and it stays gone (the server has it read, the phone kept it so)
        expect(villager.locator("[data-test=notice-row]").first).to_be_visible()
        expect(banner).to_have_count(0)
        with villager.expect_response(lambda r: r.url.endswith("/api/home")):
            villager.goto(f"{web_stack.url}/")  # the home asks the server again: nothing urgent left unread
        expect(villager.locator(".home__greeting")).to_be_visible()
        expect(villager.locator("[data-test=tile-notices]")).to_be_visible()
        expect(banner).to_have_count(0)
        screenshot(villager, "phone-notices-read")
        # the second villager still has it
        pages[1].reload()
        expect(pages[1].locator("[data-test=urgent-banner]")).to_contain_text(title)

        # The grid worker's unread list shrinks: the first household has read it.
        worker.reload()
        expect(worker.locator(f"[data-test=unread-household][data-hid='{hid2}']")).to_have_count(1)
        expect(worker.locator(f"[data-test=unread-household][data-hid='{hid1}']")).to_have_count(0)
        expect(worker.locator("[data-test=read-count]")).to_have_text(re.compile(rf"^{read_before + 1}(/\d+)?$"))
        no_sideways_scroll(worker)
        screenshot(worker, "phone-notices-receipts-after")

        # The village office's 阅读情况: a bar per grid, and the demo grid's unread households.
        office.reload()
        office.locator("[data-test=sent-notices] tr", has_text=title).locator("[data-test=sent-receipts]").click()
        drawer = office.locator(".receipts-drawer")
        expect(drawer.locator("[data-test=receipts-sum]")).to_contain_text("张王村")
        assert int(drawer.locator("[data-test=receipts-read]").inner_text().split("/")[0]) >= 1
        expect(drawer.locator("[data-test=receipts-child]").first).to_be_visible()
        shot(office, "console-notices-receipts-village")
        drawer.locator(f"[data-test=receipts-child][data-place='{GRID}']").click()
        expect(drawer.locator("[data-test=receipts-sum]")).to_contain_text("第一网格")
        expect(drawer.locator("[data-test=receipts-unread]")).to_contain_text(address2)
        expect(drawer.locator("[data-test=receipts-unread]")).not_to_contain_text(address1)
        shot(office, "console-notices-receipts")
    finally:
        for ctx in phones:
            ctx.close()
