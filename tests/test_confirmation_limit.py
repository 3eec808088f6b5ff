"""At most HELP_CONFIRMATIONS_PER_DAY confirmations a day per address: the sender withholds
the rest. Every request is stored and its confirmation queued; the help POST never reads
the outbox, the sender decides, and staff see which confirmation was not sent and why."""

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.database import statements_run
from tests.support.smtp import Collector
from tests.support.smtp import free_port
from tests.support.smtp import mail_settings
from tests.support.staff import StaffActions
from webapp.extensions import db
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

WITHHELD_DE = (
    "Nicht gesendet: Diese Adresse hatte die tägliche Höchstzahl an Bestätigungen erreicht"
)
WITHHELD_EN = "Not sent: this address had reached the daily limit of confirmations"


def post_help(client, email: str, lang: str = "en") -> None:
    token = csrf_from(client.get(f"/{lang}/help").get_data(as_text=True))
    data = {
        "name": "Mara Lenz",
        "email": email,
        "topic": "housing",
        "message": "Where can I find a flat in Aue?",
        "consent": "y",
        "csrf_token": token,
    }
    assert client.post(f"/{lang}/help", data=data).status_code == 303


def deliver(app) -> str:
    return app.test_cli_runner().invoke(args=["outbox", "send"]).output


def confirmation_rows(app) -> list[tuple[int, int, str]]:
    """(message id, request id, state) of every confirmation, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.request_id, OutboxMessage.state)
            .where(OutboxMessage.kind == Kind.CONFIRMATION)
            .order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]


def signed_in(app):
    """A client of `app` signed in as staff, through the sign-in form."""
    staff = StaffActions(app, app.test_client())
    staff.create()
    assert staff.login().status_code == 302
    return staff.client


def fourth_request(mail_app_factory, smtp):
    """Four requests from one address, delivered: the fourth confirmation withheld."""
    app = mail_app_factory(HELP_RATE_LIMIT="100 per minute")
    client = app.test_client()
    for _ in range(4):
        post_help(client, "mara@example.org")
    assert "Sent 7, failed 0" in deliver(app)
    *sent, (message_id, request_id, state) = confirmation_rows(app)
    assert [row[2] for row in sent] == [State.SENT] * 3 and state == State.WITHHELD
    return app, request_id, message_id


def test_every_confirmation_is_queued_and_the_post_reads_no_outbox(app, client):
    with statements_run(app) as statements:
        for _ in range(5):
            post_help(client, "mara@example.org")
    assert [row[2] for row in confirmation_rows(app)] == [State.QUEUED] * 5
    reads = [s.sql for s in statements if s.sql.lstrip().upper().startswith("SELECT")]
    assert reads and not any("outbox_message" in s for s in reads)


def test_the_sender_withholds_what_is_over_the_limit_case_blind(mail_app_factory, smtp):
    app = mail_app_factory(HELP_RATE_LIMIT="100 per minute", HELP_CONFIRMATIONS_PER_DAY=2)
    client = app.test_client()
    for address in (
        "Mara@example.org",
        "mara@EXAMPLE.org",
        "other@example.org",
        "mara@example.org",
    ):
        post_help(client, address)
    output = deliver(app)
    assert "Sent 7, failed 0" in output and "withheld 1" in output
    assert [row[2] for row in confirmation_rows(app)] == [
        State.SENT,
        State.SENT,
        State.SENT,
        State.WITHHELD,
    ]
    confirmations = [m for m in smtp.parsed() if "Your request" in m["Subject"]]
    assert sorted(m["To"].lower() for m in confirmations) == [
        "mara@example.org",
        "mara@example.org",
        "other@example.org",
    ]
    with app.app_context():  # every request is kept, and staff heard of each
        assert db.session.scalar(select(sa.func.count(ContactRequest.id))) == 4
        notices = select(sa.func.count()).where(OutboxMessage.kind == Kind.STAFF_NOTIFICATION)
        assert db.session.scalar(notices) == 4
    # A second pass changes nothing: withheld is final.
    assert "Sent 0, failed 0" in deliver(app) and len(smtp.messages) == 7


def test_failed_confirmations_count_and_a_retry_keeps_its_verdict(
    mail_app_factory, smtp, unused_port
):
    """While the mail server is down the fourth confirmation is withheld at once (the
    three before it count, sent or not); once it is back the three go out."""
    app = mail_app_factory(
        HELP_RATE_LIMIT="100 per minute", MAIL_PORT=unused_port, OUTBOX_RETRY_FIRST_SECONDS=0
    )
    client = app.test_client()
    for _ in range(4):
        post_help(client, "mara@example.org")
    assert "Sent 0, failed 7 (failed ones are retried later), withheld 1" in deliver(app)
    assert [row[2] for row in confirmation_rows(app)] == [State.QUEUED] * 3 + [State.WITHHELD]
    app.config["MAIL_PORT"] = smtp.port
    assert "Sent 7, failed 0" in deliver(app)
    assert [row[2] for row in confirmation_rows(app)] == [State.SENT] * 3 + [State.WITHHELD]


def test_staff_see_why_it_was_not_sent_and_cannot_send_it_again(mail_app_factory, smtp):
    app, request_id, message_id = fourth_request(mail_app_factory, smtp)
    staff = signed_in(app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    conversation = page[page.index('id="conversation"') : page.index('id="answer-form"')]
    assert WITHHELD_DE in conversation
    assert 'class="delivery delivery-withheld"' in conversation
    # The staff notice of the same request was sent and may be sent again; not this one.
    assert conversation.count("/resend") == 2  # one form: action and data-hx-post
    assert f"/messages/{message_id}/resend" not in conversation
    english = staff.post(
        "/admin/language",
        data={"lang": "en", "csrf_token": csrf_from(page), "next": "/admin/"},
    )
    assert english.status_code in (302, 303)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert WITHHELD_EN in page

    response = staff.post(
        f"/admin/requests/{request_id}/messages/{message_id}/resend",
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).state == State.WITHHELD
        try:
            outbox.send_again(db.session.get(OutboxMessage, message_id))
        except ValueError:
            pass
        else:
            raise AssertionError("send_again took a withheld message")
    assert "Sent 0, failed 0" in deliver(app) and len(smtp.messages) == 7


def test_an_answer_does_not_thread_onto_a_withheld_confirmation(mail_app_factory, smtp):
    app, request_id, _message_id = fourth_request(mail_app_factory, smtp)
    staff = signed_in(app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    response = staff.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "answer-csrf_token": csrf_from(page),
            "answer-subject": "Re: Your request",
            "answer-body": "There is a flat in Aue from May.",
            "answer-status": "answered",
        },
    )
    assert response.status_code == 303
    assert "Sent 1, failed 0" in deliver(app)
    answer = next(m for m in smtp.parsed() if "flat in Aue" in m.get_content())
    assert answer["To"] == "mara@example.org"
    assert answer["In-Reply-To"] is None and answer["References"] is None


@pytest.fixture
def utf8_smtp():
    """Like `smtp`, and it takes non-ASCII addresses (SMTPUTF8), as today's servers do."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


