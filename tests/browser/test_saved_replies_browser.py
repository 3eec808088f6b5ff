"""Staff start an answer from a saved reply, on a phone with JavaScript and on a desktop
without; the overview fits the narrowest phone."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.browser import sign_in
from webapp.extensions import db
from webapp.helpdesk import saved_replies
from webapp.models import OutboxMessage

REPLY = "Dear Ana,\nthe job centre in Aue has advisers for you."


@pytest.mark.parametrize("device", ["phone", "desktop_nojs"])
def test_staff_answer_with_a_saved_reply(app, live_server, request, staff, make_request, device):
    page = request.getfixturevalue(device)
    javascript = not device.endswith("_nojs")
    with app.app_context():
        saved_replies.create("job", "en", "Job centre", REPLY)
        saved_replies.create("job", "en", "Documents", "Please send your CV.")
        saved_replies.create("job", "de", "Jobcenter", "Guten Tag")  # another language
        saved_replies.create("housing", "en", "Flats", "Flats")  # another topic
    request_id = make_request(topic="job", language="en", email="ana@example.org")
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/requests/{request_id}")
    chooser = page.get_by_label("Gespeicherte Antwort", exact=True)
    expect(chooser.locator("option")).to_have_text(["Documents", "Job centre"])
    body = page.get_by_label("Ihre Antwort")
    body.fill("A first try that the saved reply replaces.")

    if javascript:
        page.evaluate("window.__sameDocument = true")
        # With JavaScript only the text changes: a subject and status set before stay.
        page.get_by_label("Betreff").fill("Re: your question about a job")
        page.get_by_label("Status nach dem Senden").select_option("closed")
    chooser.select_option(label="Job centre")
    page.get_by_role("button", name="Diese Antwort übernehmen").click()
    expect(body).to_have_value(REPLY)
    expect(page.get_by_label("Gespeicherte Antwort", exact=True)).to_have_value(re.compile(r"\d+"))
    if javascript:
        expect(body).to_be_focused()
        expect(page.locator("#announcer")).to_contain_text(
            "Die gespeicherte Antwort „Job centre“ steht in Ihrer Antwort."
        )
        assert page.evaluate("window.__sameDocument") is True
        assert page.url == f"{live_server}/admin/requests/{request_id}"  # nothing pushed
        expect(page.get_by_label("Betreff")).to_have_value("Re: your question about a job")
        expect(page.get_by_label("Status nach dem Senden")).to_have_value("closed")
    else:
        assert re.search(r"\?reply=\d+#answer-form$", page.url)

    body.press("Control+End")
    body.type("\nKind regards")
    page.get_by_role("button", name="Antwort senden").click()
    answer = page.locator("ol.messages li").last
    expect(answer).to_contain_text("the job centre in Aue has advisers for you.")
    expect(answer).to_contain_text("Kind regards")
    expect(page.locator("#status-panel .current-status")).to_contain_text(
        "Abgeschlossen" if javascript else "Beantwortet"
    )
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage).filter_by(kind="answer")).all()
        assert message.recipient == "ana@example.org"
        assert message.body.startswith(REPLY + "\nKind regards\n\n-- ")


@pytest.mark.parametrize("device", ["small_phone", "small_phone_nojs"])
def test_staff_keep_a_saved_reply_on_the_narrowest_phone(
    app, live_server, request, staff, make_request, device
):
    page = request.getfixturevalue(device)
    make_request(topic="housing")
    sign_in(page, live_server)
    page.get_by_role("link", name="Gespeicherte Antworten").click()
    expect(page.locator("h1")).to_have_text("Gespeicherte Antworten")
    page.get_by_role("link", name="Gespeicherte Antwort anlegen").click()
    page.get_by_label("Titel").fill("Wohnungen")
    page.get_by_role("button", name="Antwort speichern").click()
    # Topic, language and text missing: the summary names them, the title is kept.
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Wählen Sie ein Thema")
    expect(summary).to_contain_text("Geben Sie den Text der Antwort ein")
    expect(page.get_by_label("Titel")).to_have_value("Wohnungen")
    assert page.title().startswith("Fehler: ")
    page.get_by_label("Thema").select_option(label="Wohnen")
    page.get_by_label("Sprache der Antwort").select_option("de")
    page.get_by_label("Text", exact=True).fill("Guten Tag,\nhier sind freie Wohnungen.")
    page.get_by_role("button", name="Antwort speichern").click()
    expect(page.locator(".notice")).to_contain_text("Gespeicherte Antwort „Wohnungen“ angelegt.")
    expect(page.locator("table.replies tbody tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.get_by_role("link", name="Übersicht").click()
    expect(page.locator("h1")).to_have_text("Übersicht")
    expect(page.locator("svg.chart rect.bar")).to_have_count(12)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator("svg.chart").bounding_box()
    assert box and box["width"] <= 320 and box["height"] > 80
