"""Reading one e-mail as mail programs write them: the new text, the quote folded away,
automatic mail recognised; and filing without a mailbox (retention, odd input)."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from webapp.extensions import db
from webapp.mail import inbox
from webapp.mail import incoming
from webapp.models import ContactRequest
from webapp.models import IncomingMessage


def mail(body: str, headers: str = "", content_type: str = "text/plain") -> bytes:
    text = (
        f"From: Visitor <visitor@example.org>\nSubject: Re: H-2026-000001\n{headers}"
        f"Content-Type: {content_type}; charset=utf-8\n\n{body}"
    )
    return text.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("body", "new", "quote_starts"),
    [
        (  # Outlook in German: a line, then the earlier mail's headers
            "Vielen Dank!\n\n________________________________\nVon: Hilfe <hilfe@wir.example>\n"
            "Gesendet: Montag, 1. Dezember 2026 10:00\nAn: visitor@example.org\n\nHallo",
            "Vielen Dank!",
            "________________________________",
        ),
        (  # Gmail in English, the attribution wrapped in two lines
            "Thanks a lot.\n\nOn Tue, 1 Dec 2026 at 10:00, Hilfe <\nhilfe@wir.example> wrote:\n\n"
            "> Hello\n> there",
            "Thanks a lot.",
            "On Tue, 1 Dec 2026 at 10:00, Hilfe <",
        ),
        (  # Apple Mail in Czech
            "Děkuji.\n\nDne 1. 12. 2026 v 10:00 Hilfe <hilfe@wir.example> napsal(a):\n> Dobrý den",
            "Děkuji.",
            "Dne 1. 12. 2026",
        ),
        (  # Gmail in Hungarian
            "Köszönöm!\n\nHilfe <hilfe@wir.example> ezt írta (időpont: 2026. dec. 1., K, 10:00):\n"
            "> Jó napot",
            "Köszönöm!",
            "Hilfe <hilfe@wir.example> ezt írta",
        ),
        (  # answers between the quoted lines: nothing may be folded away
            "> Wie alt ist das Kind?\nZwei Jahre.\n> Ab wann?\nAb März.",
            "> Wie alt ist das Kind?\nZwei Jahre.\n> Ab wann?\nAb März.",
            None,
        ),
    ],
)
def test_the_new_text_comes_first_and_the_quote_apart(body, new, quote_starts):
    parsed = incoming.parse(mail(body), 1000)
    assert parsed.body == new
    if quote_starts is None:
        assert parsed.quoted == ""
    else:
        assert parsed.quoted.startswith(quote_starts)
    assert parsed.reference == "H-2026-000001"


def test_html_becomes_text_with_its_quote_marked():
    html = (
        '<div dir="ltr">Merci&nbsp;beaucoup<br><a href="https://example.org/cv">mon CV</a></div>'
        '<div class="gmail_quote">On Tue, Dec 1, 2026 Hilfe wrote:<br>'
        "<blockquote>Bonjour<br>à vous</blockquote></div><style>p{}</style><script>x()</script>"
    )
    parsed = incoming.parse(mail(html, content_type="text/html"), 1000)
    assert parsed.body == "Merci beaucoup\nmon CV <https://example.org/cv>"
    assert parsed.quoted == "On Tue, Dec 1, 2026 Hilfe wrote:\n\n> Bonjour\n> à vous"


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ("Auto-Submitted: auto-replied\n", True),
        ("Auto-Submitted: no\n", False),
        ("Precedence: bulk\n", True),
        ("Precedence: list\n", True),
        ("X-Autoreply: yes\n", True),
        ("Return-Path: <>\n", True),
        ("Return-Path: <visitor@example.org>\n", False),
        ("", False),
    ],
)
def test_automatic_mail_is_recognised(headers, automatic):
    assert incoming.parse(mail("Text", headers), 1000).automatic is automatic


def test_a_nul_in_the_subject_is_stored_without_it(app, make_request):
    make_request(reference="H-2026-000001", email="visitor@example.org")
    raw = mail("Text", "Message-ID: <nul@example.org>\n").replace(
        b"Subject: Re: H-2026-000001", b"Subject: =?utf-8?q?Re=3A_H-2026-000001_=00x?="
    )
    with app.app_context():
        assert inbox.file_message(raw) == inbox.FILED
        assert db.session.scalar(select(IncomingMessage.subject)) == "Re: H-2026-000001 x"


def test_retention_deletes_a_requests_emails_and_files(app, make_request):
    request_id = make_request(reference="H-2026-000001", email="visitor@example.org")
    raw = (
        b"From: visitor@example.org\r\nSubject: H-2026-000001\r\nMessage-ID: <r@example.org>\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nHier\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        b'filename="a.pdf"\r\n\r\n%PDF\r\n--B--\r\n'
    )
    with app.app_context():
        assert inbox.file_message(raw) == inbox.FILED
        item = db.session.get(ContactRequest, request_id)
        assert len(item.incoming[0].attachments) == 1
        assert inbox.delete_for_request(item) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(IncomingMessage)) == 0
        files = db.session.execute(db.text("SELECT count(*) FROM incoming_attachment")).scalar()
        assert files == 0
