"""The help form: showing it, sending it with and without htmx, and every way it can fail."""

import re
import sqlite3
import time
from datetime import UTC
from datetime import datetime

import pytest
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.models import ContactRequest
from webapp.models import Initiative
from webapp.models import OutboxMessage

HX = {"HX-Request": "true"}
REFERENCE = re.compile(r"H-\d{4}-\d{6}")


def csrf_token(client, lang: str = "de") -> str:
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    return csrf_from(html)


def answers(**changes) -> dict:
    data = {
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "organisation": "",
        "phone": "+49 371 123456",
        "topic": "housing",
        "message": "Ich suche eine Wohnung in Chemnitz für meine Familie.",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored(app) -> list[ContactRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(ContactRequest).order_by(ContactRequest.id)))
        db.session.expunge_all()
        return rows


def post(client, lang: str = "de", headers: dict | None = None, **changes):
    data = answers(**changes)
    data["csrf_token"] = csrf_token(client, lang)
    return client.post(f"/{lang}/help", data=data, headers=headers or {})


# --- Showing the form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "label"),
    [
        ("de", "Können wir helfen?", "Ihr Name"),
        ("en", "Can we help you?", "Your name"),
    ],
)
def test_form_is_shown_in_both_languages(client, lang, heading, label):
    response = client.get(f"/{lang}/help")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert heading in html
    assert f'<label for="name">{label}</label>' in html
    assert 'name="csrf_token"' in html
    assert "novalidate" in html
    assert f'href="/{lang}/privacy"' in html
    assert 'id="help-box-title"' not in html  # no "Can we help you?" box on its own page
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_topic_of_an_initiative_is_preselected(client):
    html = client.get("/de/help?topic=recomine").get_data(as_text=True)
    assert '<option selected value="recomine">rECOmine</option>' in html
    assert html.count("selected") == 1


def test_unknown_topic_preselects_nothing(client):
    html = client.get("/de/help?topic=%3Cscript%3E").get_data(as_text=True)
    assert "selected" not in html
    assert "<script>" not in html.split("</head>")[1]


