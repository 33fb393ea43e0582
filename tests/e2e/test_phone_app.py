"""The villagers' and field staff's phone app in Chromium at a phone viewport, against the real local stack.

Villagers sign in with the code from the local SMS outbox and link to their household; the demo grid worker
(13900000009, 张王村第一网格) adds households in field mode, online and offline. The grid worker signs in once per
session through the API (a phone may ask for a code only once a minute); the browser gets that session the way the
app keeps it, in localStorage 'cqt.session'.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot
from tests.e2e.stack import new_phone

GRID = "330825001201G01"
WORKER = "13900000009"
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def new_id_number() -> str:
    """A valid, random ID-card number of someone born in 龙游县 (GB 11643 check digit)."""
    first17 = f"330825{random.randint(1940, 2010)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}" \
              f"{random.randint(0, 999):03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def unique_address(label: str) -> str:
    return f"张王村{label}{random.randint(100_000, 999_999)}号"


@pytest.fixture(scope="session")
def worker(web_stack) -> dict:
    """The grid worker's session, as POST /api/auth/token returned it."""
    return web_stack.session(WORKER)




def households_at(web_stack, worker: dict, q: str) -> list[dict]:
    status, page = web_stack.call("GET", f"/api/households?place={GRID}&q={urllib.parse.quote(q)}",
                                  token=worker["access_token"])
    assert status == 200, page
    return page["items"]


def unlinked_household(web_stack, worker: dict) -> dict:
    """A household nobody follows yet, of its own (other browser tests link the demo village's households)."""
    status, hh = web_stack.call("POST", "/api/households", {
        "grid": GRID, "address": unique_address("未关联"),
        "members": [{"name": "新户主", "relation": "户主", "id_number": new_id_number()}]}, worker["access_token"])
    assert status == 201, hh
    return hh


def fill_household(page, address: str, members: list[tuple[str, str]]):
    page.fill("[data-test=address] input", address)
    for i, (name, relation) in enumerate(members):
        if i:
            page.click("[data-test=add-member]")
        member = page.locator(f"[data-test=member-{i}]")
        member.locator("[data-test=member-name] input").fill(name)
        member.locator("[data-test=member-relation]").select_option(relation)
        member.locator("[data-test=member-id] input").fill(new_id_number())


def test_villager_signs_in_with_the_sms_code_and_links_by_the_qr_link(web_stack, worker, phone):
    household = unlinked_household(web_stack, worker)
    status, invite = web_stack.call("POST", f"/api/households/{household['id']}/invites", {}, worker["access_token"])
    # The QR code carries an absolute address, so a phone camera opens it as a link.
    assert status == 201 and invite["link"] == f"{web_stack.url}/link?code={invite['code']}"

    # Scanning the worker's QR code opens the app at the invite link; not signed in yet, it asks for the phone first.
    page = phone.new_page()
    page.goto(invite["link"])
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    screenshot(page, "phone-signin")
    number = new_phone("137")
    page.fill("[data-test=phone] input", "1370000")
    page.click("[data-test=send-code]")
    expect(page.locator("[data-test=phone]")).to_contain_text("请输入11位手机号码")
    page.fill("[data-test=phone] input", number)
    page.click("[data-test=send-code]")
    expect(page.get_by_text(f"验证码已发送至 {number}")).to_be_visible()
    expect(page.locator("[data-test=send-code]")).to_contain_text("秒后重发")
    page.fill("[data-test=code] input", web_stack.sms_code(number))
    page.click("[data-test=sign-in]")

    # Back at the invite link, the code filled in.
    expect(page).to_have_url(re.compile(r"/link\?code="))
    expect(page.locator("[data-test=invite-code] input")).to_have_value(invite["code"])
    page.fill("input[name=name]", "祝大伯")
    screenshot(page, "phone-link")
    page.click("[data-test=link-submit]")

    expect(page).to_have_url(re.compile(r"/household$"))
    card = page.locator("[data-test=household]")
    expect(card).to_contain_text(household["address"])
    ids = card.locator("[data-test=id-number]")
    expect(ids).to_have_count(household["member_count"])
    for text in ids.all_inner_texts():
        assert MASKED_ID.match(text.strip()), text
    screenshot(page, "phone-household")

    page.goto(f"{web_stack.url}/")
    expect(page.locator(".app-bar__title")).to_have_text("龙游县")
    expect(page.locator("[data-test=tile-household]")).to_be_visible()
    expect(page.locator("[data-test=tile-field]")).to_have_count(0)  # villagers have no field mode
    expect(page.locator("[data-test=tile-inbox]")).to_contain_text("1条未读")  # "已关联家庭"
    # modules with a page and switched on get a tile (the demo county has them all on); unbuilt ones none
    expect(page.locator("[data-test=tile-daily_report]")).to_be_visible()
    expect(page.locator("[data-test=tile-training]")).to_have_count(0)  # 专题授课: not built yet
    screenshot(page, "phone-home")

    page.click("[data-test=tile-inbox]")
    page.locator("[data-test=notice]").first.click()
    expect(page.locator(".notice__body")).to_contain_text(household["address"])
    expect(page.locator(".notice--unread")).to_have_count(0)
    token = json.loads(page.evaluate("localStorage.getItem('cqt.session')"))["access_token"]
    for _ in range(20):
        _, inbox = web_stack.call("GET", "/api/inbox", token=token)
        if inbox["items"][0]["read"]:
            break
        page.wait_for_timeout(250)
    assert inbox["items"][0]["read"] is True


