"""The help desk mailbox read into the requests, against a real Dovecot on loopback.

Each message is put into the mailbox by IMAP APPEND, as a delivering mail server would,
then read by the site's own fetch (`flask mailbox fetch` or the sender's loop).
"""

import json
import re
import shutil
import subprocess
import threading
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.helpdesk import persons
from webapp.mail import inbox
from webapp.mail import outbox
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import IncomingMessage
from webapp.models import MailboxState
from webapp.models import OutboxMessage

VISITOR = "jana.kowalska@example.pl"


def crlf(text: str) -> bytes:
    return text.strip("\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n"


def token_of(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


@pytest.fixture
def mail_app(app_factory, dovecot):
    """An app reading the test mailbox; the help desk address is that mailbox's."""
    return app_factory(
        **dovecot.settings(
            HELPDESK_EMAIL="hilfe@wir.example",
            MAIL_DEFAULT_SENDER="website@wir.example",
            PUBLIC_BASE_URL="https://wir.example/",
            ATTACHMENT_MAX_BYTES=50_000,
            EMAIL_REQUESTS_PER_DAY=2,
        )
    )


def post_help(app, lang: str = "pl", email: str = VISITOR) -> int:
    """A request sent through the real help form; returns its id."""
    client = app.test_client()
    data = {
        "name": "Jana Kowalska",
        "email": email,
        "topic": "childcare",
        "message": "Czy jest miejsce w żłobku w Annabergu?",
        "consent": "y",
        "csrf_token": token_of(client, f"/{lang}/help"),
    }
    assert client.post(f"/{lang}/help", data=data).status_code == 303
    with app.app_context():
        return db.session.scalar(select(func.max(ContactRequest.id)))


def staff_client(app, email: str = "staff@example.org"):
    with app.app_context():
        accounts.create(email, "correct horse battery")
    client = app.test_client()
    data = {
        "email": email,
        "password": "correct horse battery",
        "csrf_token": token_of(client, "/admin/login"),
    }
    assert client.post("/admin/login", data=data).status_code == 302
    return client


def fetch(app) -> str:
    result = app.test_cli_runner().invoke(args=["mailbox", "fetch"])
    assert result.exit_code == 0, result.output
    return result.output


def confirmation_of(app, request_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.scalar(
            select(OutboxMessage).filter_by(request_id=request_id, kind="confirmation")
        )
        db.session.expunge(message)
        return message


def the_request(app, request_id: int) -> ContactRequest:
    with app.app_context():
        item = db.session.get(ContactRequest, request_id)
        db.session.expunge(item)
        return item


def thunderbird_reply(in_reply_to: str, reference: str, sender: str = VISITOR) -> bytes:
    """A Thunderbird reply in Polish: plain text and HTML alternatives, the answered
    mail quoted below an attribution line."""
    return crlf(
        f"""
Return-Path: <{sender}>
Message-ID: {make_msgid(domain="example.pl")}
Date: Tue, 1 Dec 2026 10:15:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: Twoje zapytanie {reference} zostało przyjęte
Content-Language: pl
To: Pomoc WIR <hilfe@wir.example>
From: Jana Kowalska <{sender}>
In-Reply-To: {in_reply_to}
References: {in_reply_to}
Content-Type: multipart/alternative;
 boundary="------------tb0123456789"

This is a multi-part message in MIME format.
--------------tb0123456789
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Dzień dobry,

dziękuję. Moja córka ma dwa lata, potrzebujemy miejsca od marca.

Pozdrawiam
Jana

W dniu 01.12.2026 o 09:00, website@wir.example pisze:
> Dzień dobry,
>
> Dziękujemy za zapytanie.

--------------tb0123456789
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: 8bit

<html><body><p>Dzień dobry,</p><p>dziękuję. Moja córka ma dwa lata, potrzebujemy
miejsca od marca.</p><p>Pozdrawiam<br>Jana</p>
<div class="moz-cite-prefix">W dniu 01.12.2026 o 09:00, website@wir.example pisze:<br></div>
<blockquote type="cite"><p>Dzień dobry,</p><p>Dziękujemy za zapytanie.</p></blockquote>
<script>alert("x")</script></body></html>

--------------tb0123456789--
"""
    )


def test_a_threaded_reply_is_filed_reopens_the_request_and_tells_the_assignee(mail_app, dovecot):
    request_id = post_help(mail_app)
    staff = staff_client(mail_app)
    with mail_app.app_context():
        colleague = accounts.create("kollegin@example.org", "correct horse battery")
        item = db.session.get(ContactRequest, request_id)
        item.assignee_id = colleague.id
        db.session.commit()
    # Staff answer; the request is "answered" and the answer goes out.
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    staff.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "csrf_token": csrf_from(page),
            "answer-subject": "Re: Twoje zapytanie",
            "answer-body": "Prosimy o wiek dziecka.",
            "answer-status": "answered",
        },
    )
    with mail_app.app_context():
        answer = db.session.scalar(select(OutboxMessage).filter_by(kind="answer"))
        reference = db.session.get(ContactRequest, request_id).reference
        assert db.session.get(ContactRequest, request_id).status == "answered"
    dovecot.deliver(thunderbird_reply(answer.message_id, reference))

    output = fetch(mail_app)
    assert "Filed 1" in output
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 1

    item = the_request(mail_app, request_id)
    assert item.status == "in_progress"
    assert item.reply_waiting_since is not None
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "potrzebujemy miejsca od marca" in page
    assert "Jana Kowalska &lt;jana.kowalska@example.pl&gt;" in page
    # The quote is folded away; the HTML alternative never shown, its script never run.
    quote = page.index("W dniu 01.12.2026 o 09:00")
    assert page.rfind("<details>", 0, quote) > page.rfind("potrzebujemy miejsca", 0, quote)
    assert "alert(" not in page
    assert "Anderer Absender" not in page and "another address" not in page
    assert "Durch die E-Mail der anfragenden Person wieder geöffnet" in page
    with mail_app.app_context():
        [notice] = db.session.scalars(select(OutboxMessage).filter_by(kind="reply_notice")).all()
        assert notice.recipient == "kollegin@example.org"
        subject, body = outbox.text_of(notice)
        assert reference in subject and "żłobku" not in body and "marca" not in body
        actions = [e.action for e in db.session.scalars(select(AuditEntry))]
        assert "reopened" in actions and "email_received" in actions

    # The list filters "reply waiting"; the overview counts it; an answer clears it.
    listing = staff.get("/admin/?reply=1").get_data(as_text=True)
    assert reference in listing and "1 Anfrage gefunden" in listing
    overview = staff.get("/admin/overview").get_data(as_text=True)
    assert "1 Anfrage mit eingegangener Antwort" in overview
    assert "Das Postfach der Beratung wurde zuletzt am" in overview
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    staff.post(
        f"/admin/requests/{request_id}/status",
        data={"csrf_token": csrf_from(page), "status": "answered"},
    )
    assert the_request(mail_app, request_id).reply_waiting_since is None
    assert "0 Anfragen gefunden" in staff.get("/admin/?reply=1").get_data(as_text=True)
    # The next answer threads onto the visitor's reply, so their mail program shows one thread.
    staff.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "csrf_token": csrf_from(page),
            "answer-subject": "Re: Twoje zapytanie",
            "answer-body": "Mamy miejsce od marca.",
            "answer-status": "answered",
        },
    )
    with mail_app.app_context():
        reply_id = db.session.scalar(select(IncomingMessage.message_id))
        second = db.session.scalars(select(OutboxMessage).filter_by(kind="answer")).all()[-1]
        assert second.in_reply_to == reply_id
        assert second.thread_references.split()[-2:] == [answer.message_id, reply_id]


