"""A visitor on a phone asks about an initiative, makes a mistake, fixes it and sends."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContactRequest

MESSAGE = "Ich möchte bei rECOmine mitarbeiten. Wen kann ich ansprechen?"


def requests_in(app) -> list[ContactRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(ContactRequest)))
        db.session.expunge_all()
        return rows


def go_to_help_from_an_initiative(page, live_server) -> None:
    page.goto(f"{live_server}/de/initiatives/recomine")
    page.get_by_role("link", name="Hilfe erhalten").click()
    page.wait_for_url(f"{live_server}/de/help?topic=recomine")
    expect(page.get_by_label("Worum geht es in Ihrer Frage?")).to_have_value("recomine")


def fill_with_a_mistake(page) -> None:
    page.get_by_label("Ihr Name").fill("Jana Nováková")
    page.get_by_label("E-Mail-Adresse").fill("jana(at)example.org")
    page.get_by_label("Ihre Nachricht").fill(MESSAGE)
    page.get_by_role("button", name="Anfrage senden").click()


def test_send_with_an_error_then_fix_it_without_a_page_load(app, live_server, phone):
    go_to_help_from_an_initiative(phone, live_server)
    phone.evaluate("window.__sameDocument = true")  # lost if the page reloads
    fill_with_a_mistake(phone)

    summary = phone.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        "Geben Sie eine E-Mail-Adresse im richtigen Format ein, zum Beispiel name@example.com"
    )
    expect(phone.locator("#announcer")).to_contain_text("Es gibt ein Problem")
    expect(phone).to_have_title(re.compile(r"^Fehler: "))
    expect(phone.get_by_label("Ihr Name")).to_have_value("Jana Nováková")
    expect(phone.get_by_label("Ihre Nachricht")).to_have_value(MESSAGE)
    expect(phone.get_by_label("Worum geht es in Ihrer Frage?")).to_have_value("recomine")
    privacy = phone.get_by_role("link", name=re.compile("^Datenschutzerklärung lesen"))
    expect(privacy).to_be_visible()
    assert phone.evaluate("window.__sameDocument") is True

    summary.get_by_role("link").click()
    expect(phone.get_by_label("E-Mail-Adresse")).to_be_focused()
    phone.get_by_label("E-Mail-Adresse").fill("jana@example.org")
    phone.get_by_role("button", name="Anfrage senden").click()

    heading = phone.get_by_role("heading", name="Ihre Anfrage wurde gesendet")
    expect(heading).to_be_focused()
    [row] = requests_in(app)
    expect(phone.locator(".reference")).to_have_text(row.reference)
    expect(phone.locator("#announcer")).to_contain_text(row.reference)
    assert phone.evaluate("window.__sameDocument") is True
    assert phone.url.split("#")[0] == f"{live_server}/de/help?topic=recomine"  # no navigation
    assert (row.topic, row.email, row.message) == ("recomine", "jana@example.org", MESSAGE)
    phone.screenshot(path="/tmp/help-phone-sent.png", full_page=True)


def test_send_with_an_error_then_fix_it_without_javascript(app, live_server, phone_nojs):
    page = phone_nojs
    go_to_help_from_an_initiative(page, live_server)
    fill_with_a_mistake(page)

    expect(page).to_have_title(re.compile(r"^Fehler: "))
    expect(page.locator(".error-summary")).to_contain_text("E-Mail-Adresse im richtigen Format")
    expect(page.get_by_label("Ihre Nachricht")).to_have_value(MESSAGE)
    expect(page.get_by_label("Worum geht es in Ihrer Frage?")).to_have_value("recomine")
    assert requests_in(app) == []

    page.get_by_label("E-Mail-Adresse").fill("jana@example.org")
    page.get_by_role("button", name="Anfrage senden").click()
    page.wait_for_url(f"{live_server}/de/help/sent")
    [row] = requests_in(app)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Anfrage wurde gesendet")
    expect(page.locator(".reference")).to_have_text(row.reference)


def test_form_with_errors_passes_axe(live_server, phone):
    phone.goto(f"{live_server}/de/help?topic=recomine")
    phone.get_by_role("button", name="Anfrage senden").click()
    expect(phone.locator(".error-summary")).to_be_focused()
    expect(phone.locator(".error-summary li")).to_have_count(3)  # name, e-mail, message
    result = Axe().run(phone)
    assert result.violations_count == 0, result.generate_report()
