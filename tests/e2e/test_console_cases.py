"""事项办理 (the one inbox of every case type) in the staff console, in Chromium against the real local stack.

Everything happens in 南坞村 (330825101260, 小南海镇), a village this module makes for itself through the API (no
other browser test uses it), with one household in its first grid. The county admin (13900000002) appoints a
village admin; a villager links to the household with an invite code and files, through the API as the phone
does, a 随手拍 with two photos (each uploaded first: POST /api/cases/uploads, then the presigned POST straight to
S3) and an anonymous 疫情举报. Only then is a grid worker appointed to the grid, so the 随手拍 waits unassigned.

The village admin opens 事项办理 from the menu, sees both, filters to 随手拍, opens it (photos, the category's extra
field by its label), assigns it to the grid worker, resolves it with an outcome and an answer, and the timeline
shows 已提交, 已派单, 已办结; the filer's view through the API says the same.

Phones: 149xxxxxxxx for the people made here (the other browser tests use 136, 137, 145, 147 and 188).
"""

from __future__ import annotations

import base64
import random
import re

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import id_number
from tests.e2e.conftest import open_console, shot
from tests.e2e.stack import new_phone

COUNTY_ADMIN = "13900000002"
VILLAGE = "330825101260"  # 南坞村 (小南海镇): made here
GRID = VILLAGE + "G01"

# Two small real JPEGs (96×72: a lamp post by a road), so the thumbnails in the drawer show pictures.
PHOTOS = [base64.b64decode(s) for s in (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5a"
    "YVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAAR"
    "CABIAGADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEG"
    "E1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWG"
    "h4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEB"
    "AQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYk"
    "NOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0"
    "tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDfooor0TzQooooAlhgkm+4OB1J6VYOnnBx"
    "Lz/u1JYSIYvL4DA9PWrVeFisdXhVcVokehRw9OUE3qY8sLwthxjPQ+tMq7qEiMFRcFgckjt7VSr1cLUlVpKU1ZnJVgoTaiFFFFdBkFFFFABR"
    "RRQAUUUUAFcVYapqMmoWySX90yNKoZWmYgjI4PNdrXn+m/8AITtP+uyf+hCuauk3G50UNpHoFFFFdJzhRRRQAUUUUAFFcrRXN9Y8jp+r+Z1V"
    "FcrRR9Y8g+r+Z1Vef6b/AMhO0/67J/6EK1qYIYgQREgI6HaKidTma0NIUuVPU62iuVoq/rHkZ/V/M6qiuVoo+seQfV/M6qiuVoo+seQfV/MK"
    "KKK5zpCiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooA//Z",
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5a"
    "YVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAAR"
    "CABIAGADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEG"
    "E1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWG"
    "h4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEB"
    "AQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYk"
    "NOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0"
    "tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwBtFFFchwhRRRQBbstPuL0nyVAQHBdjgA1p"
    "N4cO07boFscAx4Gfzqx4euYTZi3yiSqx4zy/fPv6fhWvXFVrTUrLQ7qVCnKN3qcXd2c9nIEnTGc7SOQ30qvW74juYXWOBCjyKxLEHJXtj/Pp"
    "WFXTTk5RuzlqxUZNIKKKK0MwooooAKKKKACiiigArHg1TUZJ40kv7pkZgGVpmIIz0PNbFc5a/wDH3D/vr/OtIJNO5tR2Z0dFFFZmIUUUUAFF"
    "FFABRS0VPMdv1P8AvfgJRS0UcwfU/wC9+Alc5a/8fcP++v8AOukqMW8CkFYYwRyCFHFVGpa5ccNy31H0UtFTzEfU/wC9+AlFLRRzB9T/AL34"
    "CUUtFHMH1P8AvfgFFFFSdwUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFAH//Z",
)]
SNAP_TEXT = "村口桥头的路灯坏了一个多星期，晚上路过很黑，老人孩子容易摔倒"
TIP_TEXT = "村东头有一户从外省回来的人没有登记，这几天在村里串门"
ANSWER = "已联系供电所更换灯泡，今晚起恢复照明"


