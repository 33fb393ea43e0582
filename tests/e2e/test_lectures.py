"""专题授课 (issue 17 points 1–4) in Chromium against the real local stack.

(a) The county admin makes a course in the console and uploads a 17 MiB video (two 16 MiB parts; the demo webm
padded — the server checks sizes, not content). The PUT of part 2 to S3 is cut off (page.route aborts it), so the
upload stops with part 1 in S3; after a reload the console offers 继续上传, the admin picks the same file again and
only part 2 is sent; the video is then in the course (on the page and on the server).
(b) A party member on a 360×740 phone opens the 党员学习 course's video (the original file: nothing transcoded it)
with a saved position of 5 s: the player starts there (its currentTime), S3 answers the video's Range request with
206, it plays, and on pause the heartbeat's position and percent are on the server.
(c) A villager opens 春耕技术讲座, whose video has HLS renditions (the demo seeds what MediaConvert makes in AWS:
devstack/demo_hls/): hls.js loads the master and a variant playlist from the API with no bearer token, fetches the
fMP4 segments from S3 by their presigned URLs, starts at the saved 4 s and plays a rendition of the demo's."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, open_console, screenshot, shot
from tests.e2e.test_boards import no_sideways_scroll

COUNTY_ADMIN = "13900000002"
PARTY_MEMBER = "13900000013"  # 余党员 of the demo grid
VILLAGER = "13900000014"  # 黄村民 of the demo grid
DEMO_WEBM = Path(__file__).resolve().parents[2] / "devstack" / "demo_lecture.webm"
MIB = 1024 * 1024

pytestmark = pytest.mark.usefixtures("console_built")


def padded_video(tmp_path: Path) -> Path:
    """The demo webm padded to 17 MiB (two parts of 16 MiB)."""
    data = DEMO_WEBM.read_bytes()
    path = tmp_path / "春耕第二讲.webm"
    path.write_bytes(data + b"\0" * (17 * MIB - len(data)))
    return path


def test_console_upload_resumes_with_only_the_missing_part(web_stack, desk, tmp_path):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    video = padded_video(tmp_path)
    puts: list[str] = []
    desk.on("request", lambda r: r.method == "PUT" and "partNumber=" in r.url and puts.append(
        re.search(r"partNumber=(\d+)", r.url).group(1)))

    page = open_console(desk, web_stack, admin, "/lectures")
    expect(page.get_by_role("heading", name="专题授课")).to_be_visible()
    page.locator("[data-test=new-course]").click()
    title = f"春耕第二讲{int(time.time()) % 100000}"
    page.locator("#lecture-title").fill(title)
    page.locator("[data-test=save-course]").click()
    expect(page.locator("[data-test=course-status]")).to_have_text("草稿")
    course = next(c for c in web_stack.api(admin, "GET", "/api/lectures/courses?status=draft&limit=50")["items"]
                  if c["title"] == title)

    # part 2 never reaches S3: the upload stops after its retries with part 1 in S3
    page.route(re.compile(r".*partNumber=2.*"), lambda route: route.abort())
    page.locator("[data-test=video-file]").set_input_files(str(video))
    expect(page.locator("[data-test=video-title]")).to_have_value("春耕第二讲")
    expect(page.get_by_text("17.0 MB，10 秒")).to_be_visible()
    page.locator("[data-test=start-upload]").click()
    expect(page.locator("[data-test=upload-error]")).to_contain_text("上传中断", timeout=30_000)
    shot(page, "lectures-console-upload-cut")
    assert puts.count("1") == 1 and "2" in puts, puts
    page.unroute(re.compile(r".*partNumber=2.*"))

    # reload: the console remembers the upload; the same file again sends only part 2
    puts.clear()
    page.reload()
    page.locator("[data-test=status]").get_by_text("草稿").click()
    page.locator(f"[data-test=edit-{course['id']}]").click()
    expect(page.locator("[data-test=kept-upload]")).to_contain_text("春耕第二讲.webm")
    page.locator("[data-test=video-file]").set_input_files(str(video))
    expect(page.locator("[data-test=start-upload]")).to_have_text("继续上传")
    shot(page, "lectures-console-resume")
    page.locator("[data-test=start-upload]").click()
    expect(page.locator("[data-test=course-videos]")).to_contain_text("春耕第二讲", timeout=30_000)
    assert puts == ["2"], puts
    expect(page.locator("[data-test=kept-upload]")).to_have_count(0)
    expect(page.locator("[data-test=upload-progress]")).to_have_count(0)
    shot(page, "lectures-console-uploaded")
    detail = web_stack.api(admin, "GET", f"/api/lectures/courses/{course['id']}")
    assert [(v["title"], v["duration_s"]) for v in detail["videos"]] == [("春耕第二讲", 10)]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cqt.lectureUpload'))") == []


def test_phone_player_starts_at_the_saved_position_and_reports_progress(web_stack, small_phone):
    villager = web_stack.staff_session(PARTY_MEMBER)
    course = next(c for c in web_stack.api(villager, "GET", "/api/lectures/courses?status=published&limit=50")["items"]
                  if c["audience"] == "party")
    vid = web_stack.api(villager, "GET", f"/api/lectures/courses/{course['id']}")["videos"][0]["id"]
    assert web_stack.api(villager, "GET", f"/api/lectures/videos/{vid}")["sources"]["hls"] is None
    web_stack.api(villager, "PUT", f"/api/lectures/videos/{vid}/progress", {"position_s": 5, "ranges": []})

    partial: list[int] = []
    small_phone.on("response", lambda r: r.request.resource_type == "media" and partial.append(r.status))
    page = open_app(small_phone, web_stack, villager, "/lectures")
    page.locator(f"[data-test=course-{course['id']}]").click()
    expect(page.locator("[data-test=videos]")).to_contain_text("第一课：四议两公开")
    screenshot(page, "lectures-phone-course")
    page.locator(f"[data-test=video-{vid}]").click()
    player = page.locator("[data-test=player]")
    page.wait_for_function("() => { const v = document.querySelector('[data-test=player]');"
                           " return v && v.readyState >= 1 && v.currentTime > 0 }")
    assert abs(player.evaluate("v => v.currentTime") - 5) < 0.6
    assert 206 in partial, partial
    no_sideways_scroll(page)
    screenshot(page, "lectures-phone-player")

    with page.expect_response(lambda r: r.url.endswith(f"/lectures/videos/{vid}/progress")
                              and r.request.method == "PUT") as answer:
        player.evaluate("v => { v.muted = true; return v.play() }")
        page.wait_for_function("() => document.querySelector('[data-test=player]').currentTime >= 8")
        player.evaluate("v => v.pause()")
    mine = answer.value.json()
    assert mine["position_s"] >= 8 and mine["percent"] >= 25, mine
    expect(page.locator("[data-test=my-progress]")).to_contain_text(f"已学 {mine['percent']}%")
    on_server = web_stack.api(villager, "GET", f"/api/lectures/videos/{vid}")["my"]
    assert on_server["position_s"] == mine["position_s"] and on_server["percent"] == mine["percent"]
    screenshot(page, "lectures-phone-played")


def test_phone_player_streams_hls_renditions_from_the_saved_position(web_stack, small_phone):
    villager = web_stack.staff_session(VILLAGER)
    course = next(c for c in web_stack.api(villager, "GET", "/api/lectures/courses?status=published&limit=50")["items"]
                  if c["title"] == "春耕技术讲座")
    vid = web_stack.api(villager, "GET", f"/api/lectures/courses/{course['id']}")["videos"][0]["id"]
    assert web_stack.api(villager, "GET", f"/api/lectures/videos/{vid}")["sources"]["hls"].startswith("/lectures/hls/")
    web_stack.api(villager, "PUT", f"/api/lectures/videos/{vid}/progress", {"position_s": 4, "ranges": []})

    seen: list[tuple[str, int, str | None]] = []  # (url, status, authorization header)
    small_phone.on("response", lambda r: seen.append((r.url, r.status, r.request.headers.get("authorization"))))
    page = open_app(small_phone, web_stack, villager, f"/lectures/videos/{vid}")
    player = page.locator("[data-test=player]")
    page.wait_for_function("() => { const v = document.querySelector('[data-test=player]');"
                           " return v && v.readyState >= 2 && v.currentTime >= 4 && v.videoHeight > 0 }")
    assert abs(player.evaluate("v => v.currentTime") - 4) < 0.6
    assert player.evaluate("v => v.videoHeight") in (90, 180)  # one of the demo's two renditions
    assert player.evaluate("v => v.src").startswith("blob:")  # Media Source Extensions: hls.js, not the file
    assert "/lecture-hls/" in player.get_attribute("poster")  # the transcoder's poster frame
    playlists = [(u, st, a) for u, st, a in seen if "/api/lectures/hls/" in u]
    assert any(u.endswith("/index") for u, _, _ in playlists), seen
    assert any(re.search(r"/index_(180|90)p$", u) for u, _, _ in playlists), seen
    assert all(st == 200 and a is None for _, st, a in playlists), playlists  # no bearer token sent
    segments = [(u, st) for u, st, _ in seen if re.search(r"/lecture-hls/.+\.(m4s|mp4)\?", u)]
    assert segments and all(st == 200 for _, st in segments), segments
    assert any("_init.mp4?" in u for u, _ in segments) and all("Signature=" in u for u, _ in segments)
    assert not any(u.endswith(".webm") or ".webm?" in u for u, _, _ in seen)  # the original was not fetched

    with page.expect_response(lambda r: r.url.endswith(f"/lectures/videos/{vid}/progress")
                              and r.request.method == "PUT") as answer:
        player.evaluate("v => { v.muted = true; return v.play() }")
        page.wait_for_function("() => document.querySelector('[data-test=player]').currentTime >= 7")
        player.evaluate("v => v.pause()")
    mine = answer.value.json()
    assert mine["position_s"] >= 7, mine
    no_sideways_scroll(page)
    screenshot(page, "lectures-phone-hls")
