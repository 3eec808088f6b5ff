"""The status lookup: reference and address give status and dates, nothing else."""

from datetime import UTC
from datetime import datetime

import pytest

from tests.support.csrf import CSRF_FIELD
from tests.support.csrf import csrf_from
from tests.support.database import statements_run
from webapp.extensions import db
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State

NOT_FOUND = {
    "en": "We could not find a request with this reference number and this e-mail address.",
    "de": "Wir haben keine Anfrage mit dieser Vorgangsnummer und dieser E-Mail-Adresse gefunden.",
}


def look_up(client, lang: str, reference: str, email: str):
    html = client.get(f"/{lang}/help/status").get_data(as_text=True)
    data = {"reference": reference, "email": email, "csrf_token": csrf_from(html)}
    return client.post(f"/{lang}/help/status", data=data)


@pytest.fixture
def known(make_request):
    return make_request(
        reference="H-2026-000123",
        email="Jana@Example.org",
        status="in_progress",
        message="My secret message about Annaberg",
    )


@pytest.mark.parametrize(("lang", "status"), [("en", "Being worked on"), ("de", "In Bearbeitung")])
def test_right_reference_and_address_show_status_and_dates_only(client, known, lang, status):
    response = look_up(client, lang, " h-2026-000123 ", "jana@example.ORG")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert status in html
    assert "H-2026-000123" in html
    assert "My secret message" not in html and "Person" not in html
    assert NOT_FOUND[lang] not in html


@pytest.mark.parametrize("lang", ["en", "de"])
def test_wrong_address_and_unknown_reference_get_the_same_answer(client, known, lang):
    wrong_address = look_up(client, lang, "H-2026-000123", "someone@example.org")
    unknown = look_up(client, lang, "H-2026-999999", "jana@example.org")
    assert wrong_address.status_code == unknown.status_code == 200
    strip = lambda html: CSRF_FIELD.sub("", html.replace("H-2026-999999", "H-2026-000123"))  # noqa: E731
    first = strip(wrong_address.get_data(as_text=True)).replace("someone@", "jana@")
    second = strip(unknown.get_data(as_text=True))
    assert NOT_FOUND[lang] in first
    assert first == second
    assert "In Bearbeitung" not in first and "Being worked on" not in first


def test_spam_looks_like_a_received_request(app, client, make_request):
    make_request(reference="H-2026-000777", email="x@example.org", is_spam=True, status="closed")
    html = look_up(client, "en", "H-2026-000777", "x@example.org").get_data(as_text=True)
    assert "Received, not yet read" in html


def test_empty_form_names_each_field(client):
    response = look_up(client, "en", "", "not-an-address")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#reference">Enter your reference number</a>' in html
    assert 'href="#email"' in html
    assert "<title>Error:" in html


def test_lookup_is_rate_limited_and_keeps_the_input(app_factory, known):
    client = app_factory(HELP_STATUS_RATE_LIMIT="2 per minute").test_client()
    for _ in range(2):
        assert look_up(client, "en", "H-2026-000123", "jana@example.org").status_code == 200
    response = look_up(client, "en", "H-2026-000123", "jana@example.org")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "too often" in html
    assert 'value="H-2026-000123"' in html


def test_lookup_without_csrf_token_asks_again(client, known):
    response = client.post("/en/help/status", data={"reference": "H-2026-000123"})
    assert response.status_code == 400
    assert "the page had expired" in response.get_data(as_text=True)


def test_reference_from_the_confirmation_link_is_filled_in(client):
    html = client.get("/de/help/status?reference=H-2026-000042").get_data(as_text=True)
    assert 'value="H-2026-000042"' in html
    assert "Stand Ihrer Anfrage abfragen" in html


def test_the_date_of_the_last_sent_answer_is_shown(app, client, known):
    with app.app_context():
        message = outbox.queue(Kind.ANSWER, "Jana@Example.org", "Re", "Text", request_id=known)
        queued_only = outbox.queue(Kind.ANSWER, "Jana@Example.org", "Re", "Text", request_id=known)
        message.state, message.sent_at = State.SENT, datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
        assert queued_only.sent_at is None
        db.session.commit()
    html = look_up(client, "en", "H-2026-000123", "jana@example.org").get_data(as_text=True)
    assert "Last answer sent on" in html and "4\u00a0March\u00a02026" in html
    assert "Text" not in html


def test_wrong_address_and_unknown_reference_do_the_same_work(app, client, known):
    """The same answer "in the same time": both run the very same queries (a timing
    measurement would be flaky; the queries are what could differ)."""

    def statements_for(reference: str, email: str) -> list[str]:
        with statements_run(app) as seen:
            assert look_up(client, "en", reference, email).status_code == 200
        return [statement.sql for statement in seen]

    wrong_address = statements_for("H-2026-000123", "someone@example.org")
    unknown = statements_for("H-2026-999999", "jana@example.org")
    right = statements_for("H-2026-000123", "jana@example.org")
    assert wrong_address == unknown == right


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Jürgen.Groß@example.org", "JU\u0308RGEN.GROSS@EXAMPLE.ORG"),  # ß, decomposed Ü
        ("O\u0308zil.Probe@example.org", "ÖZIL.PROBE@example.org"),  # stored decomposed
    ],
)
def test_any_spelling_of_the_address_finds_the_request(client, make_request, stored, typed):
    make_request(reference="H-2026-000321", email=stored)
    assert "Received, not yet read" in look_up(client, "en", "H-2026-000321", typed).get_data(
        as_text=True
    )
    # Another +tag is another address: the lookup stays exact.
    other = look_up(client, "en", "H-2026-000321", typed.replace("@", "+x@"))
    assert NOT_FOUND["en"] in other.get_data(as_text=True)
