"""Staff hear about each new request by e-mail, through the outbox; nothing is lost."""

from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.database import statements_run
from webapp.extensions import db
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import Initiative
from webapp.models import OutboxMessage

HX = {"HX-Request": "true"}


def send(client, lang: str = "en", **changes):
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    token = csrf_from(html)
    data = {
        "name": "Ahmed Karimi",
        "email": "ahmed@example.org",
        "topic": "job",
        "message": "I am a welder and would like to work in Zwickau.",
        "consent": "y",
        "csrf_token": token,
    }
    data.update(changes)
    return client.post(f"/{lang}/help", data=data, headers=HX)


def only_request(app) -> ContactRequest:
    with app.app_context():
        [row] = db.session.scalars(select(ContactRequest)).all()
        db.session.expunge(row)
        return row


def outbox_rows(app, kind: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            stmt = stmt.where(OutboxMessage.kind == kind)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def text_of(mail) -> str:
    """A delivered mail's text with the line breaks as stored."""
    return mail.get_content().replace("\r\n", "\n").rstrip("\n")


def staff_mails(smtp) -> list:
    return [m for m in smtp.parsed() if m["To"] != "ahmed@example.org"]


def test_new_request_queues_the_staff_mail_and_the_sender_delivers_it(app_with_mail, smtp):
    response = send(app_with_mail.test_client())
    assert response.status_code == 200
    row = only_request(app_with_mail)
    assert row.reference in response.get_data(as_text=True)
    # Nothing was sent by the request itself: the mail waits in the outbox.
    assert smtp.messages == []
    [queued] = outbox_rows(app_with_mail, Kind.STAFF_NOTIFICATION)
    assert queued.state == State.QUEUED and queued.request_id == row.id

    result = app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 2, failed 0" in result.output

    [mail] = staff_mails(smtp)
    envelope = next(e for e in smtp.messages if e.rcpt_tos == ["hilfe@wir.example"])
    assert envelope.mail_from == "website@wir.example"
    assert mail["Subject"] == f"Neue Hilfe-Anfrage {row.reference}: Arbeit finden"
    assert mail["Message-ID"] == queued.message_id
    body = mail.get_content()
    assert f"Vorgangsnummer: {row.reference}" in body
    assert "Thema: Arbeit finden" in body
    assert f"https://wir.example/admin/requests/{row.id}" in body
    # The mail carries no personal data; staff read it in the admin view.
    for secret in ("Ahmed", "ahmed@example.org", "welder"):
        assert secret not in body and secret not in mail["Subject"]
    [done] = outbox_rows(app_with_mail, Kind.STAFF_NOTIFICATION)
    assert done.state == State.SENT and done.sent_at is not None and done.attempts == 1


def test_the_mail_names_the_visitors_language(app_with_mail, smtp):
    send(app_with_mail.test_client(), lang="ro", message="Caut un loc de muncă la Zwickau.")
    assert only_request(app_with_mail).language == "ro"
    app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    [mail] = staff_mails(smtp)
    assert "Sprache der anfragenden Person: Română" in mail.get_content()  # staff read German


def test_request_about_an_initiative_goes_to_its_contact(app_with_mail, smtp):
    with app_with_mail.app_context():
        initiative = db.session.scalar(select(Initiative).where(Initiative.slug == "smarterz"))
        initiative.contact_email = "kontakt@smarterz.example"
        db.session.commit()
    send(app_with_mail.test_client(), topic="smarterz")
    app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    [mail] = staff_mails(smtp)
    assert mail["To"] == "kontakt@smarterz.example"
    assert "SmartERZ" in mail["Subject"]


def test_initiative_without_contact_goes_to_the_helpdesk(app_with_mail, smtp):
    send(app_with_mail.test_client(), topic="recomine")
    app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    [mail] = staff_mails(smtp)
    assert mail["To"] == "hilfe@wir.example"


def test_honeypot_queues_no_mail(app_with_mail, smtp):
    response = send(app_with_mail.test_client(), website="http://spam.example")
    assert response.status_code == 200
    assert outbox_rows(app_with_mail) == []


def test_dead_mail_server_keeps_the_mail_queued_for_a_retry(app_factory, unused_port):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=unused_port, MAIL_TIMEOUT=2)
    response = send(app.test_client())
    assert response.status_code == 200
    row = only_request(app)
    assert row.reference in response.get_data(as_text=True)
    assert row.message == "I am a welder and would like to work in Zwickau."

    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 0, failed 2" in result.output
    for message in outbox_rows(app):
        assert message.state == State.QUEUED
        assert message.attempts == 1
        assert message.last_error.startswith("ConnectionRefusedError")
        assert "ahmed@example.org" not in message.last_error
        assert message.next_attempt_at > message.created_at
        assert message.claimed_by is None


def test_without_a_mail_server_messages_stay_queued(app, client):
    assert send(client).status_code == 200
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "MAIL_SERVER is not set" in result.output
    assert {m.state for m in outbox_rows(app)} == {State.QUEUED}


