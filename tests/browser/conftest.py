"""Browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright."""

import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.support.browser import CHROMIUM
from tests.support.browser import CHROMIUM_ARGS
from tests.support.browser import DESKTOP
from tests.support.browser import PHONE
from tests.support.browser import SMALL_PHONE
from tests.support.browser import check_console
from tests.support.browser import open_page


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


@pytest.fixture
def phone(browser):
    """A 375x667 phone page with JavaScript; fails the test on console errors."""
    opened = open_page(browser, PHONE)
    yield opened.page
    opened.context.close()
    check_console(opened.page)


@pytest.fixture
def phone_nojs(browser):
    """A 375x667 phone page with JavaScript switched off."""
    opened = open_page(browser, PHONE, javascript=False)
    yield opened.page
    opened.context.close()


@pytest.fixture
def desktop(browser):
    """A 1280x800 desktop page with JavaScript; fails the test on console errors."""
    opened = open_page(browser, DESKTOP)
    yield opened.page
    opened.context.close()
    check_console(opened.page)


@pytest.fixture
def desktop_nojs(browser):
    """A 1280x800 desktop page with JavaScript switched off."""
    opened = open_page(browser, DESKTOP, javascript=False)
    yield opened.page
    opened.context.close()


@pytest.fixture
def small_phone(browser):
    """A 320x640 phone page with JavaScript; fails the test on console errors."""
    opened = open_page(browser, SMALL_PHONE)
    yield opened.page
    opened.context.close()
    check_console(opened.page)


@pytest.fixture
def small_phone_nojs(browser):
    """A 320x640 phone page with JavaScript switched off."""
    opened = open_page(browser, SMALL_PHONE, javascript=False)
    yield opened.page
    opened.context.close()
