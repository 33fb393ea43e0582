"""智慧招聘 for employers (issue 16 points 1, 3, 5) in Chromium against the real local stack: a new person of the demo
county (linked to a household with an invite, as the phone does) applies for an employer account on a 360×740 phone
(企业招聘: a wrong 统一社会信用代码 is refused with the server's message, a right one is 待审核); the county admin
refuses it in the console (企业认证, a reason required), the phone shows the reason and the person applies again;
the county admin verifies it; back on the phone the app refreshes the token so it carries the employer role
and shows 我的岗位; the employer posts a job (2 openings); a seeker (through the API: profile + apply) appears among
the job's applicants with a masked phone; the employer invites them to an online interview (the room's link shows,
the phone is whole) and later sends an offer; the seeker accepts through the API → the employer's job shows one
opening fewer."""

from __future__ import annotations

import base64
import random
import re
import urllib.request
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, DESK, SMALL_PHONE, open_app, open_console, screenshot, shot
from tests.e2e.stack import new_phone
from tests.e2e.test_boards import new_household, no_sideways_scroll

COUNTY_ADMIN = "13900000002"
LICENCE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def licence() -> str:
    """A valid 统一社会信用代码: 17 random characters and the GB 32100-2015 check character, computed as
    chalicelib/recruitment validates it."""
    from chalicelib.recruitment.schemas import licence_check_char

    first = "913308" + "".join(random.choice(LICENCE_CHARS) for _ in range(11))
    return first + licence_check_char(first)


def wrong_check(code: str) -> str:
    """The same code with another check character (which the server refuses)."""
    return code[:17] + next(c for c in LICENCE_CHARS if c != code[17])


def linked_person(web_stack, admin: dict, name: str) -> dict:
    """A new phone linked to a new household of the demo grid with an invite (as the phone's 关联家庭 does): its
    session in the county."""
    hid = new_household(web_stack, admin, name)
    invite = web_stack.api(admin, "POST", f"/api/households/{hid}/invites", {}, status=201)
    phone = new_phone("171")
    ident = web_stack.session(phone)
    linked = web_stack.api(ident, "POST", "/api/links", {"code": invite["code"], "name": name}, key=phone)
    return dict(linked, phone=phone)


def record_webm(page, seconds: float = 2.0) -> bytes:
    """A short WebM (a moving picture on a canvas) recorded with MediaRecorder in the page, as the seeker's phone
    records the video résumé."""
    data = page.evaluate("""async (ms) => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 })
      const g = canvas.getContext('2d')
      const stream = canvas.captureStream(15)
      const rec = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' })
      const chunks = []
      rec.ondataavailable = (e) => chunks.push(e.data)
      const done = new Promise((r) => { rec.onstop = r })
      let t = 0
      const timer = setInterval(() => {
        t += 1
        g.fillStyle = `hsl(${(t * 12) % 360} 70% 50%)`
        g.fillRect(0, 0, 320, 240)
        g.fillStyle = '#fff'
        g.font = '48px sans-serif'
        g.fillText(`求职 ${t}`, 40, 140)
      }, 66)
      rec.start(250)
      await new Promise((r) => setTimeout(r, ms))
      rec.stop()
      await done
      clearInterval(timer)
      const buf = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer())
      let bin = ''
      for (const b of buf) bin += String.fromCharCode(b)
      return btoa(bin)
    }""", int(seconds * 1000))
    return base64.b64decode(data)


def upload_video(web_stack, seeker: dict, data: bytes, seconds: int) -> dict:
    """The seeker's video résumé, uploaded as the phone does: POST uploads, PUT each part to its presigned URL
    (keeping the ETags), complete."""
    up = web_stack.api(seeker, "POST", "/api/recruitment/profile/video/uploads",
                       {"content_type": "video/webm", "size": len(data), "seconds": seconds}, status=201,
                       key=str(uuid.uuid4()))
    parts = []
    for p in up["parts"]:
        lo = (p["number"] - 1) * up["part_size"]
        req = urllib.request.Request(p["url"], data=data[lo:lo + up["part_size"]], method="PUT",
                                     headers={"Content-Type": "video/webm"})
        with urllib.request.urlopen(req, timeout=30) as r:
            parts.append({"number": p["number"], "etag": r.headers["ETag"]})
    return web_stack.api(seeker, "POST", f"/api/recruitment/profile/video/uploads/{up['upload_id']}/complete",
                         {"parts": parts}, key=str(uuid.uuid4()))