def test_a_reply_with_only_the_reference_in_the_subject_from_another_address(mail_app, dovecot):
    request_id = post_help(mail_app, lang="cs", email="petr@example.cz")
    reference = the_request(mail_app, request_id).reference
    dovecot.deliver(
        crlf(
            f"""
From: Petr Novak <petr.novak@firma.example.cz>
To: hilfe@wir.example
Subject: {reference} - doplnění
Message-ID: <abc123@firma.example.cz>
Date: Wed, 2 Dec 2026 08:00:00 +0100
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Dobr=C3=BD den, p=C3=AD=C5=A1u z pracovn=C3=AD adresy.
"""
        )
    )
    fetch(mail_app)
    staff = staff_client(mail_app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Dobrý den, píšu z pracovní adresy." in page
    assert "Von einer anderen Adresse als der der Anfrage" in page
    with mail_app.app_context():
        mail = db.session.scalar(select(IncomingMessage))
        assert mail.request_id == request_id and mail.from_other_address
        assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 1


def outlook_new_mail(sender: str, subject: str, message_id: str) -> bytes:
    """An HTML-only e-mail as Outlook on the web writes one, in Hungarian."""
    return crlf(
        f"""
From: Kovács Anna <{sender}>
To: "hilfe@wir.example" <hilfe@wir.example>
Subject: {subject}
Date: Thu, 3 Dec 2026 12:00:00 +0000
Message-ID: {message_id}
Accept-Language: hu-HU, en-US
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 8bit

<html><head><style>p {{ color: red }}</style></head><body>
<div dir="ltr"><p>Jó napot kívánok!</p><p>Munkát keresek <b>Chemnitzben</b>,
villanyszerelő vagyok.<br>Tudnak segíteni?</p>
<p>Üdvözlettel,<br>Kovács Anna</p></div></body></html>
"""
    )


def test_a_new_email_becomes_a_request_by_email(mail_app, dovecot):
    dovecot.deliver(
        outlook_new_mail("anna.kovacs@example.hu", "Munkát keresek", "<new-1@example.hu>")
    )
    assert "1 new request" in fetch(mail_app)
    with mail_app.app_context():
        item = db.session.scalar(select(ContactRequest))
        assert item.topic == "other" and item.language == "de" and item.status == "new"
        assert item.email == "anna.kovacs@example.hu" and item.name == "Kovács Anna"
        assert re.fullmatch(r"H-\d{4}-\d{6}", item.reference)
        assert "Munkát keresek Chemnitzben" in item.message
        assert "<" not in item.message and "color: red" not in item.message
        kinds = sorted(m.kind for m in item.messages)
        assert kinds == ["confirmation", "staff_notification"]
        [confirmation] = [m for m in item.messages if m.kind == "confirmation"]
        assert confirmation.recipient == "anna.kovacs@example.hu"
        assert "ist bei uns eingegangen" in outbox.text_of(confirmation)[0]
        request_id = item.id
    staff = staff_client(mail_app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Tudnak segíteni?" in page
    assert "Anfrage per E-Mail eingegangen" in page

    # The notice to staff goes to the help desk address, whose mailbox this is: read back,
    # it is recognised as the site's own and starts nothing.
    with mail_app.app_context():
        notice = db.session.scalar(select(OutboxMessage).filter_by(kind="staff_notification"))
        notice.subject, notice.body = outbox.text_of(notice)
        dovecot.deliver(outbox.build_email(notice).as_bytes())
    fetch(mail_app)
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 1
        assert db.session.scalar(select(func.count()).select_from(IncomingMessage)) == 1
    assert dovecot.count("INBOX") == 0


def test_new_requests_by_email_are_limited_per_sender_per_day(mail_app, dovecot):
    for number in range(3):
        dovecot.deliver(
            outlook_new_mail("flood@example.hu", f"Kérdés {number}", f"<n{number}@example.hu>")
        )
    fetch(mail_app)
    with mail_app.app_context():
        items = db.session.scalars(select(ContactRequest).order_by(ContactRequest.id)).all()
        assert len(items) == 2  # EMAIL_REQUESTS_PER_DAY
        assert len(items[1].incoming) == 2  # the third e-mail joined the latest request
        confirmations = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).filter_by(kind="confirmation")
        )
        assert confirmations == 2


