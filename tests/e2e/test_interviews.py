"""视频面试 (issue 16 points 3 and 4) in Chromium against the real local stack: a new job seeker applies to a job of
the demo employer 钱企业 and is invited (through the API) to an interview 5 minutes from now.

On site: the seeker's phone shows the interview in 我的面试 and, in the room, the admitting QR; the employer's phone
opens the same room, pastes the QR's text into the manual field (the camera path is qr-scanner's, as 扫码核验 of
passes) and both phones then read 已核验.

Online: both phones (two browser contexts with Chromium's fake camera) enter the call; the handshake runs through our
API only (no ICE servers locally: host candidates on this machine); each page's remote <video> receives the other's
frames and reads 已连接; the seeker's page reloads and the two connect again; the employer hangs up and the seeker's
page reads 对方已离开."""

from __future__ import annotations

import datetime as dt
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import SMALL_PHONE, open_app, screenshot
from tests.e2e.test_boards import no_sideways_scroll
from tests.e2e.test_vanguard import COUNTY_ADMIN, linked_villagers

EMPLOYER = "13900000005"  # 钱企业, a verified employer with open jobs (devstack seed_recruitment)


def invite(web_stack, mode: str) -> tuple[str, dict, dict]:
    """(room id, employer's session, seeker's session): a new villager applies to an open job of 钱企业 and is invited
    for 5 minutes from now (the room is open: an online one opens 15 minutes before)."""
    boss = web_stack.staff_session(EMPLOYER)
    jobs = web_stack.api(boss, "GET", "/api/recruitment/jobs/mine?limit=100")["items"]
    job = next(j for j in jobs if j["status"] == "open")
    seeker = linked_villagers(web_stack, web_stack.staff_session(COUNTY_ADMIN), 1)[0]  # a villager of the county
    web_stack.api(seeker, "PUT", "/api/recruitment/profile",
                  {"name": "面试者", "skills": ["叉车"], "experience": "开过两年叉车。", "townships": []})
    applied = web_stack.api(seeker, "POST", f"/api/recruitment/jobs/{job['id']}/applications", {"note": "想来面试"},
                            status=201, key=str(uuid.uuid4()))
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"at": at, "mode": mode}
    if mode == "onsite":
        body["address"] = "龙游工业园区兴业路8号办公楼"
    invited = web_stack.api(boss, "POST", f"/api/recruitment/applications/{applied['id']}/interview", body)
    return invited["interview"]["id"], boss, seeker


def two_phones(browser):
    return browser.new_context(**SMALL_PHONE), browser.new_context(**SMALL_PHONE)


def test_the_guests_qr_admits_them_on_site(web_stack, browser):
    room, boss, seeker = invite(web_stack, "onsite")
    guest_ctx, host_ctx = two_phones(browser)
    try:
        # The seeker: 我的面试 lists it; the room shows the time, 现场面试, the address and the QR.
        guest = open_app(guest_ctx, web_stack, seeker, "/interviews")
        row = guest.locator("[data-test=interview-row]").first
        expect(row).to_contain_text("现场面试")
        expect(row).to_contain_text("求职者")
        no_sideways_scroll(guest)
        screenshot(guest, "interview-mine-guest")
        row.click()
        expect(guest).to_have_url(f"{web_stack.url}/interviews/{room}")
        expect(guest.locator("[data-test=room-mode]")).to_have_text("现场面试")
        expect(guest.locator("[data-test=room-address]")).to_have_text("龙游工业园区兴业路8号办公楼")
        qr = guest.locator("[data-test=admit-qr]")
        expect(qr).to_be_visible()
        expect(guest.locator("[data-test=not-admitted]")).to_have_text("待核验")
        box = qr.bounding_box()
        assert box["width"] >= 250 and abs(box["width"] - box["height"]) < 2, box  # big enough to scan
        assert guest.evaluate("img => img.complete && img.naturalWidth > 0", qr.element_handle())
        code = qr.get_attribute("data-qr-text")
        admit = web_stack.api(seeker, "GET", f"/api/interviews/{room}")["admit"]
        assert code.startswith("CQI1.") and code == admit["qr_text"]
        no_sideways_scroll(guest)
        screenshot(guest, "interview-onsite-guest-qr")

        # The employer: 扫码核验 or the code pasted; a wrong code gets the server's message.
        host = open_app(host_ctx, web_stack, boss, f"/interviews/{room}")
        expect(host.locator("[data-test=scan-admit]")).to_have_text("扫码核验")
        expect(host.locator("[data-test=admit-qr]")).to_have_count(0)
        host.locator("[data-test=admit-code]").fill(code[:-3] + "xyz")
        host.locator("[data-test=admit-check]").click()
        expect(host.locator("[role=alert]")).to_contain_text("面试凭证无效")
        no_sideways_scroll(host)
        screenshot(host, "interview-onsite-host-wrong-code")
        host.locator("[data-test=admit-code]").fill(code)
        host.locator("[data-test=admit-check]").click()
        expect(host.locator("[data-test=admitted]")).to_contain_text("已核验")
        expect(host.locator("[data-test=admit-code]")).to_have_count(0)
        screenshot(host, "interview-onsite-host-admitted")

        # The seeker's page reads the room again every few seconds: 已核验 without a reload.
        expect(guest.locator("[data-test=admitted]")).to_contain_text("已核验", timeout=15_000)
        expect(guest.locator("[data-test=not-admitted]")).to_have_count(0)
        assert web_stack.api(seeker, "GET", f"/api/interviews/{room}")["admitted_at"]
        screenshot(guest, "interview-onsite-guest-admitted")
    finally:
        guest_ctx.close()
        host_ctx.close()