def test_grid_worker_adds_a_household_in_field_mode(web_stack, worker, phone):
    unlinked_household(web_stack, worker)
    page = open_app(phone, web_stack, worker, "/")
    page.click("[data-test=tile-field]")
    expect(page.locator(".app-bar__title")).to_have_text("张王村第一网格")
    expect(page.locator("[data-test=coverage]")).to_contain_text("未关联")
    expect(page.locator("[data-test=household-row]").first).to_be_visible()
    page.click("[data-test=unlinked]")
    expect(page.locator("[data-test=household-row]").first).to_contain_text("未关联")
    screenshot(page, "field-list")

    address = unique_address("新户")
    page.click("[data-test=add-household]")
    fill_household(page, address, [("王新民", "户主"), ("李秀英", "配偶")])
    screenshot(page, "field-add-household")
    page.click("[data-test=save-household]")

    expect(page).to_have_url(re.compile(r"/field/h/\w+$"))
    expect(page.locator(".household-summary")).to_contain_text(address)
    expect(page.locator("[data-test=members] .member")).to_have_count(2)
    page.click("[data-test=create-invite]")
    code = page.locator("[data-test=invite-code]")
    expect(code).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{8}$"))
    expect(page.locator(".invite__qr")).to_have_attribute("alt", re.compile(code.inner_text()))
    assert page.locator(".invite__qr").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "field-household-invite")

    # Edit the address and a member, add a third member.
    page.click("[data-test=edit-address]")
    page.fill("form [data-test=address] input", address + "东")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".household-summary")).to_contain_text(address + "东")
    page.get_by_role("link", name="修改 李秀英 的信息").click()
    page.fill("[data-test=member-name] input", "李秀兰")
    page.click("[data-test=save-member]")
    expect(page.locator("[data-test=members]")).to_contain_text("李秀兰")
    page.click("[data-test=add-member]")
    page.fill("[data-test=member-name] input", "王小明")
    page.locator("[data-test=member-relation]").select_option("子女")
    page.fill("[data-test=member-id] input", "123")
    page.click("[data-test=save-member]")
    expect(page.locator("[data-test=member-id]")).to_contain_text("身份证号应为18位")
    page.fill("[data-test=member-id] input", new_id_number())
    page.click("[data-test=save-member]")
    expect(page.locator("[data-test=members] .member")).to_have_count(3)
    address += "东"

    page.goto(f"{web_stack.url}/field")
    page.fill("[data-test=search]", address)
    expect(page.locator("[data-test=household-row]")).to_have_count(1)
    expect(page.locator("[data-test=household-row]")).to_contain_text(address)
    [created] = households_at(web_stack, worker, address)
    assert created["member_count"] == 3 and created["head_name"] == "王新民"


