"""Browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright."""

import os
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

# Debian's Chromium, or the one CHROMIUM names (the same variable .ci/ensure checks).
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
# Chromium must not try to reach any other host (this machine has no network for it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
SMALL_PHONE = {"width": 320, "height": 640}  # the narrowest phone, and 1280 px at 400 % zoom


@pytest.fixture
def live_server(app):
    """The test app served by werkzeug on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, viewport: dict, javascript: bool = True):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript, locale="de-DE")
    page = context.new_page()
    page.console_problems = []  # every console error or CSP report the page produced

    def on_console(message):
        if message.type == "error":
            page.console_problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_problems.append(str(exc)))
    return context, page


def _check_console(page) -> None:
    # Error responses we provoke on purpose (4xx/5xx) log "Failed to load resource".
    problems = [p for p in page.console_problems if "Failed to load resource" not in p]
    assert problems == [], f"browser console reported: {problems}"


@pytest.fixture
def phone(browser):
    """A 375x667 phone page with JavaScript; fails the test on console errors."""
    context, page = _page(browser, PHONE)
    yield page
    context.close()
    _check_console(page)


@pytest.fixture
def phone_nojs(browser):
    """A 375x667 phone page with JavaScript switched off."""
    context, page = _page(browser, PHONE, javascript=False)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    """A 1280x800 desktop page with JavaScript; fails the test on console errors."""
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()
    _check_console(page)


@pytest.fixture
def desktop_nojs(browser):
    """A 1280x800 desktop page with JavaScript switched off."""
    context, page = _page(browser, DESKTOP, javascript=False)
    yield page
    context.close()


@pytest.fixture
def small_phone(browser):
    """A 320x640 phone page with JavaScript; fails the test on console errors."""
    context, page = _page(browser, SMALL_PHONE)
    yield page
    context.close()
    _check_console(page)


@pytest.fixture
def small_phone_nojs(browser):
    """A 320x640 phone page with JavaScript switched off."""
    context, page = _page(browser, SMALL_PHONE, javascript=False)
    yield page
    context.close()