def out_of_office(in_reply_to: str | None, message_id: str) -> bytes:
    threading_headers = f"In-Reply-To: {in_reply_to}\n" if in_reply_to else ""
    return crlf(
        f"""
Return-Path: <>
From: Jana Kowalska <{VISITOR}>
To: hilfe@wir.example
Subject: Automatyczna odpowiedź: Twoje zapytanie
Auto-Submitted: auto-replied
X-Autoreply: yes
Message-ID: {message_id}
{threading_headers}Date: Fri, 4 Dec 2026 07:00:00 +0100
Content-Type: text/plain; charset=utf-8

Jestem na urlopie do 10 grudnia.
"""
    )


def test_an_out_of_office_reply_is_filed_but_never_answered_or_reopening(mail_app, dovecot):
    request_id = post_help(mail_app)
    with mail_app.app_context():
        item = db.session.get(ContactRequest, request_id)
        item.status = "answered"
        db.session.commit()
    confirmation = confirmation_of(mail_app, request_id)
    dovecot.deliver(out_of_office(confirmation.message_id, "<ooo-1@example.pl>"))
    # The same program, unthreaded: a request, but no confirmation to a machine.
    dovecot.deliver(out_of_office(None, "<ooo-2@example.pl>"))
    fetch(mail_app)
    item = the_request(mail_app, request_id)
    assert item.status == "answered" and item.reply_waiting_since is None
    with mail_app.app_context():
        filed = db.session.scalar(select(IncomingMessage).filter_by(request_id=request_id))
        assert filed.automatic and "urlopie" in filed.body
        other = db.session.scalar(select(ContactRequest).where(ContactRequest.id != request_id))
        assert [m.kind for m in other.messages] == ["staff_notification"]
        assert other.incoming[0].automatic
    staff = staff_client(mail_app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Automatische E-Mail" in page and "Jestem na urlopie" in page


def bounce(original_id: str, recipient: str) -> bytes:
    """A Postfix bounce (RFC 3464) of the visitor's confirmation."""
    return crlf(
        f"""
Return-Path: <>
From: MAILER-DAEMON@mail.wir.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: website@wir.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="B0UNCE"
Message-Id: <20261201100000.ABC@mail.wir.example>
Date: Tue, 1 Dec 2026 10:00:00 +0100

This is a MIME-encapsulated message.

--B0UNCE
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.example.pl said: 550 5.1.1 <{recipient}>: Recipient
    address rejected: User unknown

--B0UNCE
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.wir.example
Arrival-Date: Tue,  1 Dec 2026 09:59:58 +0100

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.pl
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User
    unknown

--B0UNCE
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: website@wir.example
To: {recipient}
Subject: Twoje zapytanie zostało przyjęte
Message-ID: {original_id}
Auto-Submitted: auto-generated

--B0UNCE--
"""
    )


def test_a_bounced_confirmation_is_marked_and_staff_are_told(mail_app, dovecot):
    request_id = post_help(mail_app, email="jana.kowalsak@example.pl")
    confirmation = confirmation_of(mail_app, request_id)
    dovecot.deliver(bounce(confirmation.message_id, "jana.kowalsak@example.pl"))
    assert "1 delivery report" in fetch(mail_app)
    with mail_app.app_context():
        message = db.session.get(OutboxMessage, confirmation.id)
        assert message.state == "bounced"
        assert "5.1.1" in message.last_error and "User unknown" in message.last_error
        assert "kowalsak" not in message.last_error
        assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 1
    item = the_request(mail_app, request_id)
    assert item.reply_waiting_since is None
    staff = staff_client(mail_app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Die Bestätigung kam zurück: Die Adresse ist vielleicht falsch geschrieben." in page
    assert "Unzustellbar: 5.1.1" in page


def with_attachments(reference: str) -> bytes:
    small = "JVBERi0xLjQK" + "A" * 2000  # a "PDF", base64
    big = "R0lGODlh" + "B" * 80_000  # a "GIF" of about 60 KB, over the test's 50 KB
    return crlf(
        f"""
From: Jana Kowalska <{VISITOR}>
To: hilfe@wir.example
Subject: Re: {reference} dokumenty
Message-ID: <att-1@example.pl>
Date: Sat, 5 Dec 2026 09:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="MIXED"

--MIXED
Content-Type: text/plain; charset=utf-8

W załączniku akt urodzenia i zdjęcie.

--MIXED
Content-Type: application/pdf; name="akt urodzenia.pdf"
Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Fakt%20urodzenia.pdf
Content-Transfer-Encoding: base64

{small}

--MIXED
Content-Type: text/html; name="zdjęcie.gif"
Content-Disposition: attachment; filename="zdjecie.gif"
Content-Transfer-Encoding: base64

{big}

--MIXED--
"""
    )


def test_attachments_are_kept_up_to_the_limit_and_offered_as_downloads(mail_app, dovecot):
    request_id = post_help(mail_app)
    reference = the_request(mail_app, request_id).reference
    dovecot.deliver(with_attachments(reference))
    fetch(mail_app)
    with mail_app.app_context():
        mail = db.session.scalar(select(IncomingMessage))
        small, big = mail.attachments
        assert small.filename == "akt urodzenia.pdf" and small.kept and len(small.data) > 1000
        assert big.filename == "zdjecie.gif" and not big.kept and big.data is None
        assert big.size > 50_000
        small_id, big_id = small.id, big.id
    url = f"/admin/requests/{request_id}/attachments/{small_id}"
    # Not signed in: no file.
    assert mail_app.test_client().get(url).status_code == 302
    staff = staff_client(mail_app)
    page = staff.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "akt urodzenia.pdf" in page
    assert "zdjecie.gif (60 KB) – nicht aufbewahrt" in page
    response = staff.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="akt urodzenia.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF-1.4")
    # The file over the limit cannot be downloaded: it was never kept.
    assert staff.get(f"/admin/requests/{request_id}/attachments/{big_id}").status_code == 404
    assert staff.get(f"/admin/requests/{request_id + 1}/attachments/{small_id}").status_code == 404

    # Export and forget include the e-mail and its files.
    with mail_app.app_context():
        exported = persons.export(VISITOR)
        [received] = exported["requests"][0]["emails_received"]
        assert received["attachments"][0]["data_base64"].startswith("JVBERi0xLjQK")
        assert received["attachments"][1]["kept"] is False
        persons.forget(VISITOR)
        assert db.session.scalar(select(func.count()).select_from(IncomingMessage)) == 0
        count = db.session.execute(db.text("SELECT count(*) FROM incoming_attachment")).scalar()
        assert count == 0


def test_a_malformed_message_goes_to_the_failed_folder_and_the_rest_is_filed(
    mail_app, dovecot, caplog
):
    dovecot.deliver(b"\x00\xff garbage without any header\r\n\r\nsecret words of a visitor\r\n")
    dovecot.deliver(outlook_new_mail("ok@example.hu", "Segítség", "<ok-1@example.hu>"))
    output = fetch(mail_app)
    assert "1 unreadable" in output and "1 new request" in output
    assert dovecot.count("Failed") == 1 and dovecot.count("Processed") == 1
    assert dovecot.count("INBOX") == 0
    logged = caplog.text
    assert "could not be read" in logged
    assert "secret words" not in logged and "ok@example.hu" not in logged
    assert "Segítség" not in logged


def test_a_message_read_twice_is_filed_once(mail_app, dovecot):
    raw = outlook_new_mail("twice@example.hu", "Kérdés", "<twice@example.hu>")
    dovecot.deliver(raw)
    fetch(mail_app)
    # As after a crash between storing and moving: the same message is there again.
    dovecot.deliver(raw)
    assert "1 already filed" in fetch(mail_app)
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 1
    assert dovecot.count("Processed") == 2 and dovecot.count("INBOX") == 0


def test_two_fetchers_at_once_file_each_message_once(mail_app, app_factory, dovecot):
    request_id = post_help(mail_app)
    reference = the_request(mail_app, request_id).reference
    for number in range(6):
        dovecot.deliver(
            outlook_new_mail(f"sender{number}@example.hu", "Kérdés", f"<two-{number}@x.hu>")
        )
        dovecot.deliver(
            crlf(
                f"""
From: {VISITOR}
To: hilfe@wir.example
Subject: Re: {reference}
Message-ID: <reply-{number}@example.pl>
Content-Type: text/plain; charset=utf-8

Odpowiedź numer {number}.
"""
            )
        )
    other = app_factory(**{k: mail_app.config[k] for k in dovecot.settings()})
    errors = []

    def run(app) -> None:
        try:
            with app.app_context():
                for _ in range(2):
                    result = inbox.fetch_once()
                    assert result.error is None, result.error
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in (mail_app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IncomingMessage)) == 12
        assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 7
        assert len(db.session.get(ContactRequest, request_id).incoming) == 6
        confirmations = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).filter_by(kind="confirmation")
        )
        assert confirmations == 7
    assert dovecot.count("INBOX") == 0


