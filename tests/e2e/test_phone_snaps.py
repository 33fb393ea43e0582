"""随手拍 in the phone app, in Chromium on a 360×740 phone, against the real local stack.

Everything happens in 溪前村 (330825100260, 湖镇镇), a village this module makes for itself through the API, with one
grid, one household and a grid worker posted at the grid (invited by the county admin, 13900000002). A villager of
the household files a 随手拍 with two photos without a signal; it waits on the phone as 待发送 and, once the signal
returns, its photos go straight to S3 with presigned POSTs and it is filed exactly once. The grid worker, on another
phone, finds it in 待办事项, accepts it and resolves it with a photo of the result; the villager follows the timeline
and rates it 5 stars, which closes it.
"""

from __future__ import annotations

import io
import json
import re

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import SMALL_PHONE, open_app, screenshot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number

COUNTY_ADMIN = "13900000002"
VILLAGE = "330825100260"  # 溪前村 (湖镇镇): made here
GRID = VILLAGE + "G01"
WORDS = "村口桥头的垃圾堆了三天没人清，气味很大"
ANSWER = "已清运垃圾，并提醒村民定点投放"


def jpeg(path, colour: tuple[int, int, int], size=(1600, 1200)):
    """A small JPEG photo of a coloured scene (a few shapes, so that it has something to compress)."""
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 80):
        draw.rectangle([i, size[1] // 3, i + 40, size[1] // 3 + (i % 400)], fill=(255 - colour[0], 120, i % 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    path.write_bytes(buf.getvalue())
    return str(path)


KEPT_PHOTOS = """async () => {
    const db = await new Promise((ok, no) => {
        const r = indexedDB.open('cqt-outbox'); r.onsuccess = () => ok(r.result); r.onerror = no })
    const all = await new Promise((ok) => {
        const r = db.transaction('blobs').objectStore('blobs').getAll(); r.onsuccess = () => ok(r.result) })
    return all.map((b) => [b.type, b.size])
}"""


def kept_photos(page) -> list:
    """[type, size] of each photo the app keeps in IndexedDB for the outbox."""
    return page.evaluate(KEPT_PHOTOS)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def test_a_snap_made_offline_is_sent_once_resolved_with_a_photo_and_rated(web_stack, browser, tmp_path):
    admin = web_stack.session(COUNTY_ADMIN)
    for code, name in ((VILLAGE, "溪前村"), (GRID, "溪前村第一网格")):
        status, body = web_stack.call("POST", "/api/places", {"code": code, "name": name}, admin)
        assert status in (201, 409), body  # 409: made by an earlier run against the same stack
    household = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"溪前村{new_phone('147')[-4:]}号",
        "members": [{"name": "溪阿婆", "relation": "户主", "id_number": new_id_number()}]}, status=201)
    worker_phone_no = new_phone("147")
    web_stack.api(admin, "POST", "/api/staff", {"phone": worker_phone_no, "name": "溪网格", "role": "grid_worker",
                                                 "place": GRID}, status=201)
    worker = web_stack.session(worker_phone_no)
    invite = web_stack.api(admin, "POST", f"/api/households/{household['id']}/invites", {}, status=201)
    photos = [jpeg(tmp_path / "a.jpg", (40, 110, 60)), jpeg(tmp_path / "b.jpg", (150, 90, 40))]
    after = jpeg(tmp_path / "after.jpg", (200, 200, 190))

    villager_phone = browser.new_context(**SMALL_PHONE)
    worker_phone = browser.new_context(**SMALL_PHONE)
    for ctx in (villager_phone, worker_phone):
        ctx.set_default_timeout(20_000)
    try:
        # The villager links to the household, then opens 随手拍 from the home page.
        page = open_app(villager_phone, web_stack, web_stack.session(new_phone("147")), f"/link?code={invite['code']}")
        page.fill("input[name=name]", "溪阿婆")
        page.click("[data-test=link-submit]")
        expect(page).to_have_url(re.compile(r"/household$"))
        villager = json.loads(page.evaluate("localStorage.getItem('cqt.session')"))
        page.goto(f"{web_stack.url}/")
        page.click("[data-test=tile-snaps]")
        expect(page).to_have_url(re.compile(r"/snaps$"))
        expect(page.locator(".app-bar__title")).to_have_text("随手拍")
        kinds = page.get_by_role("group", name="问题类型")
        expect(kinds.get_by_role("radio")).to_have_count(5)  # the county's categories (GET /cases/types)
        page.goto(f"{web_stack.url}/cases")  # 我的事项 seen once with a signal (the app keeps its screens offline)
        expect(page.locator("[data-test=no-cases]")).to_be_visible()
        page.go_back()
        expect(kinds.get_by_role("radio")).to_have_count(5)

        # No signal: the 随手拍 is made all the same (photos shrunk on the phone), and waits as 待发送.
        villager_phone.set_offline(True)
        expect(page.locator("[data-test=offline-banner]")).to_be_visible()
        page.set_input_files("[data-test=photos-album]", photos)
        expect(page.locator("[data-test=photo]")).to_have_count(2)
        expect(page.locator(".photos__count")).to_have_text("2/6张")
        kinds.get_by_role("radio", name="环境卫生").check()
        page.get_by_role("textbox", name="问题描述").fill(WORDS)
        page.get_by_role("textbox", name="位置").fill("村口桥头")
        expect(page.locator("#snap-gps-hint")).to_contain_text("约100米")
        no_sideways_scroll(page)
        for target in page.locator("button, [role=switch], label.case-choice, label.photos__button").all():
            if target.is_visible():
                assert target.bounding_box()["height"] >= 44, target.inner_html()
        screenshot(page, "phone-snap-form")
        page.get_by_role("button", name="提交", exact=True).click()

        expect(page).to_have_url(re.compile(r"/cases$"))
        queued = page.locator("[data-test=queued-case]")
        expect(queued).to_have_count(1)
        expect(queued.locator("[data-test=status]")).to_have_text("待发送")
        expect(queued).to_contain_text("2张照片")
        expect(page.locator("[data-test=outbox-badge]")).to_have_text("待发送 1")
        # The photos wait in IndexedDB (shrunk: each within 300 KB); localStorage keeps only their ids.
        kept = kept_photos(page)
        assert len(kept) == 2 and all(t == "image/jpeg" and 0 < n <= 300 * 1024 for t, n in kept), kept
        item = json.loads(page.evaluate("localStorage.getItem('cqt.outbox')"))[0]
        assert item["path"] == "/snaps" and [f["key"] for f in item["files"]] == [None, None]
        screenshot(page, "phone-snap-queued")

        # The signal returns: the photos go to S3, then the 随手拍 is filed — once.
        villager_phone.set_offline(False)
        expect(queued).to_have_count(0, timeout=30_000)
        cards = page.locator("[data-test=case]")
        expect(cards).to_have_count(1)
        expect(cards.first.locator("[data-test=status]")).to_have_text("已派单")
        page.reload()
        expect(cards).to_have_count(1)
        mine = web_stack.api(villager, "GET", "/api/cases/mine")["items"]
        assert len(mine) == 1, mine
        case = mine[0]
        ref = case["ref"]
        assert case["type"] == "snap" and case["place"] == GRID and case["text"] == WORDS
        assert len(case["photos"]) == 2 and case["assignee"] == "溪网格" and case["location"] == "村口桥头"
        assert json.loads(page.evaluate("localStorage.getItem('cqt.outbox')")) == []
        assert kept_photos(page) == []  # the photos left the phone with it
        screenshot(page, "phone-cases-mine")

        # The grid worker: field mode → 待办事项 → the case; 受理, then 办结 with an outcome, words and a photo.
        staff = open_app(worker_phone, web_stack, worker, "/")
        staff.click("[data-test=tile-field]")
        staff.click("[data-test=field-cases]")
        expect(staff).to_have_url(re.compile(r"/field/cases\?grid="))
        todo = staff.locator("[data-test=todo-case]")
        expect(todo).to_have_count(1)
        expect(todo.first.locator("[data-test=sla]")).to_contain_text("正常")
        expect(todo.first).to_contain_text("提交人：溪阿婆")
        no_sideways_scroll(staff)
        screenshot(staff, "phone-grid-todo")
        todo.first.click()
        expect(staff).to_have_url(re.compile(rf"/cases/{ref}$"))
        expect(staff.locator("[data-test=photos] img")).to_have_count(2)
        staff.get_by_role("button", name="受理", exact=True).click()
        expect(staff.locator("[data-test=status]")).to_have_text("处理中")
        staff.get_by_role("button", name="办结", exact=True).click()
        resolve = staff.locator("[data-test=resolve-form]")
        resolve.get_by_role("radio", name="已整改").check()
        resolve.get_by_role("textbox", name="答复内容").fill(ANSWER)
        staff.set_input_files("[data-test=after-camera]", after)
        expect(resolve.locator("[data-test=photo]")).to_have_count(1)
        no_sideways_scroll(staff)
        screenshot(staff, "phone-grid-resolve")
        resolve.get_by_role("button", name="确认办结").click()
        expect(staff.locator("[data-test=status]")).to_have_text("已办结")
        expect(staff.locator("[data-test=after-photos] img")).to_have_count(1)
        screenshot(staff, "phone-grid-resolved")

        # The villager follows it: the timeline, the answer with its photo, then 5 stars close it.
        page.goto(f"{web_stack.url}/cases")
        cards.first.click()
        expect(page).to_have_url(re.compile(rf"/cases/{ref}$"))
        events = page.locator("[data-test=event]")
        expect(events).to_have_count(4)
        assert [e.get_attribute("data-event") for e in events.all()] == ["filed", "assigned", "accepted", "resolved"]
        expect(events.locator("[data-test=event-name]")).to_have_text(["已提交", "已派单", "已受理", "已办结"])
        expect(events.nth(3)).to_contain_text("溪网格")
        expect(events.nth(3).locator("[data-test=event-note]")).to_have_text(ANSWER)
        expect(events.nth(3)).to_contain_text(re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d"))
        expect(page.locator("[data-test=outcome]")).to_have_text("已整改")
        expect(page.locator("[data-test=after-photos] img")).to_have_count(1)
        loaded = page.locator("[data-test=after-photos] img").evaluate("i => i.decode().then(() => i.naturalWidth)")
        assert loaded > 0  # the photo after, as uploaded from the worker's phone
        no_sideways_scroll(page)
        screenshot(page, "phone-case-resolved")
        page.get_by_role("radio", name="5星").check()
        expect(page.locator("[data-test=rate-words]")).to_have_text("5星 · 非常满意")
        page.get_by_role("textbox", name="说几句（选填）").fill("处理得很快")
        page.get_by_role("button", name="提交评价").click()
        expect(page.locator("[data-test=status]")).to_have_text("已关闭")
        expect(page.locator("[data-test=rating]")).to_contain_text("评价5星：处理得很快")
        expect(events).to_have_count(5)
        screenshot(page, "phone-case-rated")
        done = web_stack.api(villager, "GET", f"/api/cases/{ref}")
        assert done["status"] == "closed" and done["rating"] == 5
        assert len(web_stack.api(villager, "GET", "/api/cases/mine")["items"]) == 1  # still exactly one

        # The village board shows it, before and after, in elder mode too.
        page.evaluate("localStorage.setItem('cqt.prefs', JSON.stringify({elder: true, locale: 'zh-CN'}))")
        page.goto(f"{web_stack.url}/snaps/board")
        board = page.locator("[data-test=board-item]")
        expect(board).to_have_count(1)
        expect(board.locator("figcaption")).to_have_text(["处理前", "处理后"])
        no_sideways_scroll(page)
        screenshot(page, "phone-snap-board-elder")
        page.goto(f"{web_stack.url}/snaps")
        expect(page.get_by_role("group", name="问题类型").get_by_role("radio")).to_have_count(5)
        no_sideways_scroll(page)
        for target in page.locator("button, [role=switch], label.case-choice, label.photos__button").all():
            if target.is_visible():
                assert target.bounding_box()["height"] >= 48, target.inner_html()
        screenshot(page, "phone-snap-form-elder")
    finally:
        villager_phone.close()
        worker_phone.close()
