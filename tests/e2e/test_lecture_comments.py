"""专题授课 comments (issue 17 point 3) in Chromium against the real local stack: the moderated-comment flow people
take. The county admin publishes a course with one video through the API (the demo webm, one part PUT straight to
S3, as the console does). A villager on a 360×740 phone opens the video and writes two comments: both show 待审核 to
them, and another villager (the demo party member) does not see them. The county admin opens 专题授课 → 待审评论 in
the console, approves one and hides the other. Back on the phone the approved one is shown to all (no 待审核) and the
hidden one is gone; the party member opens the video, sees the approved comment and replies to it (待审核 for them,
indented under it); the admin approves the reply (marked 回复 in the console) and the villager sees it in the
thread. What the server holds is read through the API at each step."""

from __future__ import annotations

import re
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SMALL_PHONE, open_app, open_console, screenshot, shot
from tests.e2e.test_boards import no_sideways_scroll

COUNTY_ADMIN = "13900000002"  # 吴县管
VILLAGER = "13900000014"  # 黄村民 of the demo grid
NEIGHBOUR = "13900000013"  # 余党员, a party member of the same grid (a resident: sees 全体村民 courses)
DEMO_WEBM = Path(__file__).resolve().parents[2] / "devstack" / "demo_lecture.webm"

pytestmark = pytest.mark.usefixtures("console_built")


def published_video(web_stack, admin: dict, title: str) -> str:
    """A published county course with the demo video, made through the API; its video's id."""
    course = web_stack.api(admin, "POST", "/api/lectures/courses",
                           {"title": title, "description": "评论审核的浏览器测试课程", "audience": "all"},
                           status=201, key=uuid.uuid4().hex)
    data = DEMO_WEBM.read_bytes()
    up = web_stack.api(admin, "POST", f"/api/lectures/courses/{course['id']}/videos/uploads",
                       {"title": "第一讲：稻田养鱼", "content_type": "video/webm", "size": len(data), "duration_s": 10},
                       status=201)
    assert up["parts_count"] == 1, up
    req = urllib.request.Request(up["parts"][0]["url"], data=data, method="PUT",
                                 headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=30) as r:
        etag = r.headers["ETag"]
    video = web_stack.api(admin, "POST", f"/api/lectures/courses/{course['id']}/videos/uploads/{up['upload_id']}"
                          "/complete", {"parts": [{"number": 1, "etag": etag}]}, key=uuid.uuid4().hex)
    detail = web_stack.api(admin, "GET", f"/api/lectures/courses/{course['id']}")
    web_stack.api(admin, "PUT", f"/api/lectures/courses/{course['id']}", {
        "title": title, "description": detail["description"], "audience": "all", "status": "published",
        "videos": [video["id"]], "version": detail["version"]})
    return video["id"]


def comments_of(web_stack, session: dict, vid: str) -> list[tuple[str, str, str | None]]:
    """(text, status, parent) of the comments `session` sees under the video, in the server's order."""
    items = web_stack.api(session, "GET", f"/api/lectures/videos/{vid}/comments?limit=50")["items"]
    return [(c["text"], c["status"], c["parent"]) for c in items]


def write(page, text: str) -> None:
    """Type a comment on the player page and send it; wait for the list to show it."""
    page.locator("[data-test=comment-text]").fill(text)
    page.locator("[data-test=comment-post]").click()
    expect(page.locator("[data-test=comments]")).to_contain_text(text)


def li(page, text: str):
    return page.locator("[data-test=comments] li").filter(has_text=text)


