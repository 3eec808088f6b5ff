"""Staff find the overdue requests, assign one to a colleague and to themselves, and mark
one as spam: on a phone with JavaScript and on a desktop without it."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.browser import assert_no_violations
from tests.support.browser import sign_in
from tests.support.staff import STAFF_EMAIL
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

COLLEAGUE = "kai@example.org"


@pytest.mark.parametrize("device", ["phone", "desktop_nojs"])
def test_staff_filter_overdue_assign_and_mark_spam(
    app, live_server, request, staff, make_request, device
):
    page = request.getfixturevalue(device)
    javascript = not device.endswith("_nojs")
    with app.app_context():
        accounts.create(COLLEAGUE, "another long password")  # no language: German e-mails
    # Two weeks are more than 3 working days whatever the holidays; today's is not.
    late = make_request(
        reference="H-2026-000100", created_at=datetime.now(UTC) - timedelta(days=14)
    )
    make_request(reference="H-2026-000101")
    sign_in(page, live_server)
    late_row = page.locator("tr", has_text="H-2026-000100")
    expect(late_row.locator(".overdue")).to_have_text("Überfällig")
    expect(page.locator("tr", has_text="H-2026-000101").locator(".age")).to_have_text(
        "0 Arbeitstage"
    )

    # Only the overdue ones.
    if javascript:
        page.evaluate("window.__sameDocument = true")
    page.get_by_label("Nur überfällige Anfragen zeigen").check()
    page.get_by_role("button", name="Filter anwenden").click()
    expect(page).to_have_url(re.compile(r"/admin/\?(.*&)?overdue=y(&|$)"))
    expect(page.locator("table.requests tbody tr")).to_have_count(1)
    if javascript:
        expect(page.locator("#announcer")).to_contain_text("1 Anfrage gefunden")
        assert page.evaluate("window.__sameDocument") is True
        assert_no_violations(page)  # axe runs in the page: it needs JavaScript

    # Assign it to a colleague, then take it over.
    page.get_by_role("link", name="H-2026-000100").click()
    expect(page.locator("h1")).to_have_text("Anfrage H-2026-000100")
    expect(page.locator("#assignment .current-assignee")).to_contain_text(
        "Noch niemandem zugewiesen"
    )
    if javascript:
        assert_no_violations(page)
        page.evaluate("window.__sameDocument = true")
    page.get_by_label("Zuweisen an").select_option(label=COLLEAGUE)
    page.get_by_role("button", name="Zuweisen", exact=True).click()
    expect(page.locator("#assignment .current-assignee")).to_contain_text(COLLEAGUE)
    expect(page.locator("#audit")).to_contain_text(f"{COLLEAGUE} zugewiesen")
    if javascript:
        expect(page.locator("#assignment .current-assignee")).to_be_focused()
        expect(page.locator("#announcer")).to_contain_text("erhält eine E-Mail")
    else:
        expect(page.locator(".notice")).to_contain_text("erhält eine E-Mail")
    page.get_by_role("button", name="Mir zuweisen").click()
    expect(page.locator("#assignment .current-assignee")).to_contain_text(STAFF_EMAIL)
    expect(page.get_by_role("button", name="Mir zuweisen")).to_have_count(0)
    if javascript:
        assert page.evaluate("window.__sameDocument") is True

    # Mark it as spam: it leaves the list, and the spam filter shows it.
    page.get_by_role("button", name="Als Spam markieren").click()
    expect(page.locator(".notice")).to_contain_text("Als Spam markiert.")
    expect(page.get_by_role("button", name="Das ist kein Spam")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("Als Spam markiert")
    page.get_by_role("link", name="Zurück zur Liste").click()
    expect(page.locator("table.requests tbody tr")).to_have_count(1)
    expect(page.locator("table.requests")).not_to_contain_text("H-2026-000100")
    page.get_by_label("Nur als Spam markierte Anfragen zeigen").check()
    page.get_by_role("button", name="Filter anwenden").click()
    expect(page.locator("table.requests tbody tr")).to_have_count(1)
    expect(page.locator("table.requests")).to_contain_text("H-2026-000100")

    with app.app_context():
        item = db.session.get(ContactRequest, late)
        assert item.is_spam and item.assignee.email == STAFF_EMAIL
        [notice] = db.session.scalars(select(OutboxMessage).filter_by(kind="assignment")).all()
        assert notice.recipient == COLLEAGUE
