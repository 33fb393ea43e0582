"""智慧招聘 for job seekers (issue 16 points 2, 5, 6) in Chromium against the real local stack, on a 360×740 phone with
a fake camera: the demo villager opens 智慧招聘 from the home, filters the jobs, fills the 求职资料, records a video
résumé (stopped after about 5 seconds), uploads it in parts straight to S3 — the signal drops (every PUT of a part
fails), the page is reopened, the kept recording carries on its upload — (the profile then has the video and the
page's <video> plays it), applies to a demo job with a 求职留言 and sees it 已投递 in 我的投递, next to the offer the
demo data made (接受录用 / 婉拒); 岗位提醒 is saved. Screenshots of each screen."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot

VILLAGER = "13900000014"  # 黄村民 (devstack/demo_data.py DEMO_ACCOUNTS)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def test_a_seeker_records_a_video_resume_and_applies(web_stack, small_phone):
    me = web_stack.staff_session(VILLAGER)
    jobs = web_stack.api(me, "GET", "/api/recruitment/jobs?limit=100")["items"]
    assert jobs, "the demo county has open jobs (devstack seed_recruitment)"
    free = [j for j in jobs if web_stack.api(me, "GET", f"/api/recruitment/jobs/{j['id']}")["applied"] is None]
    assert free, "a demo job the villager has not applied to yet"
    job = free[0]

    # The home's tile leads to the jobs; the category chips filter them.
    page = open_app(small_phone, web_stack, me, "/")
    expect(page.locator("[data-test=tile-recruitment]")).to_be_visible()
    page.locator("[data-test=tile-recruitment]").click()
    expect(page).to_have_url(f"{web_stack.url}/jobs")
    expect(page.locator("[data-test=job]").first).to_be_visible()
    expect(page.locator(f"[data-test=job][href='/jobs/{job['id']}']")).to_be_visible()
    row = page.locator(f"[data-test=job][href='/jobs/{job['id']}']")
    expect(row.locator("[data-test=job-pay]")).to_contain_text("元/月")
    expect(page.locator("[data-test=to-employer]")).to_have_text("我是企业，发布岗位")
    no_sideways_scroll(page)
    screenshot(page, "recruit-jobs")
    page.locator("[data-test=category]", has_text=job["category"]).click()
    expect(page).to_have_url(f"{web_stack.url}/jobs?category={quote(job['category'])}")
    expect(page.locator(f"[data-test=job][href='/jobs/{job['id']}']")).to_be_visible()
    for other in page.locator("[data-test=job]").all():
        assert job["category"] in other.inner_text()

    # 求职资料: skills, experience, a township; saved.
    page.locator("[data-test=to-profile]").click()
    expect(page.locator("[data-test=name]")).to_be_visible()
    page.locator("[data-test=name]").fill("黄村民")
    page.locator("[data-test=skill-input]").fill("电焊")
    page.locator("[data-test=skill-add]").click()
    expect(page.locator("[data-test=skill]", has_text="电焊")).to_be_visible()
    page.locator("[data-test=experience]").fill("在县城物流公司开过三年叉车，会电焊。")
    chip = page.locator("[data-test=township-chip]").first
    expect(chip).to_be_visible()
    if chip.get_attribute("aria-pressed") != "true":
        chip.click()
    page.locator("[data-test=save]").click()
    expect(page.locator(".van-toast", has_text="求职资料已保存")).to_be_visible()
    profile = web_stack.api(me, "GET", "/api/recruitment/profile")
    assert "电焊" in profile["skills"] and profile["experience"] == "在县城物流公司开过三年叉车，会电焊。"
    assert profile["townships"]
    expect(page.locator(".van-toast")).to_be_hidden()
    no_sideways_scroll(page)
    screenshot(page, "recruit-profile")

    # 视频简历: the fake camera, a countdown, stopped after about 5 seconds, previewed, uploaded in parts.
    page.locator("[data-test=record]").click()
    expect(page.locator("[data-test=stop]")).to_be_enabled()
    expect(page.locator("[data-test=countdown]")).to_contain_text("还剩")
    page.wait_for_function("document.querySelector('[data-test=live]').readyState > 0")
    page.wait_for_timeout(5200)
    expect(page.locator("[data-test=countdown]")).to_contain_text("还剩 11")  # 120 - 5 = 115…114 s left
    screenshot(page, "recruit-video-recording")
    page.locator("[data-test=stop]").click()
    expect(page.locator("[data-test=recorded]")).to_contain_text("已录制")
    expect(page.locator("[data-test=preview]")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "recruit-video-preview")
    # The signal drops: every PUT of a part to S3 fails; after a few tries the page says so and keeps what it has.
    asked = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}"))
    cut = {"on": True}

    def s3_part(route):
        if route.request.method == "PUT" and cut["on"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(lambda url: "partNumber=" in url, s3_part)
    page.locator("[data-test=upload]").click()
    expect(page.locator("[data-test=upload-interrupted]")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-test=upload]")).to_have_text("继续上传")
    resumed = [a for a in asked if "/api/recruitment/profile/video/uploads/" in a and a.startswith("GET")]
    assert len(resumed) >= 2, asked  # after each failed round: what does S3 have?
    screenshot(page, "recruit-video-interrupted")
    # The app is closed and opened again: the recording and its upload were kept (IndexedDB) and carry on.
    page.reload()
    expect(page.locator("[data-test=pending]")).to_contain_text("有一段未传完的视频")
    expect(page.locator("[data-test=preview]")).to_be_visible()
    cut["on"] = False
    asked.clear()
    page.locator("[data-test=upload]").click()
    expect(page.locator("[data-test=current-video]")).to_be_visible(timeout=30_000)
    assert not [a for a in asked if a.startswith("POST") and a.endswith("/api/recruitment/profile/video/uploads")], \
        "the kept upload carried on: no new upload was started"
    assert [a for a in asked if a.startswith("POST") and a.endswith("/complete")], asked
    video = web_stack.api(me, "GET", "/api/recruitment/profile")["video"]
    assert video and 4 <= video["seconds"] <= 7, video
    mine = web_stack.api(me, "GET", "/api/recruitment/profile/video")["video"]
    assert mine["content_type"] == "video/webm" and mine["size"] > 10_000, mine
    page.wait_for_function("document.querySelector('[data-test=current-video]').readyState > 0", timeout=20_000)
    expect(page.locator("[data-test=video-facts]")).to_contain_text(f"{video['seconds']}秒")
    expect(page.locator(".van-toast")).to_be_hidden()
    no_sideways_scroll(page)
    screenshot(page, "recruit-video-uploaded")

    # Apply to the job with a 求职留言: 已投递.
    page.goto(f"{web_stack.url}/jobs/{job['id']}")
    expect(page.locator("[data-test=job-title]")).to_have_text(job["title"])
    page.locator("[data-test=cover]").fill("下周一可以到岗。")
    no_sideways_scroll(page)
    screenshot(page, "recruit-job")
    page.locator("[data-test=apply]").click()
    expect(page.locator("[data-test=applied]")).to_have_text("已投递")
    assert web_stack.api(me, "GET", f"/api/recruitment/jobs/{job['id']}")["applied"]
    expect(page.locator(".van-toast")).to_be_hidden()
    screenshot(page, "recruit-job-applied")

    # 我的投递: the new application 已投递 with my words; the demo offer with 接受录用 / 婉拒.
    page.locator("[data-test=to-mine]").click()
    card = page.locator("[data-test=application]", has_text=job["title"]).filter(has_text="下周一可以到岗。")
    expect(card.locator("[data-test=status]")).to_have_text("已投递")
    expect(card).to_contain_text("下周一可以到岗。")
    offered = [a for a in web_stack.api(me, "GET", "/api/recruitment/applications/mine?limit=100")["items"]
               if a["status"] == "offered"]
    if offered:
        other = page.locator("[data-test=application]", has_text=offered[0]["title"])
        expect(other.locator("[data-test=status]")).to_have_text("已发录用")
        expect(other.locator("[data-test=accept]")).to_be_visible()
        expect(other.locator("[data-test=decline]")).to_be_visible()
    expect(page.locator(".van-toast")).to_be_hidden()
    no_sideways_scroll(page)
    screenshot(page, "recruit-mine")

    # 岗位提醒: a category, SMS on, saved.
    page.goto(f"{web_stack.url}/jobs/alerts")
    chip = page.locator("[data-test=alert-category]", has_text="技工")
    if chip.get_attribute("aria-pressed") != "true":
        chip.click()
    if page.locator("[data-test=sms]").get_attribute("aria-checked") != "true":
        page.locator("[data-test=sms]").click()
    page.locator("[data-test=save-alert]").click()
    expect(page.locator(".van-toast", has_text="岗位提醒已保存")).to_be_visible()
    alert = web_stack.api(me, "GET", "/api/recruitment/alerts")
    assert "技工" in alert["categories"] and alert["sms"] is True, alert
    expect(page.locator("[data-test=alert-state]")).to_contain_text("已订阅")
    expect(page.locator(".van-toast")).to_be_hidden()
    no_sideways_scroll(page)
    screenshot(page, "recruit-alerts")