def test_under_the_write_lock_the_help_post_only_writes(app, client, staff):
    """The request's INSERT holds SQLite's write lock until the commit, and every other
    help POST waits for it. Under the lock only writes run, and nothing reads the outbox
    (the daily limit on confirmations is the sender's). The e-mails are queued without
    their text (the sender writes it); the request page shows it all the same."""
    with statements_run(app, commits=True) as run:
        assert send(client, topic="recomine").status_code == 200
    statements = [statement.sql.split(None, 1)[0].upper() for statement in run]
    first_write = statements.index("INSERT")
    locked = statements[first_write : statements.index("COMMIT", first_write)]
    # the request; its reference (made of the id); the staff notice and the confirmation
    # in one executemany
    assert sorted(locked) == ["INSERT", "INSERT", "UPDATE"]
    row = only_request(app)
    queued = outbox_rows(app)
    assert [(m.kind, m.recipient, m.request_id) for m in queued] == [
        (Kind.STAFF_NOTIFICATION, "hilfe@localhost", row.id),
        (Kind.CONFIRMATION, "ahmed@example.org", row.id),
    ]
    assert all(m.subject is None and m.body is None for m in queued)
    assert len({m.message_id for m in queued}) == 2  # fixed now, for every try
    staff.login()
    page = staff.client.get(f"/admin/requests/{row.id}").get_data(as_text=True)
    assert f"Neue Hilfe-Anfrage {row.reference}" in page
    assert f"/admin/requests/{row.id}\n" in page


def test_the_sender_writes_each_request_s_own_text_once(app_with_mail, smtp):
    """Each request's e-mails name its own reference, link and address; the text is
    stored at the first try and is what the mail server got."""
    client = app_with_mail.test_client()
    send(client, topic="recomine", email="first@example.org")
    send(client, topic="recomine", email="second@example.org")
    result = app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 4, failed 0" in result.output
    with app_with_mail.app_context():
        rows = db.session.scalars(select(ContactRequest).order_by(ContactRequest.id)).all()
        expected = {row.id: (row.reference, row.email) for row in rows}
    assert len(expected) == 2
    mails = {m["Message-ID"]: m for m in smtp.parsed()}
    for message in outbox_rows(app_with_mail):
        reference, email = expected[message.request_id]
        other = next(ref for ref, _email in expected.values() if ref != reference)
        assert reference in message.subject and reference in message.body
        assert other not in message.subject + message.body
        if message.kind == Kind.CONFIRMATION:
            assert message.recipient == email
        else:
            assert f"/admin/requests/{message.request_id}\n" in message.body
        mail = mails[message.message_id]
        assert mail["Subject"] == message.subject
        assert text_of(mail) == message.body.rstrip("\n")


def test_a_retry_sends_the_text_of_the_first_try(mail_app_factory, smtp, unused_port):
    """The text is written before the first try and kept: a retry sends it unchanged
    even when what it was written from has changed meanwhile."""
    app = mail_app_factory(MAIL_PORT=unused_port, OUTBOX_RETRY_FIRST_SECONDS=0)
    send(app.test_client())
    assert "Sent 0, failed 2" in app.test_cli_runner().invoke(args=["outbox", "send"]).output
    first = {m.message_id: (m.subject, m.body) for m in outbox_rows(app)}
    assert all("https://wir.example/" in body for _subject, body in first.values())
    # Rewritten now, both texts would differ: other links, another promise.
    app.config.update(PUBLIC_BASE_URL="https://elsewhere.example/", HELP_REPLY_DAYS=9)
    app.config["MAIL_PORT"] = smtp.port
    assert "Sent 2, failed 0" in app.test_cli_runner().invoke(args=["outbox", "send"]).output
    mails = smtp.parsed()
    assert len(mails) == 2
    for mail in mails:
        subject, body = first[mail["Message-ID"]]
        assert mail["Subject"] == subject
        assert text_of(mail) == body.rstrip("\n")
        assert "elsewhere.example" not in mail.as_string()


def test_a_text_that_cannot_be_written_is_a_failed_try(app_with_mail, smtp, monkeypatch):
    """A writer that breaks costs one try, like a mail server that is away: retried
    later, shown to staff, the other mail still goes out."""

    def broken(_item):
        raise RuntimeError("no text today")

    monkeypatch.setitem(outbox._WRITERS, Kind.CONFIRMATION, broken)
    send(app_with_mail.test_client())
    result = app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 1, failed 1" in result.output
    [confirmation] = outbox_rows(app_with_mail, Kind.CONFIRMATION)
    assert (confirmation.state, confirmation.attempts) == (State.QUEUED, 1)
    assert confirmation.last_error == "RuntimeError: no text today"
    assert confirmation.body is None and confirmation.claimed_by is None
    assert [m["To"] for m in smtp.parsed()] == ["hilfe@wir.example"]