def test_an_unreachable_or_refusing_server_is_shown_on_the_overview(
    app_factory, dovecot, unused_port
):
    down = app_factory(**dovecot.settings(IMAP_PORT=unused_port))
    result = down.test_cli_runner().invoke(args=["mailbox", "fetch"])
    assert result.exit_code == 1 and "ConnectionRefusedError" in result.output
    staff = staff_client(down)
    overview = staff.get("/admin/overview").get_data(as_text=True)
    assert "Das Postfach der Beratung konnte nicht gelesen werden (1 Versuch in Folge)" in overview
    assert "ConnectionRefusedError" in overview

    refused = app_factory(**dovecot.settings(IMAP_PASSWORD="wrong"))
    with refused.app_context():
        assert "LoginError" in inbox.fetch_once().error
        assert db.session.get(MailboxState, 1).failures == 2
    # Back again: the next reading succeeds and the overview says so.
    with app_factory(**dovecot.settings()).app_context():
        assert inbox.fetch_once().error is None
        assert db.session.get(MailboxState, 1).failures == 0
    assert "zuletzt am" in staff.get("/admin/overview").get_data(as_text=True)


def test_plain_imap_is_refused_for_a_host_elsewhere(app_factory, dovecot):
    app = app_factory(**dovecot.settings(IMAP_HOST="imap.example.org"))
    with app.app_context():
        assert "loopback" in inbox.fetch_once().error


