"""网上代办 handled in the staff console (issue 14, points 3–4), in a desktop Chromium against the real local stack.

A villager of a new household in the demo county's 张王村第一网格 applies, through the API as the phone does (a photo
of every material uploaded first: POST /api/cases/uploads, then the presigned POST straight to S3), for the demo
catalogue's 生育登记 with courier delivery. Then, in the console: the demo village admin (祝村管) finds it in 事项办理
(type 网上代办), which opens the application's own page, and returns it with a reason; the villager supplements it
(API); the village admin forwards it to the department; the demo county admin (吴县管) decides 准予办理 with a photo
of the result document; the village admin ships it with 中国邮政EMS and a tracking number. Each step's stage and the
timeline are checked on the page, and the applicant's view through the API says the same.

Phones: 143xxxxxxxx for the people made here (the other browser tests keep to their own ranges).
"""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, open_console, shot
from tests.e2e.stack import new_phone
from tests.e2e.test_phone_app import new_id_number
from tests.e2e.test_phone_snaps import jpeg

COUNTY_ADMIN = "13900000002"  # 吴县管 (demo)
VILLAGE_ADMIN = "13900000007"  # 祝村管, 张王村 (demo)
GRID = "330825001201G01"  # 张王村第一网格 (demo)
ADDRESS = "龙游县张王村代办路18号"
REASON = "结婚证照片不清楚，请重新拍摄内页"
TRACKING = "EMS1234567890"


def upload(api, session: dict, path: str) -> str:
    """What the phone does: a presigned form for one photo of an application, then the photo straight to S3."""
    form = api.api(session, "POST", "/api/cases/uploads", {"type": "errand", "content_type": "image/jpeg"},
                   status=201)
    with open(path, "rb") as f:
        sent = requests.post(form["url"], data=form["fields"], files={"file": ("photo.jpg", f.read(), "image/jpeg")},
                             timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    return form["key"]


def villager_applies(api, tmp_path) -> tuple[dict, dict, str]:
    """(villager session, the item, ref) of a fresh application for 生育登记, by courier."""
    admin = api.staff_session(COUNTY_ADMIN)
    household = api.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": f"张王村代办{new_phone('143')[-5:]}号",
        "members": [{"name": "代阿姨", "relation": "户主", "id_number": new_id_number()}]}, status=201)
    invite = api.api(admin, "POST", f"/api/households/{household['id']}/invites", {}, status=201)
    villager = api.api(api.session(new_phone("143")), "POST", "/api/links", {"code": invite["code"], "name": "代阿姨"})
    assert villager["tenant"] == "330825", villager
    sydj = next(i for i in api.api(villager, "GET", "/api/errands/items")["items"] if i["name"] == "生育登记")
    item = api.api(villager, "GET", f"/api/errands/items/{sydj['id']}")
    assert "courier" in item["delivery"] and item["materials"]
    values = {}
    for f in item["fields"]:
        if f["type"] == "text":
            values[f["key"]] = "代阿姨"
        elif f["type"] == "id_number":
            values[f["key"]] = new_id_number()
        elif f["type"] == "date":
            values[f["key"]] = "2026-11-20"
        elif f["type"] == "choice":
            values[f["key"]] = f["choices"][1]
        elif f["type"] == "photo" and f.get("required"):
            values[f["key"]] = [upload(api, villager, jpeg(tmp_path / f"v{f['key']}.jpg", (200, 180, 90), (800, 600)))]
    materials = [[upload(api, villager, jpeg(tmp_path / f"m{i}.jpg", (40 + 60 * i, 110, 60), (800, 600)))]
                 for i in range(len(item["materials"]))]
    out = api.api(villager, "POST", "/api/errands/applications", {
        "item": item["id"], "household": household["id"], "values": values, "materials": materials,
        "delivery": "courier", "address": ADDRESS, "phone": "13800001234"}, status=201, key=new_phone("143"))
    assert out["stage"] == "submitted", out
    return villager, item, out["case"]["ref"]