def sheet_shot(page, name: str):
    """A bottom sheet as the person sees it: the phone's screen (a full-page shot stretches the overlay)."""
    no_sideways_scroll(page)
    page.wait_for_timeout(400)  # the sheet's slide-in
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def top(page, name: str):
    """A full-page shot from the top, once the toasts have gone."""
    page.wait_for_function("() => [...document.querySelectorAll('.van-toast')]"
                           ".every((t) => getComputedStyle(t).display === 'none')", timeout=6000)
    no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def test_employer_applies_is_verified_posts_invites_offers_and_the_opening_is_taken(web_stack, browser, console_built):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    boss = linked_person(web_stack, admin, "钱老板")
    tail = uuid.uuid4().hex[:4]
    company = f"龙游测试食品{tail}有限公司"
    code = licence()

    # The person applies for an employer account on the phone.
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, boss, "/employer")
        expect(page.locator("[data-test=employer-form]")).to_be_visible()
        top(page, "phone-employer-apply")
        page.locator("[data-test=employer-company] input").fill(f"龙游测试食品{tail}厂")  # not its full name
        page.locator("[data-test=employer-licence] input").fill(wrong_check(code).lower())
        page.locator("[data-test=employer-contact] input").fill("钱经理")
        page.locator("[data-test=employer-address] input").fill("龙游县工业园区兴业路18号")
        page.locator("[data-test=employer-intro] textarea").fill("食品加工，员工约80人。")
        page.click("[data-test=employer-submit]")
        expect(page.locator("[data-test=employer-licence]")).to_contain_text("统一社会信用代码不正确")
        top(page, "phone-employer-apply-bad-licence")
        page.locator("[data-test=employer-licence] input").fill(code.lower())
        page.click("[data-test=employer-submit]")
        expect(page.locator("[data-test=employer-pending] [data-test=employer-status]")).to_have_text("待审核")
        expect(page.locator("[data-test=employer-pending]")).to_contain_text(code)  # kept in capitals
        top(page, "phone-employer-pending")
    finally:
        phone.close()
    first = web_stack.api(boss, "GET", "/api/recruitment/employers/mine")["employer"]["id"]

    # The county admin refuses it in the console: a reason is required.
    reason = "企业名称与营业执照不符，请填写营业执照上的全称"
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, admin, "/recruitment/employers")
        expect(cpage.locator(f"[data-test=employer-{first}]")).to_have_text(f"龙游测试食品{tail}厂")
        cpage.click(f"[data-test=refuse-{first}]")
        dialog = cpage.locator("[data-test=decision-dialog]")
        dialog.locator("[data-test=decision-save]").click()
        expect(dialog.locator(".el-form-item__error")).to_contain_text("请填写2–200个字的原因")
        dialog.locator("[data-test=decision-reason]").fill(reason)
        expect(dialog.locator(".el-form-item__error")).to_have_count(0)  # typing clears the message
        cpage.mouse.move(0, 0)
        shot(cpage, "console-employers-refuse-dialog")
        dialog.locator("[data-test=decision-save]").click()
        expect(cpage.locator(".el-message--success")).to_contain_text("已标记不通过")
        expect(cpage.locator(f"[data-test=employer-{first}]")).to_have_count(0)
    finally:
        desk.close()

    # The phone shows 未通过 with the reason; 重新申请 with the full name → 待审核 again.
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, boss, "/employer")
        expect(page.locator("[data-test=employer-refused] [data-test=employer-status]")).to_have_text("未通过")
        expect(page.locator("[data-test=employer-reason]")).to_contain_text(reason)
        top(page, "phone-employer-refused")
        page.click("[data-test=employer-apply-again]")
        expect(page.locator("[data-test=employer-licence] input")).to_have_value(code)  # the answers sent, kept
        page.locator("[data-test=employer-company] input").fill(company)
        page.click("[data-test=employer-submit]")
        expect(page.locator("[data-test=employer-pending] [data-test=employer-status]")).to_have_text("待审核")
        expect(page.locator("[data-test=employer-pending]")).to_contain_text(company)
    finally:
        phone.close()
    eid = web_stack.api(boss, "GET", "/api/recruitment/employers/mine")["employer"]["id"]

    # The county admin verifies it in the console.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(20_000)
    try:
        cpage = open_console(desk, web_stack, admin, "/recruitment/employers")
        expect(cpage.locator(".el-menu-item", has_text="企业认证")).to_be_visible()
        expect(cpage.locator(f"[data-test=employer-{eid}]")).to_have_text(company)
        shot(cpage, "console-employers-pending")
        cpage.click(f"[data-test=verify-{eid}]")
        dialog = cpage.locator("[data-test=decision-dialog]")
        expect(dialog.locator("[data-test=decision-company]")).to_have_text(company)
        expect(dialog).to_contain_text(code)
        shot(cpage, "console-employers-verify-dialog")
        dialog.locator("[data-test=decision-save]").click()
        expect(cpage.locator(".el-message--success")).to_contain_text(f"已通过：{company}")
        expect(cpage.locator(f"[data-test=employer-{eid}]")).to_have_count(0)
        cpage.locator(".el-tabs__item", has_text="已认证").click()
        expect(cpage.locator(f"[data-test=employer-{eid}]")).to_have_text(company)
        shot(cpage, "console-employers-verified")
    finally:
        desk.close()

    # Back on the phone: the token refreshed carries the role; 我的岗位 → 发布岗位.
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(20_000)
    try:
        page = open_app(phone, web_stack, boss, "/employer")
        expect(page.locator("[data-test=my-jobs]")).to_be_visible()
        expect(page.locator("[data-test=my-jobs] [data-test=employer-status]")).to_have_text("已认证")
        expect(page.locator("[data-test=jobs-none]")).to_be_visible()
        stored = page.evaluate("JSON.parse(localStorage.getItem('cqt.session'))")
        assert stored["access_token"] != boss["access_token"]  # refreshed
        me = page.evaluate("JSON.parse(localStorage.getItem('cqt.me'))")
        assert "recruitment.hire" in me["permissions"], me["permissions"]
        top(page, "phone-employer-jobs-empty")

        page.click("[data-test=job-new]")
        expect(page).to_have_url(re.compile(r"/employer/jobs/new$"))
        page.locator("[data-test=job-title-input] input").fill("食品包装工")
        page.click("[data-test=category-普工]")
        page.locator("[data-test=job-pay-min] input").fill("4000")
        page.locator("[data-test=job-pay-max] input").fill("5500")
        page.locator("[data-test=job-place] input").fill("工业园区兴业路18号3号车间")
        page.locator("[data-test=job-shifts] input").fill("8:00–17:00，周末双休")
        page.locator("[data-test=job-requirements] textarea").fill("18–50岁，身体健康，能适应流水线工作。")
        page.locator("[data-test=job-openings] button.van-stepper__plus").click()
        expect(page.locator("[data-test=job-openings] input")).to_have_value("2")
        expect(page.locator("[data-test=job-township] input")).to_have_value("全县")
        # 所在乡镇: an employer may not list places; the townships the county's open jobs name (the demo's 东华街道)
        page.click("[data-test=job-township]")
        expect(page.locator(".van-action-sheet__item", has_text="东华街道")).to_be_visible()
        sheet_shot(page, "phone-employer-job-township")
        page.locator(".van-action-sheet__item", has_text="东华街道").click()
        expect(page.locator("[data-test=job-township] input")).to_have_value("东华街道")
        top(page, "phone-employer-job-form")
        page.click("[data-test=job-save]")
        expect(page).to_have_url(re.compile(r"/employer/jobs/(?!new$)[^/]+$"))
        jid = page.url.rsplit("/", 1)[1]
        expect(page.locator("[data-test=job-card] [data-test=job-status]")).to_have_text("招聘中")
        expect(page.locator("[data-test=job-card] [data-test=job-openings]")).to_have_text("剩余2/2人")
        expect(page.locator("[data-test=job-card]")).to_contain_text("东华街道 · 工业园区兴业路18号3号车间")
        expect(page.locator("[data-test=applicants-none]")).to_be_visible()
        top(page, "phone-employer-job-new")

        # A seeker of the county applies through the API.
        seeker = linked_person(web_stack, admin, "孙求职")
        web_stack.api(seeker, "PUT", "/api/recruitment/profile", {
            "name": "孙求职", "skills": ["叉车", "包装"], "experience": "在食品厂做过三年包装，会开叉车。",
            "townships": [], "phone": seeker["phone"]})
        video = upload_video(web_stack, seeker, record_webm(page), seconds=2)
        assert video["size"] > 0, video
        application = web_stack.api(seeker, "POST", f"/api/recruitment/jobs/{jid}/applications",
                                    {"note": "离家近，可以马上上班。"}, status=201, key=str(uuid.uuid4()))
        aid = application["id"]

        page.reload()
        card = page.locator(f"[data-test=applicant-{aid}]")
        expect(card.locator("[data-test=applicant-name]")).to_have_text("孙求职")
        expect(card.locator("[data-test=applicant-status]")).to_have_text("已查看")  # opened: viewed
        expect(card.locator("[data-test=applicant-skills]")).to_contain_text("叉车")
        expect(card.locator("[data-test=applicant-phone]")).to_have_text(f"{seeker['phone'][:3]}****{seeker['phone'][-4:]}")
        expect(card).to_contain_text("离家近，可以马上上班。")
        clip = card.locator("video[data-test=applicant-video]")
        expect(clip).to_have_attribute("preload", "metadata")
        page.wait_for_function("() => document.querySelector('[data-test=applicant-video]').readyState >= 1")
        clip.evaluate("v => v.play()")  # it plays inline
        page.wait_for_function("() => document.querySelector('[data-test=applicant-video]').currentTime > 0.3")
        clip.evaluate("v => v.pause()")
        top(page, "phone-employer-applicants")

        # 邀请面试: online, tomorrow 10:00 in Shanghai.
        tomorrow = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).strftime("%Y-%m-%d")
        card.locator("[data-test=applicant-invite]").click()
        sheet = page.locator("[data-test=invite-sheet]")
        expect(sheet).to_be_visible()
        sheet.locator("[data-test=invite-at]").fill(f"{tomorrow}T10:00")
        sheet.locator("[data-test=invite-online]").click()
        expect(sheet.locator("[data-test=invite-online]")).to_have_attribute("aria-pressed", "true")
        sheet_shot(page, "phone-employer-invite")
        sheet.locator("[data-test=invite-send]").click()
        expect(sheet).to_be_hidden()
        expect(card.locator("[data-test=applicant-status]")).to_have_text("邀请面试")
        expect(card.locator("[data-test=applicant-interview]")).to_contain_text(f"{tomorrow.replace('-', '/')} 10:00")
        expect(card.locator("[data-test=applicant-interview]")).to_contain_text("视频")
        expect(card.locator("a[data-test=applicant-phone]")).to_have_text(seeker["phone"])
        got = web_stack.api(seeker, "GET", "/api/recruitment/applications/mine")["items"][0]
        assert got["status"] == "interview" and got["interview"]["mode"] == "online", got
        assert got["interview"]["at"] == (datetime.fromisoformat(f"{tomorrow}T10:00:00+08:00")
                                          .astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")), got
        room = card.locator("[data-test=applicant-room]")
        expect(room).to_have_attribute("href", f"/interviews/{got['interview']['id']}")
        card.scroll_into_view_if_needed()
        top(page, "phone-employer-invited")

        # Later: 发录用 with a note.
        card.locator("[data-test=applicant-offer]").click()
        offer = page.locator("[data-test=offer-sheet]")
        expect(offer).to_be_visible()
        offer.locator("[data-test=note-input] textarea").fill("请于下周一8:00到3号车间报到，带身份证。")
        sheet_shot(page, "phone-employer-offer")
        offer.locator("[data-test=note-send]").click()
        expect(offer).to_be_hidden()
        expect(card.locator("[data-test=applicant-status]")).to_have_text("已发录用")
        expect(card.locator("[data-test=applicant-note]")).to_contain_text("请于下周一8:00到3号车间报到")
        expect(card.locator("[data-test=applicant-invite]")).to_have_count(0)
        top(page, "phone-employer-offered")

        # The seeker accepts (API): the employer's job has one opening fewer.
        hired = web_stack.api(seeker, "POST", f"/api/recruitment/applications/{aid}/accept")
        assert hired["status"] == "hired", hired
        page.goto(f"{web_stack.url}/employer")
        row = page.locator(f"[data-test=job-{jid}]")
        expect(row.locator("[data-test=job-openings]")).to_have_text("剩余1/2人")
        expect(row.locator("[data-test=job-applicants]")).to_have_text("投递1人")
        top(page, "phone-employer-jobs-hired")
        row.click()
        expect(page.locator(f"[data-test=applicant-{aid}] [data-test=applicant-status]")).to_have_text("已录用")
        expect(page.locator("[data-test=job-card] [data-test=job-openings]")).to_have_text("剩余1/2人")
        top(page, "phone-employer-job-hired")
    finally:
        phone.close()
    assert web_stack.api(boss, "GET", f"/api/recruitment/jobs/{jid}")["openings_left"] == 1
