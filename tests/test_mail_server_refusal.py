"""A mail server that refuses the site itself is not a reason to fail a message.

The fault: a 530 to MAIL FROM (or a 421, or a failed login) marked every message of
that moment `failed` for good, even one that was only greylisted before. Here a real
aiosmtpd server refuses the sender with 530, then closes with 421, then rejects the
login; the messages wait, staff see that delivery is paused and why, and once the server
works they are all delivered, except the one whose recipient it refuses with 550.
"""

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.smtp import free_port
from tests.support.smtp import mail_settings
from webapp.extensions import db
from webapp.mail import outbox
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

PAUSED_DE = "Versand angehalten: Der Mailserver lehnt ab (%s)."
PAUSED_EN = "Delivery paused: the mail server refuses (%s)."


class MoodyServer:
    """An aiosmtpd handler whose answer the test chooses: `mood` is "greylist" (451 at
    DATA), "530" (at MAIL FROM), "421" (at DATA), "bad-login" (AUTH fails) or "ok".
    nobody@example.org is refused at RCPT with 550 whatever the mood."""

    def __init__(self) -> None:
        self.mood = "ok"
        self.messages = []

    def authenticate(self, _server, _session, _envelope, _mechanism, _data) -> AuthResult:
        return AuthResult(success=self.mood != "bad-login", handled=False)

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        if self.mood == "530":
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address == "nobody@example.org":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.mood == "greylist":
            return "451 4.7.1 Greylisted, try again later"
        if self.mood == "421":
            return "421 4.3.2 Service shutting down"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def moody():
    handler = MoodyServer()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=handler.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def states(app) -> dict[str, tuple[str, str | None]]:
    """recipient -> (state, last_error) of every message."""
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return {row.recipient: (row.state, row.last_error) for row in rows}


def send_once(app) -> str:
    return app.test_cli_runner().invoke(args=["outbox", "send"]).output


def test_refusals_of_the_site_pause_delivery_and_lose_nothing(
    app, client, staff, app_factory, moody
):
    sender = app_factory(
        **mail_settings(moody.port),
        MAIL_USERNAME="website",
        MAIL_PASSWORD="secret",
        # Every retry due at once, so each `outbox send` tries every message again.
        OUTBOX_RETRY_FIRST_SECONDS=0,
        OUTBOX_RETRY_MAX_SECONDS=0,
    )
    # A visitor's request: the staff notice and the confirmation, both only greylisted.
    form = client.get("/de/help").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(form),
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "topic": "housing",
        "message": "Ich suche eine Wohnung.",
        "consent": "y",
        "website": "",
    }
    assert client.post("/de/help", data=data).status_code == 303
    with app.app_context():
        request_id = db.session.scalar(select(ContactRequest.id))
    moody.mood = "greylist"
    assert "Sent 0, failed 2" in send_once(sender)

    staff.login()
    for mood, reply in [
        ("530", "530 5.7.0 Authentication required"),
        ("421", "421 4.3.2 Service shutting down"),
        ("bad-login", "535 5.7.8 Authentication credentials invalid"),
    ]:
        moody.mood = mood
        assert "Sent 0, failed 2" in send_once(sender)
        seen = states(sender)
        assert {state for state, _error in seen.values()} == {"queued"}, (mood, seen)
        assert seen["jana@example.org"][1] == "Server refused: " + reply
        overview = client.get("/admin/overview").get_data(as_text=True)
        assert PAUSED_DE % reply in overview
        page = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
        assert PAUSED_DE % reply in page
    staff.choose_language("en")
    assert PAUSED_EN % "535 5.7.8 Authentication credentials invalid" in client.get(
        "/admin/overview"
    ).get_data(as_text=True)

    with app.app_context():
        outbox.queue("answer", "nobody@example.org", "Re: x", "Text")
        db.session.commit()
    moody.mood = "ok"
    assert "Sent 2, failed 1" in send_once(sender)
    seen = states(sender)
    notice, _confirmation, _answer = seen  # the staff notice goes to HELPDESK_EMAIL
    assert seen[notice][0] == seen["jana@example.org"][0] == "sent"
    # A refusal of the recipient still fails that one message, at once.
    assert seen["nobody@example.org"] == (
        "failed",
        "SMTPRecipientsRefused: the server refused the recipient",
    )
    delivered = [envelope.rcpt_tos for envelope in moody.messages]
    assert len(delivered) == 2 and ["jana@example.org"] in delivered
    assert "Delivery paused" not in client.get("/admin/overview").get_data(as_text=True)


def test_a_server_without_starttls_is_the_server_too(app_factory, moody):
    # MAIL_USE_TLS and a server that offers no STARTTLS: no message can go, none is failed.
    sender = app_factory(**mail_settings(moody.port), MAIL_USE_TLS=True)  # no STARTTLS offered
    with sender.app_context():
        outbox.queue("answer", "jana@example.org", "Re: x", "Text")
        db.session.commit()
    assert "Sent 0, failed 1" in send_once(sender)
    [(state, error)] = states(sender).values()
    assert state == "queued"
    assert error.startswith("Server refused: ")
