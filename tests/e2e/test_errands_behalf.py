"""网上代办 on a family's behalf (issue 14, points 2–4) in Chromium on a 360×740 phone against the real local stack —
the father's story: the demo grid worker opens a household of the demo grid, 代办事项 → 生育登记, fills the form,
texts the family a consent code (发送验证码), types in the code the family reads out (here: from the local SMS outbox)
and submits. In the console the service point forwards it, the county approves and the service point ships it. Then a
villager of
that household opens 我家的申请 → the application (marked 由专职网格员…代为申请, the courier and tracking number),
确认收到, 评价 5 stars → 已完成.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESK, SMALL_PHONE, open_app, open_console, screenshot
from tests.e2e.stack import new_phone
from tests.e2e.test_console_errands import step_dialog
from tests.e2e.test_phone_app import new_id_number
from tests.e2e.test_phone_snaps import jpeg

COUNTY_ADMIN = "13900000002"
VILLAGE_ADMIN = "13900000007"  # 祝村管, the demo village's service point
GRID_WORKER = "13900000009"  # 汪专网, 专职网格员 of the demo grid
GRID = "330825001201G01"  # 张王村第一网格 (demo)
ADDRESS = "龙游县张王村代办路18号"


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def consent_code(web_stack, phone: str) -> str:
    """The latest 代办 consent code texted to the household's phone (the local SMS outbox)."""
    _, outbox = web_stack.call("GET", f"/__dev/sms?phone={phone}")
    texts = [m["text"] for m in outbox if "代办" in m["text"]]
    assert texts, outbox
    return re.search(r"\d{6}", texts[-1]).group()


def fill_form(page, item: dict, tmp_path, choice: int) -> None:
    """Fill the item's form as the family's answers say (the `choice`-th option of a choice) and photograph each
    material (one small JPEG each)."""
    for f in item["fields"]:
        box = page.locator(f"[data-test=value-{f['key']}]")
        if f["type"] == "text":
            box.locator("input").fill("陈小花")
        elif f["type"] == "id_number":
            box.locator("input").fill(new_id_number())
        elif f["type"] == "date":
            box.locator("input").fill("2026-11-20")
        elif f["type"] == "choice":
            box.get_by_text(f["choices"][choice], exact=True).click()
    for i, _ in enumerate(item["materials"]):
        page.set_input_files(f"[data-test=material-{i}-photos-album]",
                             jpeg(tmp_path / f"m{i}-{choice}.jpg", (60 + 30 * choice, 90 + 40 * i, 70)))
        expect(page.locator(f"[data-test=material-{i}] [data-test=photo]")).to_have_count(1)


def console_steps(browser, web_stack, ref: str) -> None:
    """The village admin forwards the application, the county admin decides 准予办理, the village admin ships it by
    EMS: each in the console (desktop), on the application's own page."""
    village = browser.new_context(**DESK)
    county = browser.new_context(**DESK)
    try:
        for ctx in (village, county):
            ctx.set_default_timeout(15_000)
        vpage = open_console(village, web_stack, web_stack.staff_session(VILLAGE_ADMIN), f"/errands/applications/{ref}")
        expect(vpage.locator("[data-test=on-behalf]")).to_contain_text("汪专网")
        vpage.locator("[data-step=forward]").click()
        step_dialog(vpage, "转交部门").get_by_role("button", name="转交部门", exact=True).click()
        expect(vpage.locator("[data-test=stage]")).to_have_text("部门办理中")
        cpage = open_console(county, web_stack, web_stack.staff_session(COUNTY_ADMIN), f"/errands/applications/{ref}")
        cpage.locator("[data-step=decide]").click()
        dialog = step_dialog(cpage, "作出决定")
        dialog.get_by_text("准予办理", exact=True).click()
        dialog.get_by_role("button", name="作出决定", exact=True).click()
        expect(cpage.locator("[data-test=stage]")).to_have_text("准予办理")
        vpage.reload()
        vpage.locator("[data-step=ship]").click()
        dialog = step_dialog(vpage, "寄出")
        dialog.locator(".el-select").filter(has=vpage.get_by_role("combobox", name="快递公司")).click()
        vpage.get_by_role("option", name="中国邮政EMS", exact=True).click()
        dialog.get_by_label("运单号").fill("EMS1122334455")
        dialog.get_by_role("button", name="寄出", exact=True).click()
        expect(vpage.locator("[data-test=stage]")).to_have_text("已寄出")
        expect(dialog).to_be_hidden()
        expect(vpage.locator(".el-message")).to_have_count(0, timeout=10_000)
        screenshot(vpage, "console-errands-behalf-shipped")
    finally:
        village.close()
        county.close()


