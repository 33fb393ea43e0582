"""村民信箱 in the phone app, in Chromium on a 360×740 phone, against the real local stack.

Everything happens in 枫林村 (330825102260, 溪口镇), a village this module makes for itself through the API (no other
browser test uses it), with one grid and one household; the county admin (13900000002) appoints a village admin of
the village and a township official of 溪口镇. A villager of the household opens 村民信箱 from the home page and writes
an anonymous letter with a photo to 村两委; the letter's page opens. The village admin answers through the API (a
note: staff see no name), the villager reads the answer in the thread (村里的答复, on the left) and replies (我, on the
right), and in 我的 switches on 事项进展短信通知. Nobody answers it for good within 3 working days: the local stack's
test hook (POST /__dev/escalate?at=…) runs the escalation schedule at the letter's due time plus a minute, the letter
goes to the township, the villager sees it in the thread, in the inbox and by SMS, and the township official has
it.

Phones: 146xxxxxxxx for the people made here (the other browser tests use 136, 137, 145, 147, 149 and 188).

Note: the hook runs the schedule for the whole stack, so any other case of the shared stack overdue at that moment
moves up a level too; the assertions here are about this letter only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from urllib.parse import quote

from playwright.sync_api import expect

from tests.e2e.conftest import SMALL_PHONE, open_app, screenshot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number
from tests.e2e.test_phone_snaps import jpeg, no_sideways_scroll

COUNTY_ADMIN = "13900000002"
TOWNSHIP = "330825102"  # 溪口镇 (demo county)
VILLAGE = TOWNSHIP + "260"  # 枫林村: made here
GRID = VILLAGE + "G01"
LETTER = "村口到小学那段路没有路灯，冬天放学天就黑了，孩子们走路很危险，建议装几盏路灯。"
ANSWER = "来信收到了，村两委下周一开会商量装路灯的事，会后答复您。"
REPLY = "谢谢！桥头那一段最黑，请优先考虑。"


def tappable(page, at_least: int):
    for target in page.locator("button, [role=switch], label.case-choice, label.photos__button").all():
        if target.is_visible():
            assert target.bounding_box()["height"] >= at_least, target.inner_html()


def test_an_anonymous_letter_is_answered_in_a_thread_and_escalates_after_three_working_days(
        web_stack, browser, tmp_path):
    admin = web_stack.session(COUNTY_ADMIN)
    for code, name in ((VILLAGE, "枫林村"), (GRID, "枫林村第一网格")):
        status, body = web_stack.call("POST", "/api/places", {"code": code, "name": name}, admin)
        assert status in (201, 409), body  # 409: made by an earlier run against the same stack
    household = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"枫林村{new_phone('146')[-4:]}号",
        "members": [{"name": "枫大妈", "relation": "户主", "id_number": new_id_number()}]}, status=201)

    def appoint(role: str, place: str, name: str) -> dict:
        phone = new_phone("146")
        web_stack.api(admin, "POST", "/api/staff", {"phone": phone, "name": name, "role": role, "place": place},
                      status=201)
        return web_stack.session(phone)

    secretary = appoint("village_admin", VILLAGE, "枫村书记")
    township = appoint("township_official", TOWNSHIP, "溪口镇干部")
    invite = web_stack.api(admin, "POST", f"/api/households/{household['id']}/invites", {}, status=201)
    villager_no = new_phone("146")
    photo = jpeg(tmp_path / "road.jpg", (60, 60, 90))

    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        # The villager links to the household, then opens 村民信箱 from the home page.
        page = open_app(phone, web_stack, web_stack.session(villager_no), f"/link?code={invite['code']}")
        page.fill("input[name=name]", "枫大妈")
        page.click("[data-test=link-submit]")
        expect(page).to_have_url(re.compile(r"/household$"))
        villager = json.loads(page.evaluate("localStorage.getItem('cqt.session')"))
        page.goto(f"{web_stack.url}/")
        expect(page.locator("[data-test=tile-mailbox]")).to_have_text("村民信箱")
        page.click("[data-test=tile-mailbox]")
        expect(page).to_have_url(re.compile(r"/letters/new$"))
        expect(page.locator(".app-bar__title")).to_have_text("村民信箱")

        # The letter: to 村两委 (the two choices), a category of the county, the words, a photo, 匿名.
        to = page.get_by_role("group", name="写给谁")
        expect(to.get_by_role("radio")).to_have_count(2)
        expect(to.get_by_role("radio", name="村两委")).to_be_checked()
        kinds = page.get_by_role("group", name="来信类型")
        expect(kinds.get_by_role("radio")).to_have_count(4)  # the county's categories (GET /cases/types)
        kinds.get_by_role("radio", name="意见建议").check()
        page.get_by_role("textbox", name="来信内容").fill(LETTER)
        expect(page.locator("[data-test=text] .van-field__word-limit")).to_have_text(f"{len(LETTER)}/2000")
        page.set_input_files("[data-test=photos-album]", [photo])
        expect(page.locator("[data-test=photo]")).to_have_count(1)
        anonymous = page.get_by_role("switch", name="匿名来信")
        anonymous.click()
        expect(anonymous).to_have_attribute("aria-checked", "true")
        expect(page.locator("#letter-anonymous-hint")).to_contain_text("工作人员看不到您的姓名")
        expect(page.locator("[data-test=promise]")).to_contain_text("3个工作日内答复")
        no_sideways_scroll(page)
        tappable(page, 44)
        screenshot(page, "phone-letter-form")
        page.get_by_role("button", name="寄出来信").click()

        # Sent: the letter's own page opens, waiting for an answer.
        expect(page).to_have_url(re.compile(r"/cases/XX-330825-\d+$"))
        ref = page.url.rsplit("/", 1)[1]
        expect(page.locator(".app-bar__title")).to_have_text("来信详情")
        expect(page.locator("[data-test=status]")).to_have_text("待答复")
        expect(page.locator("[data-test=place]")).to_have_text("枫林村")
        expect(page.locator("[data-test=anonymous]")).to_contain_text("工作人员看不到您的姓名")
        expect(page.locator("[data-test=photos] img")).to_have_count(1)
        expect(page.locator("[data-test=notice-text]")).to_have_text(["来信已送到村两委"])
        expect(page.locator("[data-test=reply-form]")).to_be_visible()
        mine = web_stack.api(villager, "GET", "/api/cases/mine")["items"]
        assert [c["ref"] for c in mine] == [ref], mine  # sent exactly once
        letter = mine[0]
        assert letter["type"] == "letter" and letter["place"] == VILLAGE and letter["level"] == "village"
        assert letter["anonymous"] is True and letter["text"] == LETTER and len(letter["photos"]) == 1

        # The village admin reads it without a name and answers with a note.
        seen = web_stack.api(secretary, "GET", f"/api/cases/{ref}")
        assert seen["filer"] is None and seen["timeline"][0]["by"] == "提交人"
        assert "枫大妈" not in json.dumps(seen, ensure_ascii=False)
        web_stack.api(secretary, "POST", f"/api/cases/{ref}/actions", {"action": "note", "note": ANSWER},
                      key=f"e2e-letter-note-{ref}")

        # The villager reads the answer in the thread (left) and replies (right).
        page.reload()
        messages = page.locator("[data-test=thread-message]")
        expect(messages).to_have_count(1)
        expect(messages.first).to_have_attribute("data-side", "theirs")
        expect(messages.first.locator("[data-test=thread-who]")).to_have_text("村里的答复 · 枫村书记")
        expect(messages.first.locator("[data-test=thread-note]")).to_have_text(ANSWER)
        expect(messages.first).to_contain_text(re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d"))
        page.get_by_role("textbox", name="回复").fill(REPLY)
        page.get_by_role("button", name="发送回复").click()
        expect(messages).to_have_count(2)
        expect(messages.nth(1)).to_have_attribute("data-side", "mine")
        expect(messages.nth(1).locator("[data-test=thread-who]")).to_have_text("我")
        expect(messages.nth(1).locator("[data-test=thread-note]")).to_have_text(REPLY)
        expect(page.get_by_role("textbox", name="回复")).to_have_value("")
        theirs, mine_box = (messages.nth(i).bounding_box() for i in (0, 1))
        assert theirs["x"] < mine_box["x"] and mine_box["x"] + mine_box["width"] > theirs["x"] + theirs["width"]
        no_sideways_scroll(page)
        screenshot(page, "phone-letter-thread")
        staff_view = web_stack.api(secretary, "GET", f"/api/cases/{ref}")["timeline"]
        assert (staff_view[-1]["by_role"], staff_view[-1]["by"], staff_view[-1]["note"]) == ("filer", "提交人", REPLY)

        # 我的 → 设置: an SMS when a case of mine changes status.
        page.goto(f"{web_stack.url}/profile")
        sms = page.get_by_role("switch", name="事项进展短信通知")
        expect(sms).to_have_attribute("aria-checked", "false")
        expect(page.locator("[data-test=sms-cell]")).to_contain_text("短信不收您任何费用")
        sms.click()
        expect(sms).to_have_attribute("aria-checked", "true")
        assert web_stack.api(villager, "GET", "/api/me")["sms_updates"] is True
        no_sideways_scroll(page)
        screenshot(page, "phone-profile-sms")

        # No answer for good within 3 working days: the schedule, run at the due time (plus a minute), moves the
        # letter to the township.
        due = web_stack.api(villager, "GET", f"/api/cases/{ref}")["due_at"]
        assert due, "an open letter has a due time"
        at = dt.datetime.fromisoformat(due.replace("Z", "+00:00")) + dt.timedelta(minutes=1)
        assert at - dt.datetime.now(dt.UTC) > dt.timedelta(days=2), (due, "3 working days away")
        status, body = web_stack.call("POST", f"/__dev/escalate?at={quote(at.isoformat())}")
        assert status == 200 and body["escalated"].get("330825", 0) >= 1, body
        up = web_stack.api(villager, "GET", f"/api/cases/{ref}")
        assert up["level"] == "township" and up["timeline"][-1]["event"] == "escalated", up["timeline"][-1]
        assert up["timeline"][-1]["detail"]["to"] == "township" and up["status_name"] == "待答复"
        notices = web_stack.api(villager, "GET", "/api/inbox")["items"]
        assert any(m["title"] == "您的来信已转交乡镇（街道）办理" for m in notices), notices

        page.goto(f"{web_stack.url}/cases/{ref}")
        expect(page.locator("[data-test=notice-text]")).to_have_text(
            ["来信已送到村两委", "3个工作日内没有答复，已自动转交乡镇（街道）办理"])
        expect(page.locator("[data-test=thread-notice]").nth(1)).to_have_attribute("data-event", "escalated")
        expect(page.locator("[data-test=handler]")).to_have_text("乡镇（街道）")

        expect(messages).to_have_count(2)
        # The township has it now. (Its answer is not written here: the escalation ran on a moved clock, days
        # ahead, so an answer written now would come before it in the timeline.)
        assert web_stack.api(township, "GET", f"/api/cases/{ref}")["level"] == "township"
        no_sideways_scroll(page)
        screenshot(page, "phone-letter-escalated")

        # The SMS the villager opted into (sent from the stream, a moment later).
        deadline, texts = time.monotonic() + 30, []
        while time.monotonic() < deadline:
            _, outbox = web_stack.call("GET", f"/__dev/sms?phone={villager_no}")
            texts = [m["text"] for m in outbox if m.get("template") == "case_update" and ref[-6:] in m["text"]]
            if texts:
                break
            time.sleep(0.5)
        # an approved template: the case by the last 6 characters of its number (core/sms_templates.py)
        assert texts == [f"【村情通】您的来信（编号尾号{ref[-6:]}）已转上级办理，详情请打开村情通查看。"], texts

        # Elder mode: the thread and the form, bigger, still without sideways scrolling.
        page.evaluate("localStorage.setItem('cqt.prefs', JSON.stringify({elder: true, locale: 'zh-CN'}))")
        page.reload()
        expect(messages).to_have_count(2)
        no_sideways_scroll(page)
        screenshot(page, "phone-letter-escalated-elder")
        page.goto(f"{web_stack.url}/letters/new")
        expect(page.get_by_role("group", name="写给谁").get_by_role("radio")).to_have_count(2)
        no_sideways_scroll(page)
        tappable(page, 48)
        screenshot(page, "phone-letter-form-elder")
        assert [c["ref"] for c in web_stack.api(villager, "GET", "/api/cases/mine")["items"]] == [ref]
    finally:
        phone.close()
