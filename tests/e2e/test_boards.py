"""红黑榜 (issue 15 point 4) in Chromium against the real local stack — "a month of inspections produces a board":
the demo grid worker scores households of the demo grid on a 360×740 phone (two through the score form, each with a
photo; the rest through the API to save time), the village admin opens the console's draft of the demo village for
this month and publishes it; a villager of the village sees the board on the phone, with their household's name
masked in 黑榜 (the village's default), and appeals the score once — the second 申诉 button is gone; the village
admin corrects the score in the console (改分) and the household reads the decision and the corrected score."""

from __future__ import annotations

import re
import uuid

import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, SMALL_PHONE, open_app, open_console, screenshot, shot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number
from tests.e2e.test_phone_snaps import jpeg

COUNTY_ADMIN = "13900000002"
VILLAGE_ADMIN = "13900000007"  # 祝村管, 村情通管理员 of the demo village
GRID_WORKER = "13900000009"  # 汪专网, 专职网格员 of the demo grid
GRID = "330825001201G01"  # 张王村第一网格 (demo)
VILLAGE = GRID[:12]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def new_household(web_stack, admin: dict, head: str) -> str:
    tail = new_phone("158")[-5:]
    return web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"张王村评比路{tail}号",
        "members": [{"name": head, "relation": "户主", "id_number": new_id_number()}]}, status=201)["id"]