def upload(api, session: dict, data: bytes) -> str:
    """What the phone does: a presigned form for one photo, then the photo straight to S3 with it."""
    form = api.api(session, "POST", "/api/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}, status=201)
    sent = requests.post(form["url"], data=form["fields"], files={"file": ("photo.jpg", data, "image/jpeg")},
                         timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    return form["key"]


@pytest.fixture(scope="module")
def nanwu(web_stack, console_built):
    """南坞村 with its people and cases: {admin, village_admin, worker, villager, snap, tip}."""
    api = web_stack
    admin = api.session(COUNTY_ADMIN)
    for code, name in ((VILLAGE, "南坞村"), (GRID, "南坞村第一网格")):
        api.api(admin, "POST", "/api/places", {"code": code, "name": name}, status=201)
    birth = f"{random.randint(1950, 1990)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    household = api.api(admin, "POST", "/api/households", {
        "grid": GRID, "address": "南坞村3号",
        "members": [{"name": "南大伯", "relation": "户主", "id_number": id_number("330825", birth,
                                                                               random.randint(0, 899))}]}, status=201)

    def appoint(role: str, place: str, name: str) -> dict:
        phone = new_phone("149")
        person = api.api(admin, "POST", "/api/staff", {"phone": phone, "name": name, "role": role, "place": place},
                         status=201)
        return {**api.session(phone), "id": person["id"], "name": name}

    village_admin = appoint("village_admin", VILLAGE, "南村管")
    invite = api.api(admin, "POST", f"/api/households/{household['id']}/invites", {}, status=201)
    ident = api.session(new_phone("149"))
    villager = api.api(ident, "POST", "/api/links", {"code": invite["code"], "name": "南村民"})
    assert villager["tenant"] == "330825"

    photos = [upload(api, villager, data) for data in PHOTOS]
    snap = api.api(villager, "POST", "/api/snaps", {
        "category": "road", "text": SNAP_TEXT, "photos": photos, "location": "南坞村村口桥头",
        "extra": {"facility": "streetlight"}}, status=201)
    assert (snap["status"], snap["assignee"], snap["place"]) == ("filed", None, GRID)  # no grid staff yet
    tip = api.api(villager, "POST", "/api/tipoffs", {"category": "returnee", "description": TIP_TEXT,
                                                     "anonymous": True}, status=201)
    worker = appoint("grid_worker", GRID, "南网格")
    return {"admin": admin, "village_admin": village_admin, "worker": worker, "villager": villager, "snap": snap,
            "tip": tip}


def open_select(root, name: str):
    """Open an Element Plus select by its accessible name."""
    page = getattr(root, "page", root)
    root.locator(".el-select").filter(has=page.get_by_role("combobox", name=name)).click()


