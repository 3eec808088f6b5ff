"""axe-core finds no WCAG 2.1 AA violation; nothing scrolls sideways at 320 px."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.browser import assert_no_violations
from tests.support.browser import sign_in
from webapp.extensions import db
from webapp.mail import outbox
from webapp.models import ContactRequest

PUBLIC_PAGES = [
    "/{lang}/",
    "/{lang}/initiatives/recomine",
    "/{lang}/initiatives/smart-rail-campus",
    "/{lang}/imprint",
    "/{lang}/privacy",
    "/{lang}/accessibility",
    "/{lang}/help",
    "/{lang}/help/status",
    "/{lang}/no-such-page",
]


def check_staff_pages_in_both_languages(page, live_server, urls) -> None:
    """Each staff page in German, then (switched with the staff language button) in English."""
    for lang in ("de", "en"):
        if lang == "en":
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
        for url in urls:
            page.goto(live_server + url)
            assert page.locator("html").get_attribute("lang") == lang
            assert_no_violations(page)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_public_pages_have_no_axe_violations_on_a_phone(live_server, phone, lang):
    for path in PUBLIC_PAGES:
        phone.goto(live_server + path.format(lang=lang))
        assert_no_violations(phone)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_public_pages_have_no_axe_violations_on_a_desktop(live_server, desktop, lang):
    for path in PUBLIC_PAGES:
        desktop.goto(live_server + path.format(lang=lang))
        assert_no_violations(desktop)


# The campaign's languages: overview, an initiative and the help form (empty and with
# errors), on the narrowest phone and a desktop.
CAMPAIGN_LANGUAGES = ["pl", "cs", "hu", "ro"]
CAMPAIGN_PAGES = ["/{lang}/", "/{lang}/initiatives/smarterz", "/{lang}/help"]


@pytest.mark.parametrize("viewport", ["small_phone", "desktop"])
@pytest.mark.parametrize("lang", CAMPAIGN_LANGUAGES)
def test_campaign_languages_have_no_axe_violations(live_server, request, viewport, lang):
    page = request.getfixturevalue(viewport)
    for path in CAMPAIGN_PAGES:
        page.goto(live_server + path.format(lang=lang))
        assert page.locator("html").get_attribute("lang") == lang
        assert_no_violations(page)
    page.locator("form button[type=submit]").click()  # the form with its errors
    page.locator(".error-summary").wait_for()
    assert_no_violations(page)
    page.locator(".lang-switch summary").click()  # the open language list
    assert_no_violations(page)


def test_leichte_sprache_has_no_axe_violations(live_server, small_phone):
    small_phone.goto(f"{live_server}/de/leichte-sprache")
    assert_no_violations(small_phone)


def test_an_expanded_card_has_no_axe_violations(live_server, phone):
    phone.goto(f"{live_server}/en/")
    phone.locator("#card-recomine a.toggle").click()
    phone.locator("#card-recomine .card-summary").wait_for()
    assert_no_violations(phone)


@pytest.mark.parametrize("lang", ["de", "en", "pl", "cs", "hu", "ro"])
def test_no_horizontal_scrolling_at_320_px(live_server, small_phone, lang):
    """Every public page, then with its language list open (each language's own words)."""
    # 320 CSS px is what a 1280 px window shows at 400 % zoom, and a small phone.
    for path in PUBLIC_PAGES:
        url = path.format(lang=lang)
        small_phone.goto(live_server + url)
        width = small_phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width}px wide"
        small_phone.locator(".lang-switch summary").click()
        expect(small_phone.locator(".lang-switch nav")).to_be_visible()
        width = small_phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width}px wide with the language list open"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_admin_pages_have_no_axe_violations_in_both_languages(
    app, live_server, request, viewport, staff, make_request
):
    page = request.getfixturevalue(viewport)
    request_id = make_request(message="Bitte um Rückruf wegen einer Wohnung.")
    with app.app_context():
        # One e-mail in each state, so the conversation shows all of them.
        for state, attempts in (("queued", 0), ("queued", 2), ("sent", 1), ("failed", 14)):
            message = outbox.queue(
                "answer", "v@example.org", "Re: x", "Text", request_id=request_id
            )
            message.state, message.attempts, message.last_error = state, attempts, "Timeout"
            message.sent_at = message.created_at if state == "sent" else None
        db.session.commit()
    page.goto(f"{live_server}/admin/login")
    assert_no_violations(page)
    sign_in(page, live_server)
    urls = [
        "/admin/",
        "/admin/?status=new&q=R%C3%BCckruf",
        f"/admin/requests/{request_id}",
        f"/admin/requests/{request_id}/delete",
        f"/admin/requests/{request_id}/forget",
    ]
    check_staff_pages_in_both_languages(page, live_server, urls)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_pages_full_of_demo_data_have_no_axe_violations(
    app, live_server, request, viewport, demo_password
):
    """`make demo`: the staff list, a request with its whole story, and the overview."""
    page = request.getfixturevalue(viewport)
    with app.app_context():
        # The request with the most e-mails and notes: every panel of the page filled.
        item = max(
            db.session.scalars(select(ContactRequest)),
            key=lambda i: (len(i.messages) + len(i.notes), -i.id),
        )
        request_id = item.id
        assert item.notes and len(item.messages) >= 3
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-Mail-Adresse").fill("demo@example.org")
    page.get_by_label("Passwort").fill(demo_password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server}/admin/")
    assert page.locator("table.requests tbody tr").count() >= 20
    assert_no_violations(page)
    page.goto(f"{live_server}/admin/requests/{request_id}")
    assert page.locator("ol.notes li").count() >= 1
    assert_no_violations(page)
    for lang in ("de", "en"):
        page.goto(f"{live_server}/{lang}/")
        assert_no_violations(page)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_status_lookup_answers_have_no_axe_violations(live_server, phone, make_request, lang):
    make_request(reference="H-2026-000900", email="kim@example.org")
    for email in ("kim@example.org", "wrong@example.org", ""):
        phone.goto(f"{live_server}/{lang}/help/status?reference=H-2026-000900")
        phone.locator("#email").fill(email)
        phone.locator("form button[type=submit]").click()
        phone.wait_for_load_state()
        assert_no_violations(phone)


