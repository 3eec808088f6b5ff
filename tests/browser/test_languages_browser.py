"""Visitors from Poland, Czechia, Hungary and Romania on a 320 px phone, with and without
JavaScript: they read the overview, switch language, ask for help, find Leichte Sprache.

Expected texts come from the catalogs through Flask-Babel, so each check reads what the
visitor reads, and fails when a string is left in English (see `polish`).
"""

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContactRequest


@pytest.fixture
def polish(app):
    """`polish(msgid, **values)`: the Polish text the visitor sees; never the English one."""

    def translate(msgid: str, **values) -> str:
        with app.test_request_context(), force_locale("pl"):
            text = gettext(msgid, **values)
        assert text != msgid % values if values else text != msgid, f"not translated: {msgid}"
        return text

    return translate


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def visitor(request):
    """A 320 px phone, once with JavaScript and once without."""
    return request.getfixturevalue("small_phone" if request.param else "small_phone_nojs")


def test_the_overview_expands_a_card_in_polish(live_server, small_phone, polish):
    small_phone.goto(f"{live_server}/pl/")
    expect(small_phone.locator("html")).to_have_attribute("lang", "pl")
    card = small_phone.locator("#card-smarterz")
    card.get_by_role("link", name=polish("Read more")).click()
    expect(card.locator(".card-summary")).to_be_visible()
    expect(card.locator("dl.facts")).to_contain_text("Finansowanie")
    expect(card.locator("dl.facts")).to_contain_text("197 firm")
    expect(card.locator("a.toggle")).to_have_attribute("aria-expanded", "true")
    assert small_phone.url == f"{live_server}/pl/"


def test_without_javascript_the_polish_card_opens_its_page(live_server, small_phone_nojs):
    small_phone_nojs.goto(f"{live_server}/pl/")
    small_phone_nojs.locator("#card-smarterz a.toggle").click()
    small_phone_nojs.wait_for_url(f"{live_server}/pl/initiatives/smarterz")
    expect(small_phone_nojs.locator("dl.facts")).to_contain_text("Finansowanie")


def test_the_language_switch_goes_from_hungarian_to_polish(live_server, visitor):
    visitor.goto(f"{live_server}/hu/initiatives/smart-rail-campus")
    expect(visitor.locator("html")).to_have_attribute("lang", "hu")
    polski = visitor.get_by_role("link", name="Polski")
    expect(polski).to_be_hidden()  # folded away until asked for
    visitor.locator(".lang-switch summary").click()
    expect(polski).to_have_attribute("hreflang", "pl")
    expect(polski).to_have_attribute("lang", "pl")
    polski.click()
    visitor.wait_for_url(f"{live_server}/pl/initiatives/smart-rail-campus")
    expect(visitor.locator("html")).to_have_attribute("lang", "pl")
    expect(visitor.locator("dl.facts")).to_contain_text("Partnerzy")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_polish_visitor_gets_polish_errors_then_a_polish_confirmation(
    app, live_server, visitor, polish
):
    visitor.goto(f"{live_server}/pl/help")
    expect(visitor.locator("#message-hint")).to_contain_text("polsku")  # "po polsku"
    visitor.locator("#name").fill("Katarzyna Wiśniewska")
    visitor.locator("#email").fill("kasia(at)example.org")
    visitor.locator("#message").fill("Szukam pracy jako spawaczka w okolicach Zwickau.")
    visitor.get_by_role("button", name=polish("Send request")).click()

    summary = visitor.locator(".error-summary")
    expect(summary.get_by_role("heading")).to_have_text(polish("There is a problem"))
    expect(summary).to_contain_text(
        polish("Enter an e-mail address in the correct format, like name@example.com")
    )
    expect(summary).to_contain_text(polish("Choose what your question is about"))
    expect(visitor.locator("#name")).to_have_value("Katarzyna Wiśniewska")

    visitor.locator("#email").fill("kasia@example.org")
    visitor.locator("#topic").select_option("job")
    visitor.get_by_role("button", name=polish("Send request")).click()

    expect(
        visitor.get_by_role("heading", name=polish("Your request has been sent"))
    ).to_be_visible()
    with app.app_context():
        item = db.session.scalars(select(ContactRequest)).one()
        assert item.language == "pl"
        assert item.topic == "job"
    expect(visitor.locator(".reference")).to_have_text(item.reference)


def test_leichte_sprache_is_reachable_from_the_start_page(live_server, visitor):
    visitor.goto(f"{live_server}/")  # the context asks for German
    link = visitor.get_by_role("link", name="Leichte Sprache")
    expect(link).to_have_attribute("lang", "de")
    link.click()
    visitor.wait_for_url(f"{live_server}/de/leichte-sprache")
    expect(visitor.locator("h1")).to_have_text("Leichte Sprache")
    expect(visitor.locator("html")).to_have_attribute("lang", "de")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 320


def test_leichte_sprache_from_the_polish_start_page(live_server, small_phone):
    small_phone.goto(f"{live_server}/pl/")
    small_phone.get_by_role("link", name="Leichte Sprache").click()
    small_phone.wait_for_url(f"{live_server}/de/leichte-sprache")
    expect(small_phone.get_by_role("heading", name="Wie bekommen Sie Hilfe?")).to_be_visible()