def test_village_admin_assigns_and_resolves_a_snap_from_the_one_inbox(desk, web_stack, nanwu):
    api, va = web_stack, nanwu["village_admin"]
    snap_ref, tip_ref = nanwu["snap"]["ref"], nanwu["tip"]["id"]
    page = open_console(desk, web_stack, va, "/")
    page.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="事项办理").click()
    expect(page.get_by_role("heading", name="事项办理")).to_be_visible()
    expect(page.locator("[data-place-only]")).to_have_text("南坞村")
    rows = page.locator('.el-table[aria-label="南坞村的事项：待办"] .el-table__body tr')
    expect(rows).to_have_count(2)

    # Both types, newest first: the tip-off (匿名, no time limit), then the 随手拍 (the filer's name, on time).
    tip_row, snap_row = rows.nth(0), rows.nth(1)
    expect(tip_row).to_contain_text(tip_ref)
    expect(tip_row.locator("td")).to_contain_text(["疫情举报", "返乡人员", "南坞村", TIP_TEXT[:12], "匿名", "待处理"])
    expect(tip_row).not_to_contain_text("南村民")
    expect(snap_row.locator("td")).to_contain_text([snap_ref, "随手拍", "道路设施", "南坞村第一网格", SNAP_TEXT[:12],
                                                    "南村民", "待受理", "正常"])
    expect(snap_row.locator("[data-sla=green] .sla__dot")).to_be_visible()
    expect(snap_row.locator("td").nth(10)).to_have_text(re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d$"))
    shot(page, "console-cases-inbox")

    # Only 随手拍.
    open_select(page, "事项类型")
    for name in ("疫情举报", "随手拍"):
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.get_by_role("option", name="随手拍", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(snap_ref)
    expect(page.get_by_role("combobox", name="类别")).to_be_visible()  # the categories of 随手拍

    # The case in the drawer: the photos, the extra field by its label, and exactly its actions.
    rows.first.get_by_role("button", name=f"查看 {snap_ref}").click()
    drawer = page.get_by_role("dialog", name=f"事项详情 {snap_ref}")
    expect(drawer.locator("[data-field=filer]")).to_have_text("南村民")
    expect(drawer.locator("[data-field=location]")).to_have_text("南坞村村口桥头")
    expect(drawer.locator("[data-field=text]")).to_have_text(SNAP_TEXT)
    expect(drawer.locator(".el-descriptions__label", has_text="设施类型")).to_be_visible()
    expect(drawer.locator("[data-extra=facility]")).to_have_text("路灯")
    thumbs = drawer.locator("[data-test=photos] .case-detail__thumb img")
    expect(thumbs).to_have_count(2)
    # loaded (an <img> without its src yet also says complete): then it is the real photo, from S3
    thumbs.first.wait_for(state="visible")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumbs.first.element_handle(),
                           timeout=15_000)
    assert thumbs.first.evaluate("img => img.naturalWidth") == 96
    expect(drawer.locator("[data-action]")).to_have_text(["派单", "受理", "回复", "上报上级", "办结", "关闭",
                                                          "合并重复", "屏蔽"])
    expect(drawer.locator("[data-event] strong")).to_have_text(["已提交"])

    # 派单 to the grid worker (the staff of the village who can handle the grid's cases).
    drawer.get_by_role("button", name="派单", exact=True).click()
    dialog = page.get_by_role("dialog", name="派单", exact=True)
    expect(dialog).to_contain_text(f"{snap_ref} · 道路设施")
    open_select(dialog, "办理人")
    worker = page.get_by_role("option", name="南网格（专职网格员 · 南坞村第一网格）", exact=True)
    expect(worker).to_be_visible()
    worker.click()
    dialog.get_by_role("button", name="派单", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text="已派单")).to_be_visible()
    expect(drawer.locator("[data-field=assignee]")).to_have_text("南网格")
    expect(drawer.locator("[data-field=status]")).to_have_text("已派单")
    expect(rows.first).to_contain_text("南网格")

    # 办结 with an outcome and an answer.
    drawer.get_by_role("button", name="办结", exact=True).click()
    dialog = page.get_by_role("dialog", name="办结", exact=True)
    open_select(dialog, "处理结果")
    for name in ("已整改", "已转交相关部门", "已解释说明", "现场未发现问题"):
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.get_by_role("option", name="已整改", exact=True).click()
    dialog.get_by_label("答复内容").fill(ANSWER)
    expect(page.locator(".el-select__popper:visible")).to_have_count(0)
    shot(page, "console-cases-resolve")
    dialog.get_by_role("button", name="办结", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text="已办结，提交人会收到答复")).to_be_visible()
    expect(drawer.locator("[data-field=status]")).to_have_text("已办结")
    expect(drawer.locator("[data-field=outcome]")).to_have_text("已整改")
    expect(drawer.locator("[data-field=note]")).to_have_text(ANSWER)
    events = drawer.locator("[data-event]")
    expect(events.locator("strong")).to_have_text(["已提交", "已派单", "已办结"])
    expect(events.nth(0)).to_contain_text("南村民")
    expect(events.nth(1)).to_contain_text("南村管")
    expect(events.nth(1)).to_contain_text("→ 南网格")
    expect(events.nth(2)).to_contain_text(ANSWER)
    expect(drawer.locator("[data-action]")).not_to_contain_text(["派单"])
    expect(page.get_by_role("alert").filter(has_text="已办结，提交人会收到答复")).to_have_count(0, timeout=10_000)
    drawer.locator("[data-test=timeline]").scroll_into_view_if_needed()
    shot(page, "console-cases-resolved")
    expect(rows).to_have_count(0)  # no longer to do

    # The filer sees the same timeline and the answer.
    mine = api.api(nanwu["villager"], "GET", f"/api/cases/{snap_ref}")
    assert [e["event"] for e in mine["timeline"]] == ["filed", "assigned", "resolved"]
    assert (mine["status"], mine["outcome"], mine["note"], mine["assignee"]) == ("resolved", "fixed", ANSWER, "南网格")
    assert set(mine["actions"]) == {"rate", "reopen"}
    # 已办结 lists it.
    drawer.get_by_role("button", name="关闭此对话框").click()
    page.locator(".el-radio-button", has_text="已办结").click()
    expect(page.get_by_role("radio", name="已办结")).to_be_checked()
    done = page.locator('.el-table[aria-label="南坞村的事项：已办结"] .el-table__body tr')
    expect(done).to_have_count(1)
    expect(done.first.locator("td")).to_contain_text([snap_ref, "已办结", "—", "南网格"])
    page.wait_for_timeout(400)  # the radio buttons' colour transition, for the picture
    shot(page, "console-cases-done")
