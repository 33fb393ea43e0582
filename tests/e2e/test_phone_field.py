"""Field mode on a 360×740 phone against the real local stack: the grid's households in household-number order, a
household added in the field gets the village's next number, a duplicate address is flagged (not refused), and a
duplicate ID number says where it is registered as far as the worker's grid allows.

The demo part-time grid worker 童兼网 (13900000010, 张王村第一网格) signs in through the API once; no other browser
test uses that phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot
from tests.e2e.test_phone_app import fill_household, new_id_number

WORKER = "13900000010"
VILLAGE = "330825001201"
GRID = VILLAGE + "G01"


@pytest.fixture(scope="module")
def worker(web_stack) -> dict:
    return web_stack.session(WORKER)






def test_the_grid_list_is_in_household_number_order(web_stack, worker, small_phone):
    first = web_stack.api(worker, "GET", f"/api/households?place={GRID}&limit=5")["items"]
    assert [h["ref"] for h in first] == [f"{VILLAGE}-{n:04d}" for n in range(1, 6)]  # the demo's grid 1: 1–43
    page = open_app(small_phone, web_stack, worker, "/field")
    refs = page.locator("[data-test=household-row] [data-test=household-ref]")
    expect(refs.nth(4)).to_be_visible()
    assert [t.strip(" ·") for t in refs.all_inner_texts()[:5]] == ["0001", "0002", "0003", "0004", "0005"]
    expect(page.locator("[data-test=household-row]").first).to_contain_text(first[0]["address"])
    screenshot(page, "field-list-by-number")


def test_a_household_added_in_the_field_is_numbered_and_a_duplicate_address_flagged(web_stack, worker, small_phone):
    existing = web_stack.api(worker, "GET", f"/api/households?place={GRID}&limit=1")["items"][0]
    page = open_app(small_phone, web_stack, worker, f"/field/new?grid={GRID}")
    fill_household(page, existing["address"], [("沈新户", "户主")])
    page.click("[data-test=save-household]")
    expect(page).to_have_url(re.compile(r"/field/h/\w+$"))
    expect(page.get_by_text(re.compile(r"已保存，户编号 \d{4}"))).to_be_visible()
    warning = page.locator("[data-test=household-warnings]")
    expect(warning).to_contain_text("本村已有地址相同的住户")
    expect(warning).to_contain_text(existing["ref"])
    head = existing["head_name"]
    expect(warning).to_contain_text(head[0] + "*" * (len(head) - 2) + head[-1] if len(head) > 2 else head[0] + "*")
    expect(warning).not_to_contain_text(head)
    summary = page.locator(".household-summary")
    expect(summary).to_contain_text(re.compile(rf"{VILLAGE}-\d{{4}}"))
    screenshot(page, "field-added-duplicate-address")
    created = summary.inner_text()
    number = int(re.search(rf"{VILLAGE}-(\d{{4}})", created).group(1))
    assert number > 172, created  # after the demo's 172 households of 张王村: a new number, never a reused one


def test_a_duplicate_id_number_says_where_it_is_registered(web_stack, worker, small_phone):
    """In the worker's own grid: the village, number and masked head. In another grid: only "elsewhere"."""
    own = web_stack.api(worker, "GET", f"/api/households?place={GRID}&limit=3")["items"][2]
    member = web_stack.api(worker, "GET", f"/api/households/{own['id']}")["members"][0]  # the worker sees it whole
    page = open_app(small_phone, web_stack, worker, f"/field/new?grid={GRID}")
    fill_household(page, "张王村新址一号", [("沈重号", "户主")])
    page.fill("[data-test=member-0] [data-test=member-id] input", member["id_number"])
    page.click("[data-test=save-household]")
    error = page.locator("[data-test=member-0] [data-test=member-id]")
    expect(error).to_contain_text("该身份证号已登记在张王村")
    expect(error).to_contain_text(own["ref"])
    expect(error).not_to_contain_text(own["head_name"])
    screenshot(page, "field-duplicate-id")

    # A household of grid 2, registered by the village admin: the grid-1 worker learns only "elsewhere".
    admin = web_stack.session("13900000007")
    idno = new_id_number()
    web_stack.api(admin, "POST", "/api/households", {"grid": VILLAGE + "G02", "address": "张王村二组新址",
                                                     "members": [{"name": "沈二组", "relation": "户主",
                                                                  "id_number": idno}]}, status=201)
    page.fill("[data-test=member-0] [data-test=member-id] input", idno)
    page.click("[data-test=save-household]")
    expect(error).to_contain_text("本县其他地方")
    expect(error).not_to_contain_text("沈")