def test_honeypot_is_hidden_from_people(client):
    html = client.get("/en/help").get_data(as_text=True)
    box = re.search(r'<div class="honeypot" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'name="website"' in box
    assert 'tabindex="-1"' in box
    assert 'autocomplete="off"' in box


# --- Sending a valid request ------------------------------------------------------------


def test_without_javascript_a_request_is_stored_and_confirmed_after_a_redirect(app, client):
    response = post(client, topic="recomine", organisation="Stadtwerke")
    assert response.status_code == 303
    assert response.headers["Location"] == "/de/help/sent"

    [row] = stored(app)
    assert row.reference == f"H-{row.created_at.year}-{row.id:06d}"
    assert (row.name, row.email, row.organisation, row.phone) == (
        "Jana Nováková",
        "jana@example.org",
        "Stadtwerke",
        "+49 371 123456",
    )
    assert row.topic == "recomine"
    assert row.initiative_id is not None
    assert row.language == "de"
    assert row.status == "new"
    assert row.is_spam is False
    with app.app_context():
        # Both e-mails wait in the outbox (no MAIL_SERVER here), whatever the mail server does.
        kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds == ["staff_notification", "confirmation"]
    assert abs((datetime.now(UTC) - row.consent_at.replace(tzinfo=UTC)).total_seconds()) < 60

    page = client.get("/de/help/sent")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert row.reference in html
    assert "<h1" in html and "Ihre Anfrage wurde gesendet" in html
    assert "Jana" not in html and "jana@example.org" not in html  # no personal data


def test_with_htmx_the_confirmation_replaces_the_form(app, client):
    response = post(client, lang="en", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html
    assert html.startswith("<title>Request sent")
    assert 'id="help-form"' in html
    [row] = stored(app)
    assert row.language == "en"
    assert row.topic == "housing" and row.initiative_id is None
    assert row.organisation is None
    assert f'<strong class="reference">{row.reference}</strong>' in html
    assert "data-swap-focus" in html and f"reference number is {row.reference}" in html


def test_confirmation_page_needs_your_own_submission(app, client):
    post(client)
    reference = stored(app)[0].reference
    stranger = app.test_client()
    response = stranger.get("/de/help/sent")
    assert response.status_code == 302
    assert response.headers["Location"] == "/de/help"
    assert reference not in stranger.get("/de/help").get_data(as_text=True)


# --- Invalid input -----------------------------------------------------------------------

INVALID = [
    ("name", {"name": "  "}, "Enter your name"),
    ("name", {"name": "x" * 201}, "Your name must be 200 characters or fewer"),
    ("name", {"name": "Jana\nBcc: all@example.org"}, "Enter your name on one line"),
    ("name", {"name": "Jana\u2028Nováková"}, "Enter your name on one line"),
    ("email", {"email": ""}, "Enter your e-mail address"),
    ("email", {"email": "jana.example.org"}, "Enter an e-mail address in the correct format"),
    ("email", {"email": "jana@localhost"}, "Enter an e-mail address in the correct format"),
    ("phone", {"phone": "call me maybe"}, "Enter a phone number using only digits"),
    ("organisation", {"organisation": "o" * 201}, "The organisation must be 200 characters"),
    ("organisation", {"organisation": "Verein\r\nX"}, "Enter the organisation on one line"),
    ("topic", {"topic": ""}, "Choose what your question is about"),
    ("topic", {"topic": "no-such-topic"}, "Choose what your question is about"),
    ("message", {"message": "Hilfe!"}, "Your message must be at least 10 characters"),
    ("message", {"message": "a" * 5001}, "Your message must be 5,000 characters or fewer"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("field", "changes", "message"), INVALID)
def test_invalid_input_shows_errors_and_keeps_the_answers(
    app, client, htmx, field, changes, message
):
    response = post(client, lang="en", headers=HX if htmx else None, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in html) is not htmx
    assert "<title>Error: Get help" in html
    summary = re.search(r'<div class="error-summary".*?</div>\s*</div>', html, re.S).group(0)
    assert f'<a href="#{field}">{message}' in summary
    assert "data-swap-focus" in summary
    assert f'id="{field}-error"' in html
    assert re.search(rf'<(input|select|textarea)[^>]*aria-describedby="[^"]*{field}-error"', html)
    assert re.search(rf'<(input|select|textarea)[^>]*aria-invalid="true"[^>]*id="{field}"', html)
    # Everything else the visitor typed is still there.
    if field != "name":
        assert 'value="Jana Nováková"' in html
    if field != "message":
        assert "Ich suche eine Wohnung in Chemnitz für meine Familie.</textarea>" in html
    assert stored(app) == []


def test_without_initiatives_an_unknown_topic_is_refused(app, client):
    """With no initiatives loaded, any posted topic used to be accepted (and reached the
    subject of the staff e-mail)."""
    with app.app_context():
        for initiative in db.session.scalars(select(Initiative)):
            db.session.delete(initiative)
        db.session.commit()
    response = post(client, lang="en", topic="Urgent: call +49 000 now")
    assert response.status_code == 422
    assert "Choose what your question is about" in response.get_data(as_text=True)
    assert stored(app) == []
    assert post(client, lang="en", topic="job").status_code == 303  # fixed topics still work


def test_errors_are_in_german_on_the_german_form(client):
    html = post(client, lang="de", headers=HX, name="", message="kurz").get_data(as_text=True)
    assert "<title>Fehler: Hilfe" in html
    assert "Es gibt ein Problem" in html
    assert "Geben Sie Ihren Namen ein" in html
    assert "Ihre Nachricht muss mindestens 10 Zeichen lang sein" in html


def test_after_an_error_the_corrected_request_is_stored(app, client):
    assert post(client, headers=HX, email="jana(at)example.org").status_code == 422
    response = post(client, headers=HX)
    assert response.status_code == 200
    assert [row.email for row in stored(app)] == ["jana@example.org"]


# --- Markup in the input ------------------------------------------------------------------


def test_markup_is_stored_verbatim_and_shown_escaped(app, client):
    script = '<script>alert("hi")</script> Bitte rufen Sie mich an & schreiben Sie.'
    response = post(client, headers=HX, name="<b>Jana</b>", message=script, phone="ring me")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>" not in html and "<b>Jana" not in html
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in html
    assert 'value="&lt;b&gt;Jana&lt;/b&gt;"' in html

    assert post(client, name="<b>Jana</b>", message=script).status_code == 303
    [row] = stored(app)
    assert row.message == script
    assert row.name == "<b>Jana</b>"
    assert "<script>" not in client.get("/de/help/sent").get_data(as_text=True)


# --- Honeypot --------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_filled_honeypot_looks_sent_and_is_kept_apart_as_spam(app, client, htmx):
    response = post(client, headers=HX if htmx else None, website="https://spam.example")
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
    else:
        assert response.status_code == 303
        html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert REFERENCE.search(html)
    assert "Ihre Anfrage wurde gesendet" in html
    [row] = stored(app)
    assert (row.is_spam, row.status) == (True, "closed")  # hidden from the list, purged in time


def test_bot_cannot_tell_its_reference_from_a_real_one(app, client):
    """Decoy references were random while real ones count up: a bot sending twice, with a
    real visitor in between, could tell. Now every reference comes from one sequence."""
    references = []
    for honeypot in ("https://spam.example", "", "https://spam.example"):
        response = post(client, headers=HX, website=honeypot)
        references.append(REFERENCE.search(response.get_data(as_text=True)).group(0))
    year = datetime.now(UTC).year
    assert references == [f"H-{year}-{number:06d}" for number in (1, 2, 3)]
    assert [row.is_spam for row in stored(app)] == [True, False, True]


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_missing_csrf_token_asks_to_send_again_with_the_input_kept(app, client, htmx):
    client.get("/de/help")
    response = client.post("/de/help", data=answers(), headers=HX if htmx else {})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("<html" in html) is not htmx
    assert "Ihre Anfrage wurde noch nicht gesendet" in html
    assert "senden Sie das Formular erneut" in html
    assert 'value="Jana Nováková"' in html
    assert "Ich suche eine Wohnung in Chemnitz für meine Familie.</textarea>" in html
    assert stored(app) == []

    # The fresh token in that answer lets the visitor send again.
    token = csrf_from(html)
    again = client.post("/de/help", data={**answers(), "csrf_token": token})
    assert again.status_code == 303
    assert len(stored(app)) == 1


def test_expired_csrf_token_asks_to_send_again(app, client):
    client.get("/en/help")
    with client.session_transaction("/admin/") as session:
        raw = session["csrf_token"]

    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 7200

    old = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=TwoHoursAgo)
    response = client.post("/en/help", data={**answers(), "csrf_token": old.dumps(raw)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the form had expired" in html
    assert 'value="jana@example.org"' in html
    assert stored(app) == []


# --- Rate limit --------------------------------------------------------------------------------


@pytest.fixture
def strict_app(app_factory):
    return app_factory(HELP_RATE_LIMIT="2 per minute")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_too_many_requests_get_429_with_the_input_kept(strict_app, htmx):
    client = strict_app.test_client()
    headers = HX if htmx else None
    assert post(client, headers=headers).status_code in (200, 303)
    assert post(client, headers=headers).status_code in (200, 303)
    response = post(client, headers=headers, name="Dritte Person")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert ("<html" in html) is not htmx
    assert "zu oft gesendet" in html
    assert 'value="Dritte Person"' in html
    assert [row.name for row in stored(strict_app)] == ["Jana Nováková", "Jana Nováková"]
    assert client.get("/de/help").status_code == 200  # reading the form is never limited


# --- Database failure ----------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_database_refusing_the_insert_gives_503_and_keeps_the_input(app, client, db_path, htmx):
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON contact_request "
            "BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
        )
    connection.close()

    response = post(client, lang="en", headers=HX if htmx else None)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your request has not been sent" in html
    assert "technical problem" in html
    assert "H-20" not in html
    assert 'value="Jana Nováková"' in html
    assert "Ich suche eine Wohnung in Chemnitz für meine Familie.</textarea>" in html
    assert stored(app) == []


def test_unreachable_database_still_shows_the_form_and_answers_503(app_factory, tmp_path):
    missing = tmp_path / "no-such-directory" / "site.db"
    app = app_factory(f"sqlite:///{missing}")
    client = app.test_client()
    page = client.get("/en/help?topic=recomine")
    assert page.status_code == 200
    assert '<option value="housing">Housing</option>' in page.get_data(as_text=True)
    response = post(client, lang="en", headers=HX, topic="recomine")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your request has not been sent" in html
    assert '<option selected value="recomine">' in html
