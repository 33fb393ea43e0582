"""Browser tests: Playwright (Python) driving Debian's Chromium against the real local stack with the built web
apps. `make test` installs Chromium and the CJK fonts and builds web/dist before pytest runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.stack import Stack

CHROMIUM = os.environ.get("CQT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESK = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}  # a cheap Android phone


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory):
    """One local stack with the demo county for all browser tests (they use distinct people and households)."""
    assert (ROOT / "web" / "dist" / "index.html").exists(), "web/dist is missing: run `make test` (it builds web/)"
    s = Stack(tmp_path_factory.mktemp("web") / "data")
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def console_built():
    assert (ROOT / "web" / "dist" / "console" / "index.html").exists(), \
        "web/dist/console is missing: run `cd web && npm run build` (the app first, then the console)"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-quic", "--no-first-run",
            # a fake camera and microphone without a permission prompt (video résumé, video interviews)
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            # video interviews (two pages on one machine): host ICE candidates as plain IPs, not mDNS names (which
            # nothing resolves here), and ICE may use the loopback interface
            "--disable-features=WebRtcHideLocalIpsWithMdns", "--allow-loopback-in-peer-connection"])
        yield b
        b.close()


def _context(browser, options, request):
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser, request):
    """A fresh phone (own storage, service worker, offline switch) at a phone viewport."""
    yield from _context(browser, PHONE, request)


@pytest.fixture
def small_phone(browser, request):
    """A fresh phone at 360×740."""
    yield from _context(browser, SMALL_PHONE, request)


@pytest.fixture
def desk(browser, request):
    yield from _context(browser, DESK, request)


def screenshot(page, name: str) -> Path:
    """Save a screenshot under test-artifacts/screenshots/ (CI keeps them; look at them)."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def shot(page, name: str):
    """A screenshot of a console page once its loading masks have faded out."""
    from playwright.sync_api import expect

    expect(page.locator(".el-loading-mask")).to_have_count(0)
    screenshot(page, name)


def open_console(desk, web_stack, session: dict, path: str = "/"):
    """A console page in the desk context, signed in with `session` (set the way the console keeps it, before its
    scripts run)."""
    stored = json.dumps(json.dumps(session))
    desk.add_init_script(f"if (!localStorage.getItem('cqt.session')) localStorage.setItem('cqt.session', {stored})")
    page = desk.new_page()
    page.goto(f"{web_stack.url}/console{path}")
    return page


def open_app(context, web_stack, session: dict, path: str, prefs: dict | None = None):
    """A page of the phone app signed in with `session` (and `prefs`), kept the way the app keeps them, in
    localStorage."""
    page = context.new_page()
    page.goto(f"{web_stack.url}/signin")
    page.evaluate("s => localStorage.setItem('cqt.session', s)", json.dumps(session))
    if prefs:
        page.evaluate("p => localStorage.setItem('cqt.prefs', p)", json.dumps(prefs))
    page.goto(f"{web_stack.url}{path}")
    return page