def inspect_by_api(web_stack, worker: dict, hid: str, scores: dict, path: str) -> dict:
    """What the phone does: a presigned form for the photo, the photo straight to S3, then the score."""
    form = web_stack.api(worker, "POST", "/api/boards/uploads", {"content_type": "image/jpeg"}, status=201)
    with open(path, "rb") as f:
        sent = requests.post(form["url"], data=form["fields"], files={"file": ("photo.jpg", f.read(), "image/jpeg")},
                             timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    return web_stack.api(worker, "POST", "/api/boards/inspections",
                         {"household": hid, "scores": scores, "photos": [form["key"]]}, status=201,
                         key=str(uuid.uuid4()))


def score_on_phone(page, hid: str, criteria: list[dict], scores: dict, photo: str, name: str) -> str:
    """The grid worker at the household: 红黑榜评分 → a score per criterion, a photo, 提交评分; the saved total."""
    page.goto(page.url.split("/field")[0] + f"/field/h/{hid}")
    page.locator("[data-test=board-score]").click()
    expect(page).to_have_url(re.compile(rf"/field/boards/{hid}$"))
    expect(page.locator("[data-test=live-total] strong")).to_have_text("—")
    for c in criteria:
        page.locator(f"[data-test=score-{c['key']}] input").fill(str(scores[c["key"]]))
    expected = round(sum(c["weight"] * scores[c["key"]] / c["max_score"] for c in criteria), 1)
    expect(page.locator("[data-test=live-total] strong")).to_have_text(f"{expected:.1f}")
    page.set_input_files("[data-test=board-photos-album]", photo)
    expect(page.locator("[data-test=board-photos] [data-test=photo]")).to_have_count(1)
    page.locator("[data-test=score-note] textarea").fill("门前有杂物堆放" if expected < 60 else "院落整洁，分类到位")
    no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page draws the sticky bar mid-page
    screenshot(page, f"phone-boards-score-{name}")
    page.click("[data-test=submit-score]")
    expect(page.locator("[data-test=saved-total]")).to_have_text(f"{expected:.1f}", timeout=30_000)
    screenshot(page, f"phone-boards-saved-{name}")
    return f"{expected:.1f}"


def test_a_month_of_inspections_produces_a_board(web_stack, browser, console_built, tmp_path):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    worker = web_stack.staff_session(GRID_WORKER)
    criteria = web_stack.api(worker, "GET", "/api/boards/criteria")["criteria"]
    full = {c["key"]: c["max_score"] for c in criteria}
    zero = {c["key"]: 0 for c in criteria}
    # This month's households: a model one and one to improve (scored on the phone), three more through the API.
    best = new_household(web_stack, admin, "红大娘")
    worst = new_household(web_stack, admin, "黑大伯")
    others = [new_household(web_stack, admin, f"评比{i}户") for i in range(3)]
    photo = jpeg(tmp_path / "yard.jpg", (90, 140, 80))
    for i, hid in enumerate(others):
        inspect_by_api(web_stack, worker, hid, {c["key"]: max(0, c["max_score"] - 2 - 2 * i) for c in criteria}, photo)

    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, worker, f"/field/h/{best}")
        expect(page.locator("[data-test=board-score]")).to_be_visible()
        assert score_on_phone(page, best, criteria, full, photo, "best") == "100.0"
        assert score_on_phone(page, worst, criteria, zero, jpeg(tmp_path / "mess.jpg", (120, 90, 60)), "worst") == "0.0"
        page.close()
    finally:
        phone.close()
    history = web_stack.api(worker, "GET", f"/api/boards/households/{worst}/history")
    assert [r["total"] for r in history["items"]] == [0.0] and len(history["items"][0]["photos"]) == 1

    # The village admin: the console's draft of this month → 发布.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, web_stack.staff_session(VILLAGE_ADMIN), "/boards")
        expect(cpage.locator("[data-test=draft-summary]")).to_contain_text("张王村")
        expect(cpage.locator("[data-test=changed]")).to_be_visible()
        red = cpage.locator("[data-test=table-red]")
        expect(red).to_contain_text("红大娘")
        expect(red.locator(".el-table__row").first).to_contain_text("100.0")
        cpage.get_by_role("tab", name=re.compile("^黑榜")).click()
        black = cpage.locator("[data-test=table-black]")
        expect(black.locator(".el-table__row").first).to_contain_text("黑大伯")  # lowest first
        shot(cpage, "console-boards-draft")
        cpage.locator("[data-test=publish-note]").fill("本月卫生大检查")
        cpage.click("[data-test=publish]")
        confirm = cpage.locator(".el-message-box")
        expect(confirm).to_contain_text("公布给全村村民")
        confirm.get_by_role("button", name="发布").click()
        expect(cpage.locator(".el-message--success")).to_contain_text("已发布")
        expect(cpage.locator("[data-test=published]")).to_contain_text("祝村管")
        expect(cpage.locator("[data-test=up-to-date]")).to_be_visible()
        expect(cpage.locator("[data-test=publish]")).to_be_disabled()
        shot(cpage, "console-boards-published")
    finally:
        desk.close()

    # A villager of 黑大伯's household: the board (黑榜 masked), then 我家的卫生评分 → 申诉, once.
    invite = web_stack.api(admin, "POST", f"/api/households/{worst}/invites", {}, status=201)
    family = web_stack.api(web_stack.session(new_phone("158")), "POST", "/api/links",
                           {"code": invite["code"], "name": "黑小明"}, key=new_phone("158"))
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, family, "/")
        page.locator("[data-test=tile-boards]").click()
        expect(page).to_have_url(re.compile(r"/boards$"))
        expect(page.locator("[data-test=board-summary]")).to_contain_text("本月卫生大检查")
        expect(page.locator("[data-test=rows-red] [data-test=row-name]").first).to_have_text("红大娘")  # red: full
        no_sideways_scroll(page)
        screenshot(page, "phone-boards-red")
        page.locator(".van-tab", has_text="黑榜").click()
        first = page.locator("[data-test=rows-black] [data-test=board-row]").first
        expect(first.locator("[data-test=row-name]")).to_have_text("黑*伯")
        expect(first.locator("[data-test=row-total]")).to_have_text("0.0")
        expect(page.locator("[data-test=rows-black]")).not_to_contain_text("黑大伯")
        expect(page.locator("[data-test=masked-hint]")).to_be_visible()
        no_sideways_scroll(page)
        screenshot(page, "phone-boards-black")

        page.click("[data-test=to-mine]")
        expect(page).to_have_url(re.compile(r"/boards/mine$"))
        record = page.locator("[data-test^=record-]").first
        expect(record.locator("[data-test=record-total]")).to_have_text("0.0")
        expect(record.locator("[data-test=record-note]")).to_have_text("门前有杂物堆放")
        page.wait_for_function("() => [...document.querySelectorAll('[data-test=record-photo]')]"
                               ".every((i) => i.complete && i.naturalWidth > 0)")
        record.locator("[data-test=appeal-open]").click()
        record.locator("[data-test=appeal-reason] textarea").fill("检查那天家里在翻修院子，平时都很干净")
        no_sideways_scroll(page)
        screenshot(page, "phone-boards-appeal")
        record.locator("[data-test=appeal-send]").click()
        expect(record.locator("[data-test=appeal-status]")).to_have_text("申诉处理中")
        expect(record.locator("[data-test=appeal-open]")).to_have_count(0)
        page.reload()  # the server says so too: appealed once, no second 申诉
        expect(page.locator("[data-test^=record-] [data-test=appeal-status]").first).to_have_text("申诉处理中")
        expect(page.locator("[data-test=appeal-open]")).to_have_count(0)
        no_sideways_scroll(page)
        screenshot(page, "phone-boards-appealed")
    finally:
        phone.close()
    village_admin = web_stack.staff_session(VILLAGE_ADMIN)
    appeals = web_stack.api(village_admin, "GET", f"/api/boards/villages/{VILLAGE}/appeals")
    iid = next(a["inspection"] for a in appeals["items"] if a["household"] == worst)

    # The village admin corrects the score in the console (改分); the household reads the decision on the phone.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, village_admin, "/boards")
        cpage.click(f"[data-test=decide-{iid}]")
        dialog = cpage.locator("[data-test=decide-dialog]")
        expect(dialog).to_contain_text("检查那天家里在翻修院子")
        dialog.get_by_text("改分", exact=True).click()
        for c in criteria:
            dialog.locator(f"[data-test=amend-{c['key']}] input").fill(str(c["max_score"] // 2))
            dialog.locator(f"[data-test=amend-{c['key']}] input").press("Tab")
        amended = sum(c["weight"] * (c["max_score"] // 2) / c["max_score"] for c in criteria)
        expect(dialog.locator("[data-test=amend-total]")).to_have_text(f"{amended:.1f}")
        dialog.locator("[data-test=decide-note]").fill("复核照片后，按实际情况更正")
        shot(cpage, "console-boards-decide")
        dialog.locator("[data-test=decide-save]").click()
        expect(cpage.locator(".el-message--success")).to_contain_text("申诉已处理")
        expect(cpage.locator(f"[data-test=decide-{iid}]")).to_have_count(0)
        expect(cpage.locator("[data-test=changed]")).to_be_visible()  # the correction changes the board
    finally:
        desk.close()
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, family, "/boards/mine")
        appealed = page.locator(f"[data-test=record-{iid}]")
        expect(appealed.locator("[data-test=appeal-status]")).to_have_text("已更正评分")
        expect(appealed.locator("[data-test=decision]")).to_contain_text("复核照片后，按实际情况更正")
        first = page.locator("[data-test^=record-]").first
        expect(first.locator("[data-test=amendment]")).to_be_visible()
        expect(first.locator("[data-test=record-total]")).to_have_text(f"{amended:.1f}")
        expect(page.locator("[data-test=appeal-open]")).to_have_count(0)  # an amendment is not appealable
        no_sideways_scroll(page)
        screenshot(page, "phone-boards-decided")
    finally:
        phone.close()
