"""Staff find a visitor's e-mail reply in the request, read it with the quote folded away,
and download the file that came with it."""

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.browser import sign_in
from webapp.extensions import db
from webapp.mail import inbox
from webapp.models import ContactRequest

REPLY = """\
From: Ana Popescu <ana.popescu@example.ro>
To: hilfe@wir.example
Subject: Re: Cererea dumneavoastra H-2026-000777
Message-ID: <browser-reply@example.ro>
Date: Mon, 7 Dec 2026 09:30:00 +0200
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="MIX"

--MIX
Content-Type: text/plain; charset=utf-8

Bună ziua, vă trimit CV-ul meu.

Pe 1 dec. 2026, la 10:00, hilfe@wir.example a scris:
> Vă rugăm să ne trimiteți CV-ul.

--MIX
Content-Type: text/html; name="cv.html"
Content-Disposition: attachment; filename="CV Ana Popescu.html"

<script>alert("never run")</script><p>CV</p>
--MIX--
"""


def test_staff_read_a_filed_reply_and_download_its_attachment(
    app, live_server, desktop, staff, make_request, tmp_path
):
    request_id = make_request(
        reference="H-2026-000777", language="ro", email="ana.popescu@example.ro", status="closed"
    )
    with app.app_context():
        assert inbox.file_message(REPLY.replace("\n", "\r\n").encode()) == inbox.FILED
        assert db.session.get(ContactRequest, request_id).status == "in_progress"

    sign_in(desktop, live_server)
    desktop.get_by_label("Nur Anfragen mit eingegangener Antwort zeigen").check()
    desktop.get_by_role("button", name="Filter anwenden").click()
    expect(desktop.locator("table.requests tbody tr")).to_have_count(1)
    expect(desktop.locator("table.requests")).to_contain_text("Antwort eingegangen")
    desktop.get_by_role("link", name="H-2026-000777").click()

    mail = desktop.locator("#conversation li.received")
    expect(mail).to_contain_text("E-Mail eingegangen")
    expect(mail).to_contain_text("Ana Popescu <ana.popescu@example.ro>")
    expect(mail).to_contain_text("07.12.2026, 08:30")  # 09:30 in Bucharest is 08:30 here
    expect(mail).to_contain_text("Bună ziua, vă trimit CV-ul meu.")
    quote = mail.get_by_text("Vă rugăm să ne trimiteți CV-ul.")
    expect(quote).to_be_hidden()
    mail.get_by_text("Zitierte frühere E-Mail").click()
    expect(quote).to_be_visible()
    expect(desktop.locator("#audit")).to_contain_text("wieder geöffnet")

    with desktop.expect_download() as download_info:
        mail.get_by_role("link", name="CV Ana Popescu.html").click()
    download = download_info.value
    assert download.suggested_filename == "CV Ana Popescu.html"
    saved = tmp_path / "cv.html"
    download.save_as(saved)
    assert Path(saved).read_bytes().startswith(b'<script>alert("never run")</script>')
    # The page is still the request: the file was downloaded, never opened in the browser.
    expect(desktop.locator("h1")).to_have_text("Anfrage H-2026-000777")
    with app.app_context():
        assert db.session.scalar(select(ContactRequest.reply_waiting_since)) is not None
