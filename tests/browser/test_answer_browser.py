"""Staff answer a visitor by e-mail, on a phone and a desktop, with and without JavaScript;
a visitor looks up the status of a request in German and in English."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy import update

from tests.support.browser import sign_in
from webapp.extensions import db
from webapp.helpdesk import notifications
from webapp.models import ContactRequest
from webapp.models import OutboxMessage


# Without JavaScript the flow is the same on every screen: once, on a phone.
@pytest.mark.parametrize("device", ["phone", "desktop", "phone_nojs"])
def test_staff_answer_a_visitor_by_email(app, live_server, request, staff, make_request, device):
    page = request.getfixturevalue(device)
    javascript = not device.endswith("_nojs")
    request_id = make_request(reference="H-2026-000321", language="en", email="ana@example.org")
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/requests/{request_id}")
    expect(page.locator("#conversation")).to_contain_text("Noch keine E-Mails.")
    # The subject is prefilled in the visitor's language, with the reference.
    expect(page.get_by_label("Betreff")).to_have_value(
        "Re: Your request H-2026-000321 has been received"
    )
    expect(page.get_by_label("Status nach dem Senden")).to_have_value("answered")

    page.evaluate("window.__sameDocument = true") if javascript else None
    page.get_by_role("button", name="Antwort senden").click()
    # Nothing typed: the error summary links to the field, nothing is queued.
    expect(page.locator(".error-summary")).to_contain_text("Geben Sie den Text Ihrer Antwort ein")
    if javascript:
        expect(page.locator(".error-summary")).to_be_focused()

    page.get_by_label("Ihre Antwort").fill("Dear Ana,\nthe job centre in Aue can help you.")
    page.get_by_role("button", name="Antwort senden").click()
    answer = page.locator("ol.messages li").last
    expect(answer).to_contain_text("the job centre in Aue can help you.")
    expect(answer).to_contain_text("Wartet auf Versand")
    expect(answer).to_contain_text("staff@example.org")
    expect(page.locator("#status-panel .current-status")).to_contain_text("Beantwortet")
    expect(page.locator("#audit")).to_contain_text("Antwort per E-Mail gesendet")
    if javascript:
        expect(answer).to_be_focused()
        expect(page.locator("#announcer")).to_contain_text("Ihre Antwort ist auf dem Weg")
        assert page.evaluate("window.__sameDocument") is True
    else:
        expect(page.locator(".flash, [role=status], .notice").first).to_be_visible()
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "ana@example.org"
        assert message.body.startswith("Dear Ana,\nthe job centre in Aue can help you.\n\n-- ")
        assert db.session.get(ContactRequest, request_id).status == "answered"


@pytest.mark.parametrize(
    ("lang", "reference_label", "email_label", "button", "status", "missing"),
    [
        (
            "de",
            "Vorgangsnummer",
            "E-Mail-Adresse",
            "Stand abfragen",
            "In Bearbeitung",
            "Keine Anfrage gefunden",
        ),
        (
            "en",
            "Reference number",
            "E-mail address",
            "Check status",
            "Being worked on",
            "No request found",
        ),
    ],
)
@pytest.mark.parametrize("device", ["phone", "phone_nojs"])
def test_visitor_looks_up_the_status(
    live_server,
    request,
    make_request,
    device,
    lang,
    reference_label,
    email_label,
    button,
    status,
    missing,
):
    page = request.getfixturevalue(device)
    make_request(reference="H-2026-000555", email="kim@example.org", status="in_progress")
    page.goto(f"{live_server}/{lang}/help/status?reference=H-2026-000555")
    expect(page.get_by_label(reference_label)).to_have_value("H-2026-000555")
    page.get_by_label(email_label).fill("someone@example.org")
    page.get_by_role("button", name=button).click()
    expect(page.locator("main")).to_contain_text(missing)
    expect(page.get_by_label(email_label)).to_have_value("someone@example.org")
    page.get_by_label(email_label).fill("KIM@example.org")
    page.get_by_role("button", name=button).click()
    expect(page.locator(".status-result")).to_contain_text(status)
    expect(page.locator(".status-result")).to_contain_text("H-2026-000555")
    assert re.search(r"/help/status$", page.url)


@pytest.mark.parametrize("device", ["phone", "desktop_nojs"])
def test_staff_see_a_confirmation_withheld_by_the_daily_limit(
    app, live_server, request, staff, make_request, device
):
    """The sender withheld this request's confirmation (tests/test_confirmation_limit.py
    shows it deciding so with a real mail server): staff read why, and cannot resend it."""
    page = request.getfixturevalue(device)
    request_id = make_request(reference="H-2026-000654", language="pl", email="ola@example.org")
    with app.app_context():
        item = db.session.get(ContactRequest, request_id)
        notifications.queue(notifications.prepare(item), item)
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "confirmation")
            .values(state="withheld")
        )
        db.session.commit()
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/requests/{request_id}")
    notice, confirmation = page.locator("ol.messages li").all()
    expect(confirmation).to_contain_text("Bestätigung an die anfragende Person")
    expect(confirmation).to_contain_text(
        "Nicht gesendet: Diese Adresse hatte die tägliche Höchstzahl an Bestätigungen erreicht"
    )
    expect(confirmation.get_by_role("button", name=re.compile("Erneut senden"))).to_have_count(0)
    expect(notice.get_by_role("button", name=re.compile("Erneut senden"))).to_have_count(0)
    expect(notice).to_contain_text("Wartet auf Versand")
