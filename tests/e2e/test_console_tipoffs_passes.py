"""疫情举报, 扫码记录 and 党员联户 in the staff console, in Chromium against the real local stack with the demo county.

Everything happens in 团石村 (330825002201), which no other browser test uses. The demo staff all work in 张王村, so
the county admin (13900000002) appoints, through the API, a village admin, a checkpoint staff member and a party
member (of 团石村第一网格) for 团石村; a villager signs in with a fresh number and links to a household of 团石村 with
an invite code. Then:
- the villager files an anonymous tip-off while the village admin watches the tip-off page: it arrives within one
  10 s poll, shows 匿名, and is closed with a disposition; the statistics count it;
- the villager issues a pass and the checkpoint scans it before and after the household's daily report (禁止 then
  通行) and scans a code that is not a pass (无效); the checkpoint's scan log shows the three with the day's counts;
- the village admin hands two households to the party member on the 党员联户 page, then unlinks one.

Phones: 145xxxxxxxx for the people made here (the other browser tests use 136 and 147). The county admin also signs
in through the console in test_console.py, and a phone may ask for a code once a minute: this module waits out its
own minute before it ends (and waits for it if another module asked just before).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_console, shot
from tests.e2e.stack import new_phone

COUNTY_ADMIN = "13900000002"
VILLAGE = "330825002201"  # 团石村 (龙洲街道)
GRID = VILLAGE + "G01"  # 团石村第一网格
CODE_INTERVAL = 61  # seconds between two code requests for one phone (otp_resend_after, plus a second)


@pytest.fixture(scope="module")
def tuanshi(web_stack, console_built):
    """The people of 团石村 for this module: {api, admin, village_admin, checkpoint, party, villager, household}."""
    api = web_stack
    asked = time.monotonic()
    admin = api.session(COUNTY_ADMIN)
    asked = time.monotonic()  # (after any wait for another module's request)

    def appoint(role: str, place: str, name: str) -> tuple[dict, dict]:
        phone = new_phone("145")
        person = api.ok("POST", "/api/staff", {"phone": phone, "name": name, "role": role, "place": place},
                        token=admin["access_token"], status=201)
        return person, api.session(phone)

    _, village_admin = appoint("village_admin", VILLAGE, "石村管")
    _, checkpoint = appoint("checkpoint_staff", VILLAGE, "石卡口")
    party, _ = appoint("party_member", GRID, "石党员")

    # A villager linked to a household of 团石村 with an invite code the village admin made.
    va = village_admin["access_token"]
    households = api.ok("GET", f"/api/households?place={GRID}&limit=100", token=va)["items"]
    household = sorted(households, key=lambda h: h["address"])[0]
    invite = api.ok("POST", f"/api/households/{household['id']}/invites", {}, token=va, status=201)
    ident = api.session(new_phone("145"))
    linked = api.ok("POST", "/api/links", {"code": invite["code"], "name": "石村民"}, token=ident["access_token"])
    assert linked["tenant"] == "330825"
    yield {"api": api, "admin": admin, "village_admin": village_admin, "checkpoint": checkpoint, "party": party,
           "villager": linked, "household": household}
    # test_console.py signs the county admin in through the console (a code request of its own): leave it the minute.
    left = CODE_INTERVAL - (time.monotonic() - asked)
    if left > 0:
        time.sleep(left)


def open_select(root, name: str):
    """Open an Element Plus select by its accessible name."""
    page = getattr(root, "page", root)
    root.locator(".el-select").filter(has=page.get_by_role("combobox", name=name)).click()


def table(page, label: str):
    """The body rows of an Element Plus table by its accessible name."""
    return page.locator(f'.el-table[aria-label="{label}"] .el-table__body tr')


def today_in_shanghai() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_anonymous_tipoff_arrives_is_closed_and_counted(desk, web_stack, tuanshi):
    api, va = tuanshi["api"], tuanshi["village_admin"]
    page = open_console(desk, web_stack, va, "/tipoffs")
    expect(page.get_by_role("heading", name="疫情举报")).to_be_visible()
    expect(page.locator("[data-place-only]")).to_have_text("团石村")
    expect(page.get_by_role("tab", name="待处理")).to_have_attribute("aria-selected", "true")
    description = "村口小卖部每天下午有十几人聚集打牌，不戴口罩"
    row = page.locator(".el-table__body tr", has_text=description)
    expect(row).to_have_count(0)

    # The villager files it anonymously while the village admin watches: it shows within one 10 s poll.
    sent = time.monotonic()
    tip = api.ok("POST", "/api/tipoffs", {"category": "gathering", "description": description,
                                          "location": "团石村村口小卖部", "anonymous": True},
                 token=tuanshi["villager"]["access_token"], status=201)
    expect(row).to_be_visible(timeout=20_000)
    print(f"the tip-off showed in the console {time.monotonic() - sent:.1f} s after it was filed")
    expect(row).to_contain_text("团石村")
    expect(row).to_contain_text("聚集活动")
    expect(row).to_contain_text("匿名")
    expect(row).not_to_contain_text("石村民")  # staff never see an anonymous reporter
    expect(row).to_contain_text("新")
    expect(page.get_by_role("tab", name=re.compile("待处理"))).to_contain_text("1")  # the badge of new ones
    expect(page.locator(".el-notification").filter(has_text=description)).to_be_visible()
    shot(page, "console-tipoffs-new")

    # The drawer: 匿名 again, nothing handled yet.
    row.get_by_role("button", name=re.compile(r"^查看 团石村 .+ 的举报$")).click()
    drawer = page.get_by_role("dialog", name="举报详情")
    expect(drawer.locator("[data-field=reporter]")).to_have_text("匿名")
    expect(drawer.locator("[data-field=location]")).to_have_text("团石村村口小卖部")
    expect(drawer.locator("[data-field=status]")).to_have_text("待处理")
    shot(page, "console-tipoffs-detail")

    # 办结 from the drawer: a disposition is required; the Chinese choices.
    drawer.get_by_role("button", name="办结").click()
    dialog = page.get_by_role("dialog", name="办结举报")
    expect(dialog).to_contain_text(description)
    dialog.get_by_role("button", name="办结").click()
    expect(dialog.locator(".el-form-item__error")).to_have_text("请选择处置结果")
    open_select(dialog, "处置结果")
    for label in ("已劝导警示", "已安排隔离观察", "经核实不属实", "其他"):
        expect(page.get_by_role("option", name=label, exact=True)).to_be_visible()
    page.get_by_role("option", name="已劝导警示", exact=True).click()
    note = "已上门劝散，并对组织者进行警示教育"
    dialog.get_by_label("处理情况").fill(note)
    shot(page, "console-tipoffs-close")
    dialog.get_by_role("button", name="办结").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text="已办结")).to_be_visible()
    expect(drawer.locator("[data-field=status]")).to_have_text("已办结")
    expect(drawer.locator("[data-field=disposition]")).to_have_text("已劝导警示")
    expect(drawer.locator("[data-field=handledBy]")).to_have_text("石村管")
    drawer.get_by_role("button", name=re.compile("关闭|Close")).click()
    expect(row).to_have_count(0)  # no longer open
    page.get_by_role("tab", name="已办结").click()
    expect(row).to_contain_text("已劝导警示")
    expect(row).to_contain_text("已办结")
    shot(page, "console-tipoffs-closed")

    got = api.ok("GET", f"/api/tipoffs/{tip['id']}", token=va["access_token"])
    assert (got["status"], got["disposition"], got["note"], got["reporter"]) == ("closed", "warned", note, None)
    mine = api.ok("GET", "/api/tipoffs/mine", token=tuanshi["villager"]["access_token"])["items"]
    assert [(t["id"], t["status"]) for t in mine] == [(tip["id"], "closed")]  # the reporter follows the outcome

    # The statistics of the village: this week's 聚集活动.
    stats = api.ok("GET", f"/api/tipoffs/stats?place={VILLAGE}&weeks=8", token=va["access_token"])
    assert stats["rows"] == [{"week": stats["weeks"][-1], "village": VILLAGE, "village_name": "团石村",
                              "category": "gathering", "count": 1}]
    page.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="举报统计").click()
    expect(page.get_by_role("heading", name="举报统计")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("团石村 近 8 周共 1 条举报：返乡人员 0，聚集活动 1，其他风险 0")
    weeks = table(page, "团石村 各周各类举报数")
    expect(weeks).to_have_count(8)
    expect(weeks.last.locator("td")).to_have_text([re.compile(rf"^{stats['weeks'][-1]}（"), "0", "1", "0", "1"])
    expect(table(page, "团石村 各村各类举报数").locator("td")).to_have_text(["团石村", "0", "1", "0", "1"])
    expect(page.get_by_role("img", name="团石村 近 8 周各类举报数").locator("svg")).to_be_visible()
    shot(page, "console-tipoffs-stats")


def test_checkpoint_scan_log_shows_pass_stop_and_invalid(desk, web_stack, tuanshi):
    api, villager = tuanshi["api"], tuanshi["villager"]["access_token"]
    hid = tuanshi["household"]["id"]
    hh = api.ok("GET", f"/api/households/{hid}", token=villager)
    holder = hh["members"][0]
    issued = api.ok("POST", "/api/passes", {"household": hid, "member": holder["id"]}, token=villager, status=201)
    cp = tuanshi["checkpoint"]["access_token"]

    first = api.ok("POST", "/api/passes/scan", {"code": issued["code"]}, token=cp)
    assert (first["result"], [r["code"] for r in first["reasons"]]) == ("stop", ["not_reported"])
    api.ok("POST", "/api/reports", {"household": hid, "outside": [],
                                    "members": [{"member": m["id"], "colour": "green"} for m in hh["members"]]},
           token=villager, status=201)
    second = api.ok("POST", "/api/passes/scan", {"code": issued["code"]}, token=cp)
    assert (second["result"], second["colour"]) == ("pass", "green")
    status, refused = api.call("POST", "/api/passes/scan", {"code": "https://example.com/not-a-pass"}, token=cp)
    assert (status, refused["error"]["code"]) == (422, "pass_invalid")

    today = today_in_shanghai()
    page = open_console(desk, web_stack, tuanshi["checkpoint"], "/")
    expect(page).to_have_url(re.compile(r"/console/places$"))  # the first page a checkpoint may use
    page.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="扫码记录").click()
    expect(page.get_by_role("heading", name="扫码记录")).to_be_visible()
    expect(page.locator("[data-place-only]")).to_have_text("团石村")
    expect(page.get_by_role("combobox", name="日期")).to_have_value(today)
    expect(page.get_by_role("status")).to_have_text(f"团石村 {today} 共扫码 3 次：通行 1 次，禁止 1 次，无效 1 次")
    rows = table(page, f"团石村 {today} 的扫码记录")
    expect(rows).to_have_count(3)
    masked = holder["name"][0] + "*" * (len(holder["name"]) - 1)
    time_of_day = re.compile(r"^\d\d:\d\d:\d\d$")
    expect(rows.nth(0).locator("td")).to_have_text([time_of_day, "无效", "无效", "—", "—", "—"])
    expect(rows.nth(1).locator("td")).to_have_text([time_of_day, "通行", "", masked, "团石村", "绿码"])
    expect(rows.nth(2).locator("td")).to_have_text([time_of_day, "禁止", "未上报", masked, "团石村", "—"])
    shot(page, "console-scans")

    # Yesterday: nothing.
    picker = page.get_by_role("combobox", name="日期")
    yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()
    picker.fill(yesterday)
    picker.press("Enter")
    expect(page.get_by_role("status")).to_have_text(f"团石村 {yesterday} 共扫码 0 次：通行 0 次，禁止 0 次，无效 0 次")
    expect(page.get_by_text("当天没有扫码记录")).to_be_visible()


def test_party_member_is_linked_to_two_households_then_one_is_unlinked(desk, web_stack, tuanshi):
    api, va = tuanshi["api"], tuanshi["village_admin"]
    party = tuanshi["party"]
    households = api.ok("GET", f"/api/households?place={GRID}&limit=100", token=va["access_token"])["items"]
    assert len(households) >= 2
    pick = sorted(households, key=lambda h: h["address"])[:2]

    page = open_console(desk, web_stack, va, "/party-links")
    expect(page.get_by_role("heading", name="党员联户")).to_be_visible()
    page.locator(".el-tree-node__content").filter(has=page.get_by_text("团石村第一网格", exact=True)).click()
    expect(page.get_by_role("heading", name="团石村第一网格")).to_be_visible()
    members = table(page, "团石村第一网格 的党员")
    expect(members).to_have_count(1)
    expect(members.first.locator("td")).to_have_text(["石党员", "团石村第一网格", party["phone"], "0", "0 / 0",
                                                      re.compile("正在查看|查看联系户")])
    page.get_by_role("button", name="查看 石党员 联系的住户").click()
    expect(page.get_by_text("还没有联系的住户")).to_be_visible()

    for h in pick:
        box = page.get_by_role("checkbox", name=f"选择 {h['address']}（户主 {h['head_name']}）")
        page.locator("label.el-checkbox").filter(has=box).click()
        expect(box).to_be_checked()
    shot(page, "console-party-links-choose")
    page.get_by_role("button", name="将所选 2 户交由 石党员 联系").click()
    expect(page.get_by_role("alert").filter(has_text="已将 2 户交由 石党员 联系")).to_be_visible()

    links = api.ok("GET", f"/api/party-links?member={party['id']}", token=va["access_token"])
    assert sorted(h["id"] for h in links["items"]) == sorted(h["id"] for h in pick)
    linked = table(page, "石党员 联系的住户")
    expect(linked).to_have_count(2)
    for h in links["items"]:
        expect(linked.filter(has_text=h["address"])).to_contain_text("已报" if h["reported_today"] else "未报")
    reported = sum(h["reported_today"] for h in links["items"])
    expect(members.first.locator("td").nth(3)).to_have_text("2")
    expect(members.first.locator("td").nth(4)).to_have_text(f"{reported} / 2")
    for h in pick:
        expect(table(page, "团石村第一网格 的住户").filter(has_text=h["address"])).to_contain_text("石党员")
    shot(page, "console-party-links")

    gone, kept = pick
    page.get_by_role("button", name=f"解除 {gone['address']} 与 石党员 的联系").click()
    confirm = page.locator(".el-message-box")
    expect(confirm).to_contain_text(f"确定解除 {gone['address']}（户主 {gone['head_name']}）与党员 石党员 的联系吗？")
    confirm.get_by_role("button", name="解除联系").click()
    expect(linked).to_have_count(1)
    expect(linked.first).to_contain_text(kept["address"])
    expect(table(page, "团石村第一网格 的住户").filter(has_text=gone["address"])).to_contain_text("未联系")
    links = api.ok("GET", f"/api/party-links?member={party['id']}", token=va["access_token"])
    assert [h["id"] for h in links["items"]] == [kept["id"]]
    shot(page, "console-party-links-unlinked")