def frames_arrive(page) -> dict:
    """The remote <video>'s size and whether its time moves on (frames keep coming)."""
    return page.evaluate("""async () => {
      const v = document.querySelector('[data-test=remote-video]')
      const t0 = v.currentTime
      let frames = 0
      if (v.requestVideoFrameCallback) {
        const count = () => { frames++; v.requestVideoFrameCallback(count) }
        v.requestVideoFrameCallback(count)
      }
      await new Promise(r => setTimeout(r, 1500))
      return {width: v.videoWidth, height: v.videoHeight, t0, t1: v.currentTime, frames,
              paused: v.paused, live: !!v.srcObject && v.srcObject.getVideoTracks().some(t => t.readyState === 'live')}
    }""")


def test_two_phones_hold_a_video_interview(web_stack, browser):
    room, boss, seeker = invite(web_stack, "online")
    guest_ctx, host_ctx = two_phones(browser)
    logs: dict[str, list[str]] = {"guest": [], "host": []}
    try:
        guest = open_app(guest_ctx, web_stack, seeker, f"/interviews/{room}")
        host = open_app(host_ctx, web_stack, boss, f"/interviews/{room}")
        for who, page in (("guest", guest), ("host", host)):
            page.on("console", lambda m, who=who: logs[who].append(m.text))
        expect(guest.locator("[data-test=room-mode]")).to_have_text("视频面试")
        expect(guest.locator("[data-test=enter-call]")).to_be_visible()
        no_sideways_scroll(guest)
        screenshot(guest, "interview-online-guest-room")

        # The seeker enters first (waits for the offer), then the employer (offers).
        guest.locator("[data-test=enter-call]").click()
        expect(guest).to_have_url(f"{web_stack.url}/interviews/{room}/call")
        expect(guest.locator("[data-test=call-state]")).to_have_text("等待对方进入…")
        screenshot(guest, "interview-call-guest-waiting")
        host.locator("[data-test=enter-call]").click()
        try:
            for page in (guest, host):
                expect(page.locator("[data-test=call-state]")).to_have_text("已连接", timeout=30_000)
        except AssertionError:
            raise AssertionError(f"not connected; ice: guest={guest.locator('main').get_attribute('data-ice')} "
                                 f"host={host.locator('main').get_attribute('data-ice')}; logs: {logs}") from None

        for who, page in (("guest", guest), ("host", host)):
            got = frames_arrive(page)
            assert got["width"] > 0 and got["height"] > 0, (who, got, logs[who])
            assert got["t1"] > got["t0"] and not got["paused"] and got["live"], (who, got)
            has_callback = page.evaluate("'requestVideoFrameCallback' in HTMLVideoElement.prototype")
            assert got["frames"] > 3 or not has_callback, \
                (who, got)
            assert page.locator("main").get_attribute("data-ice") in ("connected", "completed"), who
            no_sideways_scroll(page)
        screenshot(guest, "interview-call-guest-connected")
        screenshot(host, "interview-call-host-connected")

        # The seeker's page reloads (a phone that dropped the page): it answers the host's offer from a new
        # connection, the host offers again from a new one of its own, and both see each other again.
        guest.reload()
        for page in (guest, host):
            expect(page.locator("[data-test=call-state]")).to_have_text("已连接", timeout=30_000)
        for who, page in (("guest", guest), ("host", host)):
            got = frames_arrive(page)
            assert got["width"] > 0 and got["t1"] > got["t0"], (who, got, logs[who])
        assert any("offering again" in line for line in logs["host"]), logs["host"]  # a new connection, not the old

        # The employer hangs up: the seeker's page says so (its poll runs every few seconds once connected).
        host.locator("[data-test=hang-up]").click()
        expect(host.locator("[data-test=call-state]")).to_have_text("已挂断")
        expect(guest.locator("[data-test=call-state]")).to_have_text("对方已离开", timeout=15_000)
        expect(guest.locator("[data-test=hang-up]")).to_have_count(0)
        expect(guest.locator("[data-test=rejoin]")).to_be_visible()
        screenshot(guest, "interview-call-guest-other-left")
        screenshot(host, "interview-call-host-ended")
    finally:
        guest_ctx.close()
        host_ctx.close()
