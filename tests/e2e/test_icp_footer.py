"""China: the sign-in pages show the deployment's ICP recordal number (its /site.json, infra/app.py), linked to the
MIIT's recordal system; without one (the local stack, the global regions) they show nothing."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, SMALL_PHONE, screenshot, shot

ICP = "浙ICP备12345678号-1"


@pytest.fixture
def china(browser):
    """A browser context whose deployment serves a China region's /site.json (service workers blocked, so that the
    page's requests reach the route)."""
    contexts = []

    def make(options):
        ctx = browser.new_context(**options, service_workers="block")
        ctx.set_default_timeout(15_000)
        ctx.route("**/site.json", lambda route: route.fulfill(
            status=200, content_type="application/json",
            body=json.dumps({"icp_recordal": ICP, "icp_url": "https://beian.miit.gov.cn/"}, ensure_ascii=False)))
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


def test_phone_sign_in_shows_the_icp_number_at_its_foot(china, web_stack):
    page = china(SMALL_PHONE).new_page()
    page.goto(f"{web_stack.url}/signin")
    link = page.locator('[data-test="icp"] a')
    expect(link).to_have_text(ICP)
    expect(link).to_have_attribute("href", "https://beian.miit.gov.cn/")
    box, sign_in = link.bounding_box(), page.locator('[data-test="sign-in"]').bounding_box()
    assert box["y"] > sign_in["y"] + sign_in["height"]  # below the form
    assert abs((box["x"] + box["width"] / 2) - 180) < 4  # centred on the 360 px screen
    screenshot(page, "phone-signin-icp")


def test_console_sign_in_shows_the_icp_number_at_the_foot_of_the_page(china, web_stack, console_built):
    page = china(DESK).new_page()
    page.goto(f"{web_stack.url}/console/signin")
    link = page.locator('[data-test="icp"] a')
    expect(link).to_have_text(ICP)
    box = link.bounding_box()
    assert box["y"] > DESK["viewport"]["height"] - 60 and abs(box["x"] + box["width"] / 2 - 720) < 4
    shot(page, "console-signin-icp")


def test_without_a_recordal_number_there_is_no_footer(browser, web_stack):
    """The local stack's /site.json names its cell and directory but no recordal number (like a global region's)."""
    ctx = browser.new_context(**SMALL_PHONE, service_workers="block")
    try:
        page = ctx.new_page()
        with page.expect_response("**/site.json") as site:
            page.goto(f"{web_stack.url}/signin")
        assert site.value.json() == {"cell": "local-cn-north-1", "directory": "/__dev/directory.json"}
        expect(page.locator('[data-test="sign-in"]')).to_be_visible()
        expect(page.locator('[data-test="icp"]')).to_have_count(0)
    finally:
        ctx.close()
