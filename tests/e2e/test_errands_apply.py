"""网上代办: applying online (issue 14, point 2) in Chromium on a 360×740 phone against the real local stack. A villager
linked to a new household of the demo grid opens 在线申请 of the demo county's 生育登记 (devstack/demo_errands.py)
directly, fills its typed form, photographs every material (a generated JPEG, shrunk on the phone and uploaded to
S3), chooses 快递到家, submits, and lands on the application: 待受理, the item, the values, the materials; the case is
in 我的事项 and opens the application again.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import SMALL_PHONE, open_app, screenshot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number
from tests.e2e.test_phone_snaps import jpeg

COUNTY_ADMIN = "13900000002"
GRID = "330825001201G01"  # 张王村第一网格 (demo)
ADDRESS = "龙游县张王村代办路8号"


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def linked_villager(web_stack, browser):
    """(context, page, session) of a villager on a 360×740 phone, linked to a new household of the demo grid."""
    admin = web_stack.staff_session(COUNTY_ADMIN)
    household = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"张王村申请{new_phone('144')[-5:]}号",
        "members": [{"name": "申阿伯", "relation": "户主", "id_number": new_id_number()}]}, status=201)
    invite = web_stack.api(admin, "POST", f"/api/households/{household['id']}/invites", {}, status=201)
    ctx = browser.new_context(**SMALL_PHONE)
    ctx.set_default_timeout(20_000)
    session = web_stack.session(new_phone("144"))
    page = open_app(ctx, web_stack, session, f"/link?code={invite['code']}")
    page.fill("input[name=name]", "申阿伯")
    page.click("[data-test=link-submit]")
    expect(page).to_have_url(re.compile(r"/household$"))
    linked = json.loads(page.evaluate("localStorage.getItem('cqt.session')"))  # the session of the linked county
    assert linked["tenant"] == "330825", linked
    return ctx, page, linked


def test_a_villager_applies_for_sydj_with_photos_and_courier_and_follows_it(web_stack, browser, tmp_path):
    ctx, page, session = linked_villager(web_stack, browser)
    try:
        catalogue = web_stack.api(session, "GET", "/api/errands/items")["items"]
        sydj = next(i for i in catalogue if i["name"] == "生育登记")
        item = web_stack.api(session, "GET", f"/api/errands/items/{sydj['id']}")
        assert item["materials"] and "courier" in item["delivery"]

        page.goto(f"{web_stack.url}/errands/{item['id']}/apply")
        expect(page.locator("[data-test=apply-item]")).to_have_text("生育登记")
        expect(page.locator("[data-test=apply-department]")).to_have_text(item["department"])
        expect(page.locator(".app-bar__title")).to_have_text("在线申请")

        # The form: one input per field, by its type.
        id_number = new_id_number()
        for f in item["fields"]:
            box = page.locator(f"[data-test=value-{f['key']}]")
            if f["type"] == "text":
                box.locator("input").fill("陈小花")
            elif f["type"] == "id_number":
                box.locator("input").fill(id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
                box.locator("input").blur()
                expect(box.locator(".van-field__error-message")).to_have_text("身份证号校验位不正确")
                box.locator("input").fill(id_number)
                box.locator("input").blur()
                expect(box.locator(".van-field__error-message")).to_have_count(0)
            elif f["type"] == "date":
                expect(box.locator("input")).to_have_attribute("type", "date")
                box.locator("input").fill("2026-11-20")
            elif f["type"] == "choice":
                box.get_by_text(f["choices"][1], exact=True).click()
        # A photo of every material (and of a photo field), shrunk on the phone.
        for i, m in enumerate(item["materials"]):
            card = page.locator(f"[data-test=material-{i}]")
            expect(card).to_contain_text(m["name"])
            if m["original_required"]:
                expect(card.locator("[data-test=original-required]")).to_contain_text("须验原件")
            page.set_input_files(f"[data-test=material-{i}-photos-album]",
                                 jpeg(tmp_path / f"m{i}.jpg", (40 + 60 * i, 110, 60)))
            expect(card.locator("[data-test=photo]")).to_have_count(1)
        for f in item["fields"]:
            if f["type"] == "photo":
                page.set_input_files(f"[data-test=value-{f['key']}-album]", jpeg(tmp_path / "f.jpg", (200, 180, 90)))
                expect(page.locator(f"[data-test=value-{f['key']}] [data-test=photo]")).to_have_count(1)
        # 快递到家 with the address and a contact.
        expect(page.locator("[data-test=address]")).to_have_count(0)
        page.locator("[data-test=delivery-courier]").click()
        page.locator("[data-test=address] textarea").fill(ADDRESS)
        page.locator("[data-test=phone] input").fill("13800001234")
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-apply-form")

        page.click("[data-test=submit-apply]")
        expect(page).to_have_url(re.compile(r"/errands/applications/DB-"), timeout=30_000)
        ref = page.url.rsplit("/", 1)[1]
        expect(page.locator("[data-test=status]")).to_have_text("待受理")
        expect(page.locator("[data-test=application-item]")).to_have_text("生育登记")
        expect(page.locator("[data-test=ref]")).to_have_text(ref)
        expect(page.locator("[data-test=delivery-choice]")).to_have_text("快递到家")
        expect(page.locator("[data-test=address]")).to_have_text(ADDRESS)
        ids = [f for f in item["fields"] if f["type"] == "id_number"]
        if ids:
            expect(page.locator(f"[data-test=value-{ids[0]['key']}]")).to_have_text(id_number)
        photos = page.locator("[data-test=material-photo] img")
        expect(photos).to_have_count(len(item["materials"]))
        page.wait_for_function("() => [...document.querySelectorAll('[data-test=material-photo] img')]"
                               ".every((i) => i.complete && i.naturalWidth > 0)")
        expect(page.locator("[data-test=event-name]").first).to_be_visible()
        expect(page.locator(".van-toast")).to_be_hidden()  # 申请已提交 has said its piece
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-application")

        # The server holds the same: the case is the villager's, its materials stored.
        out = web_stack.api(session, "GET", f"/api/errands/applications/{ref}")
        assert out["case"]["status_name"] == "待受理" and out["delivery"] == "courier"
        assert [len(m["photos"]) for m in out["materials"]] == [1] * len(item["materials"])

        # Tap a material: it opens large.
        page.locator("[data-test=material-photo]").first.click()
        expect(page.locator(".van-image-preview")).to_be_visible()
        page.keyboard.press("Escape")
        page.goto(f"{web_stack.url}/cases")
        card = page.locator(f"[data-test=case-{ref}]")
        expect(card).to_contain_text("网上代办")
        expect(card.locator("[data-test=status]")).to_have_text("待受理")
        card.click()
        expect(page).to_have_url(re.compile(rf"/errands/applications/{ref}$"))
        expect(page.locator("[data-test=application-item]")).to_have_text("生育登记")
    finally:
        ctx.close()