# Five spellings of one mailbox each: +tags, case, Unicode case and composition.
ONE_MAILBOX = {
    "plus tags": [f"victim+{number}@example.org" for number in range(5)],
    "tags and case": [
        "Victim@example.org",
        "victim+a@EXAMPLE.org",
        "VICTIM+b@example.org",
        "victim@example.org",
        "victim+c@example.org",
    ],
    "unicode": [
        "ÖZIL.Probe@example.org",
        "ÖZIL.Probe@example.org",
        "özil.probe@example.org",
        "O\u0308ZIL.PROBE+x@Example.org",
        "Özil.Probe@EXAMPLE.ORG",
    ],
}


@pytest.mark.parametrize("spellings", ONE_MAILBOX.values(), ids=ONE_MAILBOX.keys())
def test_the_limit_counts_mailboxes_not_spellings(app_factory, utf8_smtp, spellings):
    """Five requests to victim+0…4@example.org sent five confirmations into one inbox;
    on SQLite even one spelling with Ö repeated went through every time."""
    app = app_factory(**mail_settings(utf8_smtp.port), HELP_RATE_LIMIT="100 per minute")
    client = app.test_client()
    for address in spellings:
        post_help(client, address)
    output = deliver(app)
    assert "Sent 8, failed 0" in output and "withheld 2" in output
    assert [row[2] for row in confirmation_rows(app)] == ["sent"] * 3 + ["withheld"] * 2
    confirmations = [m for m in utf8_smtp.parsed() if "Your request" in m["Subject"]]
    assert [m["To"] for m in confirmations] == spellings[:3]  # each as the visitor typed it
