"""The visitor's confirmation: their language, the promise, and nothing they typed."""

import re

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

TYPED = {
    "name": "Zoë Unterberger-Quaas",
    "email": "zoe@example.org",
    "organisation": "Quaas Metallbau GmbH",
    "phone": "+49 371 998877",
    "topic": "housing",
    "message": "Please visit https://spam.example and call me about flats in Chemnitz.",
    "consent": "y",
}


def post_help(client, lang: str, **changes):
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    token = csrf_from(html)
    return client.post(f"/{lang}/help", data={**TYPED, **changes, "csrf_token": token})


def deliver(app) -> None:
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "failed 0" in result.output, result.output


def confirmations(smtp, address: str = "zoe@example.org") -> list:
    return [m for m in smtp.parsed() if m["To"] == address]


@pytest.mark.parametrize(
    ("lang", "subject", "lines"),
    [
        (
            "de",
            "Ihre Anfrage {reference} ist bei uns eingegangen",
            ["Thema: Wohnen", "Wir antworten innerhalb von 3 Arbeitstagen.", "Eingegangen am: "],
        ),
        (
            "en",
            "Your request {reference} has been received",
            ["Topic: Housing", "We answer within 3 working days.", "Received on: "],
        ),
    ],
)
def test_confirmation_in_the_visitors_language_without_their_text(
    app_with_mail, smtp, lang, subject, lines
):
    response = post_help(app_with_mail.test_client(), lang)
    assert response.status_code == 303
    deliver(app_with_mail)
    with app_with_mail.app_context():
        reference = db.session.scalar(select(ContactRequest.reference))
    [mail] = confirmations(smtp)
    assert mail["Subject"] == subject.format(reference=reference)
    assert mail["Reply-To"] == "hilfe@wir.example"
    body = mail.get_content()
    assert reference in body
    for line in lines:
        assert line in body
    assert f"https://wir.example/{lang}/help/status?reference={reference}" in body
    # Nothing the visitor typed comes back: the form cannot carry text to a stranger.
    whole = mail.as_string()
    for typed in ("Zoë", "Unterberger", "Quaas", "998877", "spam.example", "flats", "Chemnitz"):
        assert typed not in body and typed not in whole, typed


def test_reply_days_come_from_the_setting_in_singular_too(mail_app_factory, smtp):
    app = mail_app_factory(HELP_REPLY_DAYS=1)
    post_help(app.test_client(), "en")
    deliver(app)
    [mail] = confirmations(smtp)
    assert "We answer within 1 working day." in mail.get_content()


def test_an_address_gets_at_most_three_confirmations_a_day(mail_app_factory, smtp):
    app = mail_app_factory(HELP_RATE_LIMIT="100 per minute")
    client = app.test_client()
    for _ in range(5):
        assert post_help(client, "en", email="Victim@Example.org").status_code == 303
    post_help(client, "en", email="someone.else@example.org")
    deliver(app)
    with app.app_context():
        stored = db.session.scalar(select(db.func.count(ContactRequest.id)))
        rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.state)).all()
    assert stored == 6  # every request is kept; only the confirmations stop
    assert [kind for kind, _state in rows].count(Kind.STAFF_NOTIFICATION) == 6
    # The sender withholds the two over the limit (tests/test_confirmation_limit.py).
    assert [state for kind, state in rows if kind == Kind.CONFIRMATION].count(State.WITHHELD) == 2
    assert len(confirmations(smtp, "Victim@Example.org")) == 3
    assert len(confirmations(smtp, "someone.else@example.org")) == 1


def test_confirmation_page_promises_the_reply_and_links_to_the_status_lookup(client):
    response = post_help(client, "en")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We answer within 3 working days." in html
    reference = re.search(r'class="reference">([^<]+)<', html).group(1)
    assert f'href="/en/help/status?reference={reference}"' in html
