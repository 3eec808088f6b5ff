"""Staff hear about each new request by e-mail; a dead mail server loses nothing."""

import logging
import re
import socket
import time
from email import message_from_bytes
from email.header import decode_header
from email.header import make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContactRequest
from webapp.models import Initiative

HX = {"HX-Request": "true"}


class Collector:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; yields its handler with the received messages."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app_with_mail(app_factory, smtp):
    return app_factory(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_SUPPRESS_SEND=False,
        MAIL_DEFAULT_SENDER="website@wir.example",
        HELPDESK_EMAIL="hilfe@wir.example",
        PUBLIC_BASE_URL="https://wir.example/",
        MAIL_TIMEOUT=5,
    )


def send(client, lang: str = "en", **changes):
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {
        "name": "Ahmed Karimi",
        "email": "ahmed@example.org",
        "topic": "job",
        "message": "I am a welder and would like to work in Zwickau.",
        "consent": "y",
        "csrf_token": token,
    }
    data.update(changes)
    # buffered: the test client then closes the response, as a server does after sending it
    return client.post(f"/{lang}/help", data=data, headers=HX, buffered=True)


def only_request(app) -> ContactRequest:
    with app.app_context():
        [row] = db.session.scalars(select(ContactRequest)).all()
        db.session.expunge(row)
        return row


def wait_for(messages: list, count: int = 1) -> list:
    deadline = time.monotonic() + 5
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return messages


def test_new_request_sends_one_mail_to_the_helpdesk(app_with_mail, smtp):
    response = send(app_with_mail.test_client())
    assert response.status_code == 200
    row = only_request(app_with_mail)
    assert row.reference in response.get_data(as_text=True)

    [envelope] = wait_for(smtp.messages)
    assert envelope.rcpt_tos == ["hilfe@wir.example"]
    assert envelope.mail_from == "website@wir.example"
    mail = message_from_bytes(envelope.original_content)
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == f"Neue Hilfe-Anfrage {row.reference}: Arbeit finden"
    body = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert f"Vorgangsnummer: {row.reference}" in body
    assert "Thema: Arbeit finden" in body
    assert f"https://wir.example/admin/requests/{row.id}" in body
    # The mail carries no personal data; staff read it in the admin view.
    for secret in ("Ahmed", "ahmed@example.org", "welder"):
        assert secret not in body and secret not in subject
    assert row.notification == "sent"


def test_the_mail_names_the_visitors_language(app_with_mail, smtp):
    send(app_with_mail.test_client(), lang="ro", message="Caut un loc de muncă la Zwickau.")
    assert only_request(app_with_mail).language == "ro"
    [envelope] = wait_for(smtp.messages)
    mail = message_from_bytes(envelope.original_content)
    body = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert "Sprache der anfragenden Person: Română" in body  # staff read German


def test_request_about_an_initiative_goes_to_its_contact(app_with_mail, smtp):
    with app_with_mail.app_context():
        initiative = db.session.scalar(select(Initiative).where(Initiative.slug == "smarterz"))
        initiative.contact_email = "kontakt@smarterz.example"
        db.session.commit()
    send(app_with_mail.test_client(), topic="smarterz")
    [envelope] = wait_for(smtp.messages)
    assert envelope.rcpt_tos == ["kontakt@smarterz.example"]
    assert "SmartERZ" in message_from_bytes(envelope.original_content)["Subject"]
    assert only_request(app_with_mail).notification == "sent"


def test_initiative_without_contact_goes_to_the_helpdesk(app_with_mail, smtp):
    send(app_with_mail.test_client(), topic="recomine")
    [envelope] = wait_for(smtp.messages)
    assert envelope.rcpt_tos == ["hilfe@wir.example"]


def test_honeypot_sends_no_mail(app_with_mail, smtp):
    response = send(app_with_mail.test_client(), website="http://spam.example")
    assert response.status_code == 200
    time.sleep(0.2)
    assert smtp.messages == []


def test_dead_mail_server_still_stores_and_confirms_the_request(app_factory, caplog):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    caplog.set_level(logging.ERROR)
    started = time.monotonic()
    response = send(app.test_client())
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    row = only_request(app)
    assert row.reference in response.get_data(as_text=True)
    assert row.message == "I am a welder and would like to work in Zwickau."
    assert row.notification == "failed"
    assert f"notification for request {row.id} failed" in caplog.text


def test_without_a_mail_server_nothing_is_sent(app, client):
    assert send(client).status_code == 200
    assert only_request(app).notification is None