def test_the_console_check_catches_a_csp_violation(app, live_server, phone):
    # Proves the fixtures' console check works: an inline script must be refused.
    @app.get("/en/csp-probe")
    def csp_probe():
        return "<!doctype html><title>probe</title><script>document.title='ran'</script>"

    phone.goto(f"{live_server}/en/csp-probe")
    assert phone.title() == "probe"  # the script did not run
    problems = list(phone.console_problems)
    phone.console_problems.clear()  # expected here; every other test fails on one
    assert any("Content Security Policy" in p for p in problems), problems


@pytest.mark.parametrize("viewport", ["small_phone", "desktop"])
def test_overview_and_saved_replies_have_no_axe_violations(
    app, live_server, request, viewport, staff, make_request
):
    from webapp.helpdesk import saved_replies

    page = request.getfixturevalue(viewport)
    with app.app_context():
        reply_id = saved_replies.create("housing", "pl", "Mieszkanie", "Dzień dobry").id
        saved_replies.create("housing", "pl", "Dokumenty", "Prosimy o dokumenty.")
    request_id = make_request(topic="housing", language="pl")
    make_request(topic="job", status="answered")
    make_request(topic="barrier", is_spam=True)
    sign_in(page, live_server)
    urls = [
        "/admin/overview",
        "/admin/replies",
        "/admin/replies/new",
        f"/admin/replies/{reply_id}/edit",
        f"/admin/replies/{reply_id}/delete",
        f"/admin/requests/{request_id}",
        f"/admin/requests/{request_id}?reply={reply_id}",
    ]
    check_staff_pages_in_both_languages(page, live_server, urls)
    # The saved-reply form with its error summary (the staff language is English by now).
    page.goto(f"{live_server}/admin/replies/new")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.locator(".error-summary").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_no_violations(page)