def test_a_grid_worker_applies_for_a_family_which_receives_and_rates_it(web_stack, browser, console_built,
                                                                        tmp_path):
    admin = web_stack.staff_session(COUNTY_ADMIN)
    head_phone = new_phone("135")
    household = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"张王村代办{head_phone[-5:]}号",
        "members": [{"name": "代大伯", "relation": "户主", "id_number": new_id_number(), "phone": head_phone},
                    {"name": "代小明", "relation": "子女", "id_number": new_id_number()}]}, status=201)
    hid = household["id"]
    worker = web_stack.staff_session(GRID_WORKER)
    catalogue = web_stack.api(worker, "GET", "/api/errands/items")["items"]
    sydj = next(i for i in catalogue if i["name"] == "生育登记")
    item = web_stack.api(worker, "GET", f"/api/errands/items/{sydj['id']}")

    ctx = browser.new_context(**SMALL_PHONE)
    ctx.set_default_timeout(20_000)
    try:
        # The grid worker at the household: 代办事项 → 生育登记.
        page = open_app(ctx, web_stack, worker, f"/field/h/{hid}")
        page.locator("[data-test=proxy-errands]").click()
        expect(page).to_have_url(re.compile(rf"/field/errands/{hid}$"))
        expect(page.locator("[data-test=proxy-banner]")).to_contain_text("为代大伯家代办")
        page.locator("[data-test=errand-search]").fill("sydj")
        expect(page.locator("[data-test=errand]")).to_have_count(1)
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-behalf-items")
        page.locator("[data-test=errand]", has_text="生育登记").click()
        expect(page).to_have_url(re.compile(rf"/field/errands/{hid}/{item['id']}$"))
        expect(page.locator("[data-test=apply-item]")).to_have_text("生育登记")
        expect(page.locator(".app-bar__title")).to_have_text("代办申请")
        expect(page.locator("[data-test=proxy-banner]")).to_contain_text("为代大伯家代办")
        expect(page.locator("[data-test=household]")).to_have_count(0)  # the household is fixed

        fill_form(page, item, tmp_path, choice=1)
        page.locator("[data-test=delivery-courier]").click()
        page.locator("[data-test=address] textarea").fill(ADDRESS)

        # Submitting without the family's code is stopped on the phone.
        page.click("[data-test=submit-apply]")
        code_error = page.locator("[data-test=consent-code] .van-field__error-message")
        expect(code_error).to_have_text("请填写户主收到的6位验证码")
        # 发送验证码: texted to the household's phone (masked), the button counts down.
        page.click("[data-test=send-consent]")
        masked = f"{head_phone[:3]}****{head_phone[-4:]}"
        expect(page.locator("[data-test=consent-sent]")).to_have_text(f"验证码已发送至 {masked}")
        expect(page.locator("[data-test=send-consent]")).to_have_text(re.compile(r"^\d+秒后重发$"))
        expect(page.locator("[data-test=send-consent]")).to_be_disabled()
        code = consent_code(web_stack, head_phone)
        # A wrong code is said under the code field.
        page.locator("[data-test=consent-code] input").fill("000000" if code != "000000" else "111111")
        page.click("[data-test=submit-apply]")
        expect(code_error).to_have_text(re.compile(r"^验证码不正确，还可以再试\d次$"))
        page.locator("[data-test=consent-code] input").fill(code)
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-behalf-form")

        page.click("[data-test=submit-apply]")
        expect(page).to_have_url(re.compile(r"/errands/applications/DB-"), timeout=30_000)
        ref = page.url.rsplit("/", 1)[1]
        expect(page.locator("[data-test=on-behalf]")).to_contain_text("代为申请")
        expect(page.locator("[data-test=status]")).to_have_text("待受理")
        page.close()

        # In the console: the service point forwards it, the county's office approves, the service point ships it.
        console_steps(browser, web_stack, ref)

        # A villager of the family: 我的 → 我家的申请 → the application.
        invite = web_stack.api(admin, "POST", f"/api/households/{hid}/invites", {}, status=201)
        ident = web_stack.session(new_phone("135"))
        family = web_stack.api(ident, "POST", "/api/links", {"code": invite["code"], "name": "代小明"},
                               key=new_phone("135"))
        page = open_app(ctx, web_stack, family, "/profile")
        page.locator("[data-test=profile-errands]").click()
        expect(page).to_have_url(re.compile(r"/errands/mine$"))
        row = page.locator(f"[data-test=application-{ref}]")
        expect(row.locator("[data-test=item]")).to_have_text("生育登记")
        expect(row.locator("[data-test=stage]")).to_have_text("已寄出")
        expect(row.locator("[data-test=behalf]")).to_contain_text("代办")
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-mine")
        row.click()
        expect(page).to_have_url(re.compile(rf"/errands/applications/{ref}$"))
        expect(page.locator("[data-test=on-behalf]")).to_contain_text("由专职网格员汪专网代为申请")
        expect(page.locator("[data-test=courier]")).to_have_text("中国邮政EMS")
        expect(page.locator("[data-test=tracking-no]")).to_have_text("EMS1122334455")
        expect(page.locator("[data-test=stage]")).to_have_text("已寄出")
        page.wait_for_function("() => [...document.querySelectorAll('[data-test=material-photo] img')]"
                               ".every((i) => i.complete && i.naturalWidth > 0)")
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-behalf-family")

        page.click("[data-test=receive]")
        expect(page.locator("[data-test=step-receive]")).to_have_count(0)
        expect(page.locator("[data-test=step-rate]")).to_be_visible()
        page.locator("[data-test=star-5]").click()
        page.locator("[data-test=rate-note] textarea").fill("儿子在外地，没出村就办好了")
        screenshot(page, "phone-errands-behalf-rate")
        page.click("[data-test=send-rate]")
        expect(page.locator("[data-test=step-rate]")).to_have_count(0)
        expect(page.locator("[data-test=status]")).to_have_text("已完成")

        # The server holds the same: received, rated 5, closed; the timeline says who applied and the consent.
        out = web_stack.api(family, "GET", f"/api/errands/applications/{ref}")
        assert out["stage"] == "received" and out["received_at"], out
        assert out["case"]["status"] == "closed" and out["case"]["rating"] == 5, out["case"]
        assert out["on_behalf"]["role_name"] == "专职网格员" and out["on_behalf"]["consent_phone"] == masked
        assert "短信验证同意" in out["case"]["timeline"][0]["note"]
    finally:
        ctx.close()