def step_dialog(page, name: str):
    return page.get_by_role("dialog", name=name, exact=True)


def test_returned_supplemented_forwarded_approved_and_shipped_in_the_console(desk, browser, web_stack, console_built,
                                                                             tmp_path):
    api = web_stack
    villager, item, ref = villager_applies(api, tmp_path)
    va = api.staff_session(VILLAGE_ADMIN)

    # The village admin finds it in 事项办理 and it opens the application's own page.
    page = open_console(desk, web_stack, va, "/cases")
    expect(page.get_by_role("heading", name="事项办理")).to_be_visible()
    expect(page.locator("[data-place-only]")).to_have_text("张王村")
    page.locator(".el-select").filter(has=page.get_by_role("combobox", name="事项类型")).click()
    page.get_by_role("option", name="网上代办", exact=True).click()
    row = page.locator(".el-table__body tr", has_text=ref)
    expect(row.locator("td")).to_contain_text([ref, "网上代办", "在线申请"])
    row.get_by_role("button", name=f"查看 {ref}").click()
    expect(page).to_have_url(re.compile(rf"/console/errands/applications/{ref}$"))
    expect(page.locator("[data-test=item-name]")).to_have_text("生育登记")
    expect(page.locator("[data-test=stage]")).to_have_text("待受理")
    expect(page.locator("[data-test=department]")).to_have_text(item["department"])
    expect(page.locator("[data-test=limits]")).to_contain_text("承诺时限")
    expect(page.locator("[data-test=days-open]")).to_have_text("已提交 0 天")
    expect(page.locator("[data-test=delivery-way]")).to_have_text("快递到家")
    expect(page.locator("[data-test=address]")).to_have_text(ADDRESS)
    photos = page.locator("[data-test=material-photo] img")
    expect(photos).to_have_count(len(item["materials"]))
    page.wait_for_function("() => [...document.querySelectorAll('[data-test=material-photo] img')]"
                           ".every((i) => i.complete && i.naturalWidth > 0)")
    originals = [m for m in item["materials"] if m["original_required"]]
    expect(page.locator("[data-test=original-required]")).to_have_count(len(originals))
    ids = [f for f in item["fields"] if f["type"] == "id_number"]
    if ids:  # the village admin may see household numbers in the village (households.pii)
        expect(page.locator(f"[data-value={ids[0]['key']}]")).to_have_text(re.compile(r"^\d{17}[\dX]$|\*"))
    expect(page.locator("[data-step]")).to_have_text(["退回补正", "转交部门"])
    expect(page.locator("[data-test=on-behalf]")).to_have_count(0)

    # 退回补正: a reason is required.
    page.locator("[data-step=return]").click()
    dialog = step_dialog(page, "退回补正")
    dialog.get_by_role("button", name="退回补正", exact=True).click()
    expect(dialog.locator(".el-form-item__error")).to_have_text("请写明需要补充或更正什么")
    dialog.get_by_label("需要补充或更正的内容").fill(REASON)
    shot(page, "console-errand-return")
    dialog.get_by_role("button", name="退回补正", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-test=stage]")).to_have_text("需补充材料")
    expect(page.locator("[data-test=steps]")).to_have_count(0)  # waiting for the applicant
    expect(page.locator("[data-test=timeline] [data-event=returned]")).to_contain_text(REASON)

    # The villager supplements it (the phone does this).
    mine = api.api(villager, "GET", f"/api/errands/applications/{ref}")
    assert mine["steps"] == ["supplement"], mine["steps"]
    again = [[upload(api, villager, jpeg(tmp_path / f"s{i}.jpg", (90, 60 + 40 * i, 160), (800, 600)))]
             for i in range(len(item["materials"]))]
    api.api(villager, "POST", f"/api/errands/applications/{ref}/actions", {"action": "supplement", "materials": again},
            key=new_phone("143"))

    # The village admin sees it back and forwards it to the department.
    page.reload()
    expect(page.locator("[data-test=stage]")).to_have_text("待受理")
    page.locator("[data-step=forward]").click()
    dialog = step_dialog(page, "转交部门")
    expect(dialog.locator("[data-test=forward-to]")).to_contain_text(item["department"])
    dialog.get_by_role("button", name="转交部门", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-test=stage]")).to_have_text("部门办理中")
    expect(page.locator("[data-step]")).to_have_text(["退回补正"])  # the department decides, not the village

    # The county admin decides 准予办理, with a photo of the result document.
    county = browser.new_context(**DESK)
    county.set_default_timeout(15_000)
    try:
        cpage = open_console(county, web_stack, api.staff_session(COUNTY_ADMIN), f"/errands/applications/{ref}")
        expect(cpage.locator("[data-test=stage]")).to_have_text("部门办理中")
        cpage.locator("[data-step=decide]").click()
        dialog = step_dialog(cpage, "作出决定")
        dialog.get_by_role("button", name="作出决定", exact=True).click()
        expect(dialog.locator(".el-form-item__error")).to_have_text("请选择准予办理或不予办理")
        dialog.get_by_text("准予办理", exact=True).click()
        cpage.set_input_files("[data-test=result-photo-input]", jpeg(tmp_path / "doc.jpg", (230, 230, 220)))
        expect(dialog.locator("[data-test=result-photo] img")).to_have_count(1)
        expect(dialog.locator(".step__uploading")).to_have_count(0, timeout=30_000)
        dialog.get_by_role("button", name="作出决定", exact=True).click()
        expect(dialog).to_be_hidden()
        expect(cpage.locator("[data-test=stage]")).to_have_text("准予办理")
        expect(cpage.locator("[data-test=outcome]")).to_have_text("准予办理")
        expect(cpage.locator("[data-test=result-photos] img")).to_have_count(1)
    finally:
        county.close()

    # The village admin ships it: EMS and the tracking number.
    page.reload()
    expect(page.locator("[data-test=stage]")).to_have_text("准予办理")
    expect(page.locator("[data-step]")).to_have_text(["寄出"])
    page.locator("[data-step=ship]").click()
    dialog = step_dialog(page, "寄出")
    dialog.locator(".el-select").filter(has=page.get_by_role("combobox", name="快递公司")).click()
    for name in ("中国邮政EMS", "顺丰速运", "极兔速递"):
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.get_by_role("option", name="中国邮政EMS", exact=True).click()
    dialog.get_by_label("运单号").fill("EMS 1")
    dialog.get_by_role("button", name="寄出", exact=True).click()
    expect(dialog.locator(".el-form-item__error")).to_have_text("运单号应为 6–30 位字母、数字或短横线")
    dialog.get_by_label("运单号").fill(TRACKING)
    dialog.get_by_role("button", name="寄出", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-test=stage]")).to_have_text("已寄出")
    expect(page.locator("[data-test=courier]")).to_have_text("中国邮政EMS")
    expect(page.locator("[data-test=tracking-no]")).to_have_text(TRACKING)
    expect(page.locator("[data-test=steps]")).to_have_count(0)
    names = ["已提交", "需补充材料", "已补充材料", "已转交部门", "已办结", "已寄出"]
    expect(page.locator("[data-test=timeline] [data-test=event-name]")).to_have_text(names)
    expect(page.locator("[data-test=timeline] [data-event=shipped]")).to_contain_text(TRACKING)
    expect(page.locator(".el-message")).to_have_count(0, timeout=10_000)  # the success messages have said their piece
    shot(page, "console-errand-application")

    # The applicant's view says the same.
    mine = api.api(villager, "GET", f"/api/errands/applications/{ref}")
    assert (mine["stage"], mine["courier"], mine["tracking_no"]) == ("shipped", "中国邮政EMS", TRACKING)
    assert [e["event_name"] for e in mine["case"]["timeline"]] == names
    assert mine["case"]["outcome"] == "approved" and len(mine["case"]["after_photos"]) == 1
    assert mine["steps"] == ["receive"]
