"""A county's link (`<any cell>/?county=330825`, its QR code or SMS) lands in the county's cell: the app reads the
cells' directory its /site.json names (locally /__dev/directory.json, from s3://cqt-local-directory) and replaces
itself with the same page on the other cell, stays for a county of this cell, and says when it knows no such county
(web/shared/cells.js; docs/deploy.md, "Cells")."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from scripts import cell_directory
from tests.e2e.conftest import SMALL_PHONE, screenshot

OTHER_CODE = "330881"  # a county no other test uses, placed by this test in another cell
OTHER_WEB = "https://cell-b.example"


def _s3(web_stack):
    import boto3

    port = re.search(r"Embedded AWS: http://127\.0\.0\.1:(\d+)", web_stack.log.read_text("utf-8")).group(1)
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="cn-north-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture
def other_cell_county(web_stack):
    """County OTHER_CODE listed in the local directory in another cell (cell B), written as onboarding writes it."""
    s3 = _s3(web_stack)
    entry = cell_directory.entry("local-cn-northwest-1", "cn-northwest-1", OTHER_WEB, "江山市")
    cell_directory.put(s3, "cqt-local-directory", OTHER_CODE, entry)
    yield OTHER_CODE
    counties, etag = cell_directory.read(s3, "cqt-local-directory")
    counties.pop(OTHER_CODE, None)
    body = json.dumps({"counties": counties}, ensure_ascii=False).encode()
    s3.put_object(Bucket="cqt-local-directory", Key=cell_directory.KEY, Body=body, IfMatch=etag,
                  ContentType="application/json; charset=utf-8")


@pytest.fixture
def phone_360(browser):
    ctx = browser.new_context(**SMALL_PHONE, service_workers="block")  # each request reaches the stack
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


def test_the_local_stack_serves_its_cell_and_the_directory(web_stack, other_cell_county):
    status, site = web_stack.call("GET", "/site.json")
    assert status == 200 and site == {"cell": "local-cn-north-1", "directory": "/__dev/directory.json"}
    status, directory = web_stack.call("GET", "/__dev/directory.json")
    assert status == 200
    assert directory["counties"]["330825"] == {
        "cell": "local-cn-north-1", "region": "cn-north-1", "partition": "aws-cn", "web": web_stack.url,
        "api": f"{web_stack.url}/api", "name": "龙游县"}
    assert directory["counties"][other_cell_county]["web"] == OTHER_WEB


def test_without_a_directory_the_local_stack_answers_404_and_the_app_stays(phone_360, web_stack):
    s3 = _s3(web_stack)
    kept = s3.get_object(Bucket="cqt-local-directory", Key=cell_directory.KEY)
    s3.delete_object(Bucket="cqt-local-directory", Key=cell_directory.KEY)
    try:
        status, body = web_stack.call("GET", "/__dev/directory.json")
        assert status == 404, body
        page = phone_360.new_page()
        page.goto(f"{web_stack.url}/?county=330825")
        expect(page.locator('[data-test="sign-in"]')).to_be_visible()  # stays, says nothing
        expect(page.locator(".van-toast")).to_have_count(0)
        assert page.evaluate("() => localStorage.getItem('cqt.county')") is None
    finally:
        s3.put_object(Bucket="cqt-local-directory", Key=cell_directory.KEY, Body=kept["Body"].read(),
                      ContentType=kept["ContentType"])


def test_a_county_in_another_cell_opens_there(phone_360, web_stack, other_cell_county):
    landed = []

    def cell_b(route):
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body="<!doctype html><meta charset=utf-8><title>cell B</title><h1>cell B</h1>")

    phone_360.route(f"{OTHER_WEB}/**", cell_b)
    page = phone_360.new_page()
    page.goto(f"{web_stack.url}/?county={other_cell_county}")
    page.wait_for_url(f"{OTHER_WEB}/?county={other_cell_county}")
    expect(page.locator("h1")).to_have_text("cell B")
    assert landed == [f"{OTHER_WEB}/?county={other_cell_county}"]

    console = phone_360.new_page()  # the console's link lands on the other cell's console
    console.goto(f"{web_stack.url}/console/?county={other_cell_county}")
    console.wait_for_url(f"{OTHER_WEB}/console/?county={other_cell_county}")


def test_a_county_of_this_cell_stays_and_signs_in_here(phone_360, web_stack):
    page = phone_360.new_page()
    with page.expect_response("**/__dev/directory.json") as answer:
        page.goto(f"{web_stack.url}/?county=330825")
    assert answer.value.ok
    expect(page.locator('[data-test="sign-in"]')).to_be_visible()
    assert page.url.startswith(f"{web_stack.url}/signin")
    assert "county" not in page.url  # the code does not follow the person through sign-in
    remembered = page.evaluate("() => JSON.parse(localStorage.getItem('cqt.county'))")
    assert remembered["code"] == "330825"
    expect(page.locator(".van-toast")).to_have_count(0)
    screenshot(page, "phone-county-link-this-cell")


def test_an_unknown_county_says_so(phone_360, web_stack):
    page = phone_360.new_page()
    page.goto(f"{web_stack.url}/?county=999999")
    expect(page.locator(".van-toast")).to_contain_text("未找到该县")
    expect(page.locator('[data-test="sign-in"]')).to_be_visible()
    assert page.url.startswith(f"{web_stack.url}/signin") and "county" not in page.url
    assert page.evaluate("() => localStorage.getItem('cqt.county')") is None
    screenshot(page, "phone-county-link-unknown")


def test_an_unknown_county_says_so_in_the_console(browser, web_stack, console_built):
    from tests.e2e.conftest import DESK, shot

    ctx = browser.new_context(**DESK, service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(f"{web_stack.url}/console/?county=999999")
        expect(page.locator(".el-message")).to_contain_text("未找到该县")
        expect(page).to_have_url(re.compile(rf"^{re.escape(web_stack.url)}/console/signin$"))
        shot(page, "console-county-link-unknown")
    finally:
        ctx.close()
