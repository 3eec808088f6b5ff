"""Debian's Chromium driven by Playwright: its launch settings, pages, what they must show."""

import os
import re
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe

from tests.support.staff import STAFF_EMAIL
from tests.support.staff import STAFF_PASSWORD

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

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
axe = Axe()


@dataclass
class OpenPage:
    """A Playwright page in a browser context of its own."""

    context: object
    page: object


def open_page(browser, viewport: dict, javascript: bool = True) -> OpenPage:
    """A German page of `viewport` size that records console errors in `console_problems`."""
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript, locale="de-DE")
    page = context.new_page()
    page.console_problems = []  # every console error or CSP report the page produced

    def on_console(message):
        if message.type == "error":
            page.console_problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_problems.append(str(exc)))
    return OpenPage(context, page)


def check_console(page) -> None:
    # Error responses we provoke on purpose (4xx/5xx) log "Failed to load resource".
    problems = [p for p in page.console_problems if "Failed to load resource" not in p]
    assert problems == [], f"browser console reported: {problems}"


def assert_no_violations(page) -> None:
    """axe-core finds no WCAG 2.1 AA (or best-practice) violation on the page."""
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def sign_in(page, live_server: str) -> None:
    """Sign in as the `staff` fixture's account through the German sign-in form."""
    page.goto(f"{live_server}/admin/")
    page.wait_for_url(re.compile(r"/admin/login\?next="))
    page.get_by_label("E-Mail-Adresse").fill(STAFF_EMAIL)
    page.get_by_label("Passwort").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server}/admin/")