def test_villager_comments_are_moderated_in_the_console_and_replied_to(web_stack, browser, desk):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    villager = web_stack.staff_session(VILLAGER)
    neighbour = web_stack.staff_session(NEIGHBOUR)
    vid = published_video(web_stack, admin, f"稻田养鱼技术{int(time.time()) % 100000}")
    good, spam = "讲得很实用，今年准备试试稻田养鱼。", "低价出售鱼苗，联系电话见主页"
    answer = "我们村去年就试了，效果不错！"

    # The villager on a small phone: both comments show 待审核 to them only.
    phone = browser.new_context(**SMALL_PHONE)
    phone.set_default_timeout(15_000)
    try:
        page = open_app(phone, web_stack, villager, f"/lectures/videos/{vid}")
        expect(page.locator("[data-test=player]")).to_be_visible()
        expect(page.get_by_text("还没有评论")).to_be_visible()
        write(page, good)
        expect(page.locator(".van-toast")).to_contain_text("审核后大家可见")
        screenshot(page, "lecture-comments-phone-toast")
        colours = page.locator(".van-toast").evaluate(
            "t => [getComputedStyle(t).backgroundColor, getComputedStyle(t).color]")
        assert colours[1] == "rgb(255, 255, 255)" and colours[0].startswith("rgba(0, 0, 0"), colours  # white on dark
        write(page, spam)
        for text in (good, spam):
            expect(li(page, text).locator("[data-test=pending]")).to_have_text("待审核")
        no_sideways_scroll(page)
        expect(page.locator(".van-toast")).to_be_hidden()
        screenshot(page, "lecture-comments-phone-pending")
        assert comments_of(web_stack, villager, vid) == [(good, "pending", None), (spam, "pending", None)]
        assert comments_of(web_stack, neighbour, vid) == []

        # The county admin: 专题授课 → 待审评论 (the county's queue), 通过 one, 隐藏 the other.
        mine = {c["text"]: c["id"] for c in web_stack.api(
            villager, "GET", f"/api/lectures/videos/{vid}/comments?limit=50")["items"]}
        console = open_console(desk, web_stack, admin, "/lectures")
        console.get_by_role("tab", name="待审评论").click()
        table = console.locator("[data-test=pending-comments]")
        expect(table).to_contain_text(good)
        expect(table).to_contain_text(spam)
        expect(console.locator(f'[data-test="comment-text-{mine[good]}"]')).to_have_text(good)
        shot(console, "lecture-comments-console-queue")
        console.locator(f'[data-test="comment-approve-{mine[good]}"]').click()
        expect(console.locator(".el-message--success")).to_contain_text("评论已通过")
        expect(table).not_to_contain_text(good)
        console.locator(f'[data-test="comment-hide-{mine[spam]}"]').click()
        expect(table).not_to_contain_text(spam)
        seen_by_staff = {c["text"]: c["status"] for c in web_stack.api(
            admin, "GET", f"/api/lectures/videos/{vid}/comments?limit=50")["items"]}
        assert seen_by_staff == {good: "approved", spam: "hidden"}
        assert comments_of(web_stack, villager, vid) == [(good, "approved", None)]

        # The villager again: the approved comment without 待审核, the hidden one gone.
        page.reload()
        expect(li(page, good)).to_be_visible()
        expect(li(page, good).locator("[data-test=pending]")).to_have_count(0)
        expect(page.locator("[data-test=comments]")).not_to_contain_text(spam)
        screenshot(page, "lecture-comments-phone-approved")

        # Another villager sees the approved comment and replies to it (待审核 for them, under the comment).
        other = browser.new_context(**SMALL_PHONE)
        other.set_default_timeout(15_000)
        try:
            npage = open_app(other, web_stack, neighbour, f"/lectures/videos/{vid}")
            expect(li(npage, good)).to_be_visible()
            expect(npage.locator("[data-test=comments]")).not_to_contain_text(spam)
            li(npage, good).get_by_role("button", name="回复").click()
            expect(npage.get_by_text("回复 黄*")).to_be_visible()
            write(npage, answer)
            reply = li(npage, answer)
            expect(reply.locator("[data-test=pending]")).to_have_text("待审核")
            expect(reply).to_have_class(re.compile(r"lec-comment--reply"))
            no_sideways_scroll(npage)
            expect(npage.locator(".van-toast")).to_be_hidden()
            screenshot(npage, "lecture-comments-phone-reply")
        finally:
            other.close()
        assert comments_of(web_stack, neighbour, vid) == [(good, "approved", None),
                                                          (answer, "pending", mine[good])]
        assert comments_of(web_stack, villager, vid) == [(good, "approved", None)]

        # The admin approves the reply (marked 回复); the villager sees it in the thread.
        console.get_by_role("tab", name="课程", exact=True).click()  # leave and come back: the queue loads afresh
        console.get_by_role("tab", name="待审评论").click()
        expect(table).to_contain_text(answer)
        row = table.locator("tr").filter(has_text=answer)
        expect(row).to_contain_text("回复")
        shot(console, "lecture-comments-console-reply")
        row.get_by_role("button", name="通过").click()
        expect(table).not_to_contain_text(answer)
        assert comments_of(web_stack, villager, vid) == [(good, "approved", None),
                                                         (answer, "approved", mine[good])]
        page.reload()
        expect(li(page, answer)).to_have_class(re.compile(r"lec-comment--reply"))
        expect(li(page, answer).locator("[data-test=pending]")).to_have_count(0)
        screenshot(page, "lecture-comments-phone-thread")
    finally:
        phone.close()