def test_the_sender_loop_reads_the_mailbox(mail_app, dovecot):
    dovecot.deliver(outlook_new_mail("loop@example.hu", "Kérdés", "<loop@example.hu>"))
    stop = threading.Event()

    def run() -> None:
        with mail_app.app_context():
            outbox.run(stop, also=inbox.Poller())

    thread = threading.Thread(target=run)
    thread.start()
    try:
        for _ in range(100):
            if dovecot.count("Processed") == 1:
                break
            stop.wait(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    with mail_app.app_context():
        assert db.session.scalar(select(ContactRequest.email)) == "loop@example.hu"


def test_the_password_can_come_from_a_file(app_factory, dovecot, tmp_path):
    secret = tmp_path / "imap-password"
    secret.write_text(dovecot.password + "\n")
    settings = dovecot.settings(IMAP_PASSWORD_FILE=str(secret))
    del settings["IMAP_PASSWORD"]
    app = app_factory(**settings)
    with app.app_context():
        assert inbox.fetch_once().error is None


VNU_JAR = Path(__file__).parent / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java (Debian's default-jre)")
def test_the_pages_showing_incoming_email_are_valid_html(mail_app, dovecot, tmp_path):
    assert VNU_JAR.exists(), "vnu.jar is missing: run `make test` (it installs tests/vnu/)"
    request_id = post_help(mail_app, email="jana.kowalsak@example.pl")
    confirmation = confirmation_of(mail_app, request_id)
    reference = the_request(mail_app, request_id).reference
    dovecot.deliver(bounce(confirmation.message_id, "jana.kowalsak@example.pl"))
    dovecot.deliver(with_attachments(reference))
    dovecot.deliver(out_of_office(confirmation.message_id, "<ooo-html@example.pl>"))
    fetch(mail_app)
    staff = staff_client(mail_app)
    pages = {
        "detail": staff.get(f"/admin/requests/{request_id}").get_data(as_text=True),
        "list": staff.get("/admin/?reply=1").get_data(as_text=True),
        "overview": staff.get("/admin/overview").get_data(as_text=True),
    }
    assert "zdjecie.gif" in pages["detail"] and "Antwort eingegangen" in pages["list"]
    files = []
    for name, html in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [m for m in json.loads(result.stderr or result.stdout)["messages"]]
    assert errors == []