def test_household_added_offline_is_queued_and_sent_exactly_once(web_stack, worker, phone):
    page = open_app(phone, web_stack, worker, "/field")
    expect(page.locator("[data-test=household-row]").first).to_be_visible()
    page.click("[data-test=add-household]")
    address = unique_address("离线")
    fill_household(page, address, [("赵离线", "户主")])

    phone.set_offline(True)
    expect(page.locator("[data-test=offline-banner]")).to_be_visible()
    page.click("[data-test=save-household]")
    expect(page).to_have_url(re.compile(r"/field\?grid="))
    queued = page.locator("[data-test=queued-household]")
    expect(queued).to_contain_text(address)
    expect(queued).to_contain_text("待发送")
    expect(page.locator("[data-test=outbox-badge]")).to_have_text("待发送 1")
    screenshot(page, "field-queued")
    assert households_at(web_stack, worker, address) == []
    stored = json.loads(page.evaluate("localStorage.getItem('cqt.outbox')"))
    assert len(stored) == 1 and stored[0]["body"]["address"] == address and len(stored[0]["key"]) >= 8

    phone.set_offline(False)  # the 'online' event sends it
    expect(queued).to_have_count(0, timeout=20_000)
    expect(page.locator("[data-test=outbox-badge]")).to_have_count(0)
    page.fill("[data-test=search]", address)
    expect(page.locator("[data-test=household-row]")).to_have_count(1)
    assert len(households_at(web_stack, worker, address)) == 1

    # Opening the app again sends nothing more.
    page.reload()
    expect(page.locator("[data-test=household-row]").first).to_be_visible()
    page.wait_for_timeout(500)
    assert json.loads(page.evaluate("localStorage.getItem('cqt.outbox')")) == []
    assert len(households_at(web_stack, worker, address)) == 1


def test_elder_mode_enlarges_text_and_simplifies_home(web_stack, worker, phone):
    page = open_app(phone, web_stack, worker, "/")
    label = page.locator("[data-test=tile-profile] span")
    expect(label).to_be_visible()
    normal = float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

    page.click("[data-test=tile-profile]")
    expect(page.get_by_text("139****0009")).to_be_visible()
    expect(page.get_by_text("专职网格员")).to_be_visible()
    screenshot(page, "phone-profile")
    switch = page.locator("[data-test=elder-switch]")
    expect(switch).to_have_attribute("aria-label", "长辈模式")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    page.goto(f"{web_stack.url}/")  # remembered across a reload
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    elder = float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert elder >= normal * 1.2, (normal, elder)
    height = page.locator("[data-test=tile-profile]").evaluate("e => e.getBoundingClientRect().height")
    assert height >= 48
    expect(page.locator("[data-test=tile-field]")).to_be_visible()
    expect(page.locator(".app-bar__title")).to_have_text("龙游县")
    screenshot(page, "elder-home")

    page.goto(f"{web_stack.url}/profile")
    for button in page.locator("button").all():
        if button.is_visible():
            assert button.evaluate("b => b.getBoundingClientRect().height") >= 48, button.inner_html()
    page.locator("[data-test=elder-switch]").click()  # leave the phone as it was


def test_app_shell_loads_offline_after_a_first_visit(web_stack, phone):
    page = phone.new_page()
    page.goto(f"{web_stack.url}/signin")
    expect(page.locator("[data-test=phone]")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20_000)

    phone.set_offline(True)
    page.reload()
    expect(page.locator("[data-test=phone] input")).to_be_visible()
    expect(page.locator("[data-test=offline-banner]")).to_be_visible()
    page.goto(f"{web_stack.url}/inbox")  # a deep link: the service worker answers with the app shell
    expect(page).to_have_url(re.compile(r"/signin\?next=(/|%2F)inbox$"))
    screenshot(page, "offline-shell")
    phone.set_offline(False)


def test_first_load_is_within_150_kb_compressed(web_stack, phone):
    """What a new phone downloads before it shows the sign-in page (the service worker's precache comes after)."""
    page = phone.new_page()
    sizes = {}
    page.on("response", lambda r: sizes.setdefault(r.url, r) if r.request.resource_type in (
        "document", "script", "stylesheet") else None)
    page.goto(f"{web_stack.url}/")
    expect(page.locator("[data-test=phone] input")).to_be_visible()
    total = {url: len(gzip.compress(r.body(), 9)) for url, r in sizes.items()}
    assert any(u.endswith(".js") for u in total)
    assert sum(total.values()) <= 150 * 1024, total
