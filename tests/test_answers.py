"""Staff answer from the request page; the answer threads onto the visitor's confirmation."""

import re

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

HX = {"HX-Request": "true"}


def token_of(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def post_help(client, lang: str) -> None:
    data = {
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "topic": "childcare",
        "message": "Is there a Kita place in Annaberg for my daughter?",
        "consent": "y",
        "csrf_token": token_of(client, f"/{lang}/help"),
    }
    assert client.post(f"/{lang}/help", data=data).status_code == 303


def signed_in_client(app):
    with app.app_context():
        accounts.create("staff@example.org", "correct horse battery")
    client = app.test_client()
    data = {
        "email": "staff@example.org",
        "password": "correct horse battery",
        "csrf_token": token_of(client, "/admin/login"),
    }
    assert client.post("/admin/login", data=data).status_code == 302
    return client


def deliver(app) -> str:
    return app.test_cli_runner().invoke(args=["outbox", "send"]).output


def the_request(app) -> ContactRequest:
    with app.app_context():
        item = db.session.scalar(select(ContactRequest))
        db.session.expunge(item)
        return item


def visitor_mails(smtp) -> list:
    return [m for m in smtp.parsed() if m["To"] == "jana@example.org"]


@pytest.mark.parametrize(
    ("lang", "prefix"), [("de", "Re: Ihre Anfrage"), ("en", "Re: Your request")]
)
def test_staff_answer_arrives_with_the_reference_and_threads_onto_the_confirmation(
    mail_app_factory, smtp, lang, prefix
):
    app = mail_app_factory()
    post_help(app.test_client(), lang)
    deliver(app)
    item = the_request(app)
    staff = signed_in_client(app)
    page = staff.get(f"/admin/requests/{item.id}").get_data(as_text=True)
    # The subject is prefilled in the visitor's language, with the reference.
    subject = re.search(
        r'id="answer-subject" name="answer-subject" required type="text" value="([^"]+)"', page
    )
    assert subject and subject.group(1).startswith(prefix) and item.reference in subject.group(1)

    response = staff.post(
        f"/admin/requests/{item.id}/answer",
        data={
            "answer-csrf_token": csrf_from(page),
            "answer-subject": subject.group(1),
            "answer-body": "Dear Ms Nováková,\n\nthe Kita Sonnenschein has a place from March.",
            "answer-status": "answered",
        },
    )
    assert response.status_code == 303
    assert "Sent 1, failed 0" in deliver(app)

    confirmation, answer = visitor_mails(smtp)
    assert item.reference in answer["Subject"] and answer["Subject"].startswith(prefix)
    assert answer["In-Reply-To"] == confirmation["Message-ID"]
    assert answer["References"] == confirmation["Message-ID"]
    assert answer["Reply-To"] == "hilfe@wir.example"
    assert "Kita Sonnenschein has a place" in answer.get_content()

    # The request page shows the conversation above the notes, with who sent what and when.
    page = staff.get(f"/admin/requests/{item.id}").get_data(as_text=True)
    assert page.index('id="conversation"') < page.index('id="notes"')
    conversation = page[page.index('id="conversation"') : page.index('id="notes"')]
    assert "Kita Sonnenschein has a place" in conversation
    assert "staff@example.org" in conversation
    assert conversation.count("Sent on") + conversation.count("Gesendet am") == 3
    with app.app_context():
        assert db.session.get(ContactRequest, item.id).status == "answered"
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["answered", "status"]


def test_a_second_answer_carries_the_whole_thread(mail_app_factory, smtp):
    app = mail_app_factory()
    post_help(app.test_client(), "en")
    item = the_request(app)
    staff = signed_in_client(app)
    for number in (1, 2):
        staff.post(
            f"/admin/requests/{item.id}/answer",
            data={
                "answer-csrf_token": token_of(staff, f"/admin/requests/{item.id}"),
                "answer-subject": f"Re: Your request {item.reference}",
                "answer-body": f"Answer number {number}",
                "answer-status": "in_progress",
            },
        )
    deliver(app)
    confirmation, first, second = visitor_mails(smtp)
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"].split() == [confirmation["Message-ID"], first["Message-ID"]]
    with app.app_context():
        # Staff chose another status than "answered": it is kept.
        assert db.session.get(ContactRequest, item.id).status == "in_progress"


def test_answer_with_htmx_and_errors_keeps_the_text(app, client, staff, make_request):
    staff.login()
    request_id = make_request(language="en", email="visitor@example.org")
    token = staff.token(f"/admin/requests/{request_id}")
    response = client.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "answer-csrf_token": token,
            "answer-subject": "",
            "answer-body": "Half a thought",
            "answer-status": "answered",
        },
        headers=HX,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#answer-subject"' in html and "Geben Sie einen Betreff ein" in html
    assert "Half a thought" in html
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None

    response = client.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "answer-csrf_token": token,
            "answer-subject": "Re: x\r\nBcc: evil@example.org",
            "answer-body": "Hi",
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="conversation"' in html and 'data-hx-swap-oob="true"' in html
    assert "Ihre Antwort ist auf dem Weg" in html
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
    # A line break in the subject cannot add a header.
    assert message.subject == "Re: x Bcc: evil@example.org"


def test_failed_message_shows_why_and_can_be_sent_again(app, client, staff, make_request):
    staff.login()
    request_id = make_request(language="en", email="visitor@example.org")
    with app.app_context():
        message = outbox.queue(
            Kind.ANSWER, "visitor@example.org", "Re: x", "Hi", request_id=request_id
        )
        message.state = State.FAILED
        message.attempts = 14
        message.last_error = "SMTPDataError: 554 rejected"
        db.session.commit()
        message_id = message.id
    page = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Nach 14 Versuchen fehlgeschlagen: SMTPDataError: 554 rejected" in page
    response = client.post(
        f"/admin/requests/{request_id}/messages/{message_id}/resend",
        data={"csrf_token": staff.token(f"/admin/requests/{request_id}")},
    )
    assert response.status_code == 303
    with app.app_context():
        again = db.session.get(OutboxMessage, message_id)
        assert (again.state, again.attempts, again.last_error) == (State.QUEUED, 0, None)
        assert db.session.scalar(select(AuditEntry.action)) == "resent"
    assert "Wartet auf Versand" in client.get(f"/admin/requests/{request_id}").get_data(
        as_text=True
    )


def test_resend_without_csrf_changes_nothing(app, client, staff, make_request):
    staff.login()
    request_id = make_request()
    with app.app_context():
        message = outbox.queue(Kind.ANSWER, "v@example.org", "Re: x", "Hi", request_id=request_id)
        message.state = State.FAILED
        db.session.commit()
        message_id = message.id
    response = client.post(f"/admin/requests/{request_id}/messages/{message_id}/resend")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).state == State.FAILED


def test_answer_with_an_expired_token_keeps_the_text(app, client, staff, make_request):
    staff.login()
    request_id = make_request(language="en")
    response = client.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "answer-csrf_token": "expired",
            "answer-subject": "Re: Your request",
            "answer-body": "A long answer typed with care.",
            "answer-status": "closed",
        },
        headers=HX,
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A long answer typed with care." in html
    assert '<option selected value="closed">' in html
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None
