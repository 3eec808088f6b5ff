"""A member of staff signs in, works through a new request, and signs out."""

import re

from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.staff import STAFF_EMAIL


def test_staff_work_through_a_request_without_page_loads(live_server, phone, staff, make_request):
    make_request(reference="H-DONE", status="closed", name="Schon Erledigt")
    make_request(reference="H-NEU", name="Jana Neumann", message="Ich suche eine Wohnung.")
    sign_in(phone, live_server)
    expect(phone.locator("h1")).to_have_text("Hilfeanfragen")
    expect(phone.locator("table.requests tbody tr")).to_have_count(2)

    # Filter to new requests: the list changes in place and the address follows.
    phone.evaluate("window.__sameDocument = true")
    phone.get_by_label("Status", exact=True).select_option("new")
    phone.get_by_role("button", name="Filter anwenden").click()
    expect(phone).to_have_url(re.compile(r"/admin/\?(.*&)?status=new(&|$)"))
    expect(phone.locator("table.requests tbody tr")).to_have_count(1)
    expect(phone.locator("#results-title")).to_be_focused()
    expect(phone.locator("#announcer")).to_contain_text("1 Anfrage gefunden")
    assert phone.evaluate("window.__sameDocument") is True

    phone.get_by_role("link", name="H-NEU").click()
    expect(phone.locator("h1")).to_have_text("Anfrage H-NEU")
    expect(phone.locator(".message")).to_have_text("Ich suche eine Wohnung.")

    # Change the status without a page load; the history shows who did it.
    phone.evaluate("window.__sameDocument = true")
    phone.get_by_label("Neuer Status").select_option("in_progress")
    phone.get_by_role("button", name="Status ändern").click()
    expect(phone.locator("#status-panel .current-status")).to_contain_text("In Bearbeitung")
    expect(phone.locator("#status-panel .current-status")).to_be_focused()
    expect(phone.locator("#announcer")).to_contain_text("In Bearbeitung")
    expect(phone.locator("#audit")).to_contain_text(STAFF_EMAIL)
    assert phone.evaluate("window.__sameDocument") is True

    # Add a note, again in place.
    phone.get_by_label("Neue Notiz").fill("Rückruf vereinbart.")
    phone.get_by_role("button", name="Notiz hinzufügen").click()
    expect(phone.locator("ol.notes li")).to_have_count(1)
    expect(phone.locator("ol.notes li").last).to_contain_text("Rückruf vereinbart.")
    expect(phone.locator("ol.notes li").last).to_be_focused()
    expect(phone.locator("#audit")).to_contain_text("Notiz hinzugefügt")
    assert phone.evaluate("window.__sameDocument") is True

    # Sign out; the staff area then sends you to sign-in.
    phone.get_by_role("button", name="Abmelden").click()
    phone.wait_for_url(f"{live_server}/admin/login")
    expect(phone.locator(".notice")).to_contain_text("abgemeldet")
    phone.goto(f"{live_server}/admin/requests/1")
    expect(phone).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin%2Frequests%2F1$"))
    expect(phone.locator("h1")).to_have_text("Anmeldung für den Hilfe-Service")


def test_without_javascript_status_and_filter_still_work(
    live_server, phone_nojs, staff, make_request
):
    make_request(reference="H-NOJS", name="Ohne Skript")
    page = phone_nojs
    sign_in(page, live_server)
    page.get_by_label("Suche", exact=True).fill("H-NOJS")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(r"/admin/\?q=H-NOJS"))
    page.get_by_role("link", name="H-NOJS").click()
    page.get_by_role("button", name="Status ändern").click()
    expect(page.locator(".notice")).to_contain_text("In Bearbeitung")
    expect(page.locator("#status-panel .current-status")).to_contain_text("In Bearbeitung")


def test_an_ended_session_sends_an_htmx_action_to_sign_in(live_server, phone, staff, make_request):
    """The session ends (signed out in another tab) while a list is open: the next htmx
    action is answered 401 with HX-Redirect and a sign-in page, and the browser shows
    that page whole, never swapped into the list."""
    make_request(reference="H-ALT", name="Alte Anfrage")
    sign_in(phone, live_server)
    phone.context.clear_cookies()
    phone.get_by_label("Status", exact=True).select_option("new")
    phone.get_by_role("button", name="Filter anwenden").click()
    phone.wait_for_url(re.compile(r"/admin/login\?next="))
    expect(phone.locator("h1")).to_have_text("Anmeldung für den Hilfe-Service")
    expect(phone.locator("table.requests")).to_have_count(0)
    phone.console_problems.clear()  # the 401 the browser logged