def test_the_village_clerk_finds_the_household_and_applies_for_it(web_stack, browser, tmp_path):
    """The village service point's clerk has no grid (no field mode): 网上代办 → 为村民代办 finds the household of the
    village by its head's name, and the 代办 form is the grid worker's (consent code included)."""
    admin = web_stack.staff_session(COUNTY_ADMIN)
    head_phone = new_phone("135")
    head = f"网点{head_phone[-4:]}"
    hid = web_stack.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"张王村网点{head_phone[-5:]}号",
        "members": [{"name": head, "relation": "户主", "id_number": new_id_number(), "phone": head_phone}]},
        status=201)["id"]
    clerk = web_stack.staff_session(VILLAGE_ADMIN)
    catalogue = web_stack.api(clerk, "GET", "/api/errands/items")["items"]
    sydj = next(i for i in catalogue if i["name"] == "生育登记")
    item = web_stack.api(clerk, "GET", f"/api/errands/items/{sydj['id']}")

    ctx = browser.new_context(**SMALL_PHONE)
    ctx.set_default_timeout(20_000)
    try:
        page = open_app(ctx, web_stack, clerk, "/errands")
        page.locator("[data-test=to-behalf]").click()
        expect(page).to_have_url(re.compile(r"/errands/behalf$"))
        page.locator("[data-test=behalf-search] input").fill(head)
        rows = page.locator("[data-test=household-row]")
        expect(rows).to_have_count(1)
        no_sideways_scroll(page)
        screenshot(page, "phone-errands-clerk-households")
        rows.click()
        expect(page).to_have_url(re.compile(rf"/field/errands/{hid}$"))
        expect(page.locator("[data-test=proxy-banner]")).to_contain_text(f"为{head}家代办")
        page.locator("[data-test=errand]", has_text="生育登记").click()
        expect(page.locator(".app-bar__title")).to_have_text("代办申请")
        fill_form(page, item, tmp_path, choice=0)
        page.locator("[data-test=delivery-pickup]").click()
        page.click("[data-test=send-consent]")
        expect(page.locator("[data-test=consent-sent]")).to_contain_text(head_phone[-4:])
        page.locator("[data-test=consent-code] input").fill(consent_code(web_stack, head_phone))
        page.click("[data-test=submit-apply]")
        expect(page).to_have_url(re.compile(r"/errands/applications/DB-"), timeout=30_000)
        expect(page.locator("[data-test=on-behalf]")).to_contain_text("祝村管")
        expect(page.locator("[data-test=status]")).to_have_text("待受理")
        screenshot(page, "phone-errands-clerk-applied")
    finally:
        ctx.close()
