"""Saved replies: staff keep them per topic and language; the answer form offers and uses them."""

import re

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import saved_replies
from webapp.models import OutboxMessage
from webapp.models import SavedReply

HX = {"HX-Request": "true"}


@pytest.fixture
def staff_client(client, staff):
    """A signed-in staff client (German, the staff area's default)."""
    staff.login()
    return client


@pytest.fixture
def add_reply(app):
    """`add_reply(topic, language, title, body)` stores a saved reply; returns its id."""

    def add(topic: str, language: str, title: str, body: str = "Text") -> int:
        with app.app_context():
            return saved_replies.create(topic, language, title, body).id

    return add


def stored(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        replies = db.session.scalars(select(SavedReply).order_by(SavedReply.id))
        return [(r.topic, r.language, r.title, r.body) for r in replies]


def options(html: str, select_id: str) -> list[str]:
    """The option labels of one select."""
    block = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no select #{select_id}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", block.group(1))


def textarea(html: str, field_id: str) -> str:
    match = re.search(rf"<textarea[^>]* id=\"{field_id}\"[^>]*>\r?\n?(.*?)</textarea>", html, re.S)
    assert match, f"no textarea #{field_id}"
    return match.group(1)


def test_staff_create_edit_and_delete_a_saved_reply(app, staff_client):
    form = staff_client.get("/admin/replies/new").get_data(as_text=True)
    assert "<h1>Gespeicherte Antwort anlegen</h1>" in form
    assert "Polski" in options(form, "language")
    response = staff_client.post(
        "/admin/replies/new",
        data={
            "csrf_token": csrf_from(form),
            "topic": "childcare",
            "language": "pl",
            "title": "  Kita:   erste Antwort ",
            "body": "Dzień dobry,\r\nw Annabergu jest wolne miejsce.\r\n",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/replies"
    assert stored(app) == [
        ("childcare", "pl", "Kita: erste Antwort", "Dzień dobry,\nw Annabergu jest wolne miejsce.")
    ]
    listing = staff_client.get("/admin/replies").get_data(as_text=True)
    assert "Gespeicherte Antwort „Kita: erste Antwort“ angelegt." in listing
    assert '<th scope="row">Kita: erste Antwort</th>' in listing
    assert "<td>Kinderbetreuung</td>" in listing
    assert '<span lang="pl">Polski</span>' in listing

    [reply_id] = re.findall(r'href="/admin/replies/(\d+)/edit"', listing)
    edit = staff_client.get(f"/admin/replies/{reply_id}/edit").get_data(as_text=True)
    assert 'value="Kita: erste Antwort"' in edit
    assert textarea(edit, "body") == "Dzień dobry,\nw Annabergu jest wolne miejsce."
    response = staff_client.post(
        f"/admin/replies/{reply_id}/edit",
        data={
            "csrf_token": csrf_from(edit),
            "topic": "housing",
            "language": "cs",
            "title": "Bydlení",
            "body": "Dobrý den",
        },
    )
    assert response.status_code == 303
    assert stored(app) == [("housing", "cs", "Bydlení", "Dobrý den")]

    question = staff_client.get(f"/admin/replies/{reply_id}/delete").get_data(as_text=True)
    assert "Die gespeicherte Antwort „Bydlení“ löschen?" in question
    assert stored(app)  # asking deletes nothing
    response = staff_client.post(
        f"/admin/replies/{reply_id}/delete", data={"csrf_token": csrf_from(question)}
    )
    assert response.status_code == 303
    assert stored(app) == []
    assert "Es gibt noch keine gespeicherten Antworten." in staff_client.get(
        "/admin/replies"
    ).get_data(as_text=True)
    assert staff_client.get(f"/admin/replies/{reply_id}/edit").status_code == 404


def test_deleting_needs_the_csrf_token(app, staff_client, add_reply):
    reply_id = add_reply("job", "de", "Arbeit")
    response = staff_client.post(f"/admin/replies/{reply_id}/delete", data={})
    assert response.status_code == 400
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"topic": ""}, "topic", "Wählen Sie ein Thema"),
        ({"topic": "no-such-topic"}, "topic", "Wählen Sie ein Thema"),
        ({"language": "xx"}, "language", "Wählen Sie eine Sprache"),
        ({"title": "   "}, "title", "Geben Sie einen Titel ein"),
        ({"title": "T" * 121}, "title", "Der Titel darf höchstens 120 Zeichen lang sein"),
        ({"body": ""}, "body", "Geben Sie den Text der Antwort ein"),
        ({"body": "x" * 20001}, "body", "Der Text darf höchstens 20000 Zeichen lang sein"),
    ],
)
def test_a_saved_reply_with_errors_is_shown_again_with_the_input(
    app, staff_client, data, field, message
):
    form = staff_client.get("/admin/replies/new").get_data(as_text=True)
    sent = {"topic": "job", "language": "de", "title": "Bewerbung", "body": "Guten Tag"}
    sent.update(data)
    response = staff_client.post("/admin/replies/new", data={"csrf_token": csrf_from(form), **sent})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<title>Fehler: Gespeicherte Antwort anlegen" in html
    assert f'<li><a href="#{field}">{message}</a></li>' in html  # the error summary
    assert f'id="{field}-error"' in html
    assert re.search(rf'aria-describedby="([\w-]+ )?{field}-error" aria-invalid="true"', html)
    if field != "body":
        assert textarea(html, "body") == "Guten Tag"  # what was typed is kept
    if field != "title":
        assert 'value="Bewerbung"' in html
    assert stored(app) == []


def test_english_errors_for_staff_who_chose_english(staff_client, staff):
    staff.choose_language("en")
    form = staff_client.get("/admin/replies/new").get_data(as_text=True)
    response = staff_client.post("/admin/replies/new", data={"csrf_token": csrf_from(form)})
    html = response.get_data(as_text=True)
    for message in ("Choose a topic", "Choose a language", "Enter a title"):
        assert message in html


def test_the_new_reply_form_takes_topic_and_language_from_the_link(staff_client):
    html = staff_client.get("/admin/replies/new?topic=recomine&language=hu").get_data(as_text=True)
    assert re.search(r'<option selected value="recomine">', html)
    assert re.search(r'<option lang="hu" selected value="hu">|<option selected value="hu"', html)


def test_the_answer_form_offers_only_replies_for_the_topic_and_language(
    staff_client, make_request, add_reply
):
    add_reply("job", "pl", "Praca: pierwsza odpowiedź")
    add_reply("job", "pl", "Praca: dokumenty")
    add_reply("job", "de", "Arbeit auf Deutsch")
    add_reply("housing", "pl", "Mieszkanie")
    request_id = make_request(topic="job", language="pl")
    html = staff_client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert options(html, "reply") == ["Praca: dokumenty", "Praca: pierwsza odpowiedź"]
    assert textarea(html, "answer-body") == ""

    other = make_request(topic="childcare", language="pl")
    html = staff_client.get(f"/admin/requests/{other}").get_data(as_text=True)
    assert 'id="reply"' not in html
    assert "Für dieses Thema gibt es in dieser Sprache noch keine gespeicherten Antworten." in html
    assert 'href="/admin/replies/new?topic=childcare&amp;language=pl"' in html


def test_choosing_a_reply_fills_the_answer_without_javascript(
    app, staff_client, make_request, add_reply
):
    add_reply("job", "en", "Other", "Something else")
    reply_id = add_reply("job", "en", "Job centre", "Dear visitor,\nthe job centre in Aue helps.")
    request_id = make_request(topic="job", language="en", reference="H-2026-000777")
    response = staff_client.get(f"/admin/requests/{request_id}?reply={reply_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Anfrage H-2026-000777</h1>" in html  # the whole page
    assert textarea(html, "answer-body") == "Dear visitor,\nthe job centre in Aue helps."
    assert f'<option selected value="{reply_id}">Job centre</option>' in html
    assert 'value="Re: Your request H-2026-000777 has been received"' in html

    # Sending it queues the reply's text, as edited in the form.
    response = staff_client.post(
        f"/admin/requests/{request_id}/answer",
        data={
            "csrf_token": csrf_from(html),
            "answer-subject": "Re: Your request H-2026-000777 has been received",
            "answer-body": textarea(html, "answer-body") + "\nKind regards",
            "answer-status": "answered",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage).filter_by(kind="answer")).all()
        assert message.body.startswith("Dear visitor,\nthe job centre in Aue helps.\nKind regards")


def test_htmx_gets_only_the_answer_form_with_focus_and_announcement(
    staff_client, make_request, add_reply
):
    reply_id = add_reply("housing", "de", "Wohnung", "Guten Tag,\nhier sind Wohnungen.")
    request_id = make_request(topic="housing", language="de")
    response = staff_client.get(f"/admin/requests/{request_id}?reply={reply_id}", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert '<div id="answer-form" class="answer-form">' in html
    assert "<h1>" not in html and 'id="notes"' not in html and 'id="conversation"' not in html
    body = re.search(r"<textarea[^>]*>", html).group(0)
    assert "data-swap-focus" in body
    assert 'data-announce="Die gespeicherte Antwort „Wohnung“ steht in Ihrer Antwort."' in body
    assert textarea(html, "answer-body") == "Guten Tag,\nhier sind Wohnungen."


def test_htmx_keeps_the_subject_and_status_it_sends(staff_client, make_request, add_reply):
    reply_id = add_reply("job", "de", "Arbeit", "Guten Tag")
    request_id = make_request(topic="job", language="de")
    query = f"reply={reply_id}&answer-subject=Re:+Ihre+Frage&answer-status=closed"
    html = staff_client.get(f"/admin/requests/{request_id}?{query}", headers=HX).get_data(
        as_text=True
    )
    assert 'value="Re: Ihre Frage"' in html
    assert '<option selected value="closed">' in html
    assert textarea(html, "answer-body") == "Guten Tag"
    # A status that does not exist falls back to the usual one.
    query = f"reply={reply_id}&answer-status=deleted"
    html = staff_client.get(f"/admin/requests/{request_id}?{query}", headers=HX).get_data(
        as_text=True
    )
    assert '<option selected value="answered">' in html


@pytest.mark.parametrize("reply", ["other-topic", "other-language", "missing", "abc", "9" * 30])
def test_a_reply_that_does_not_fit_fills_nothing(staff_client, make_request, add_reply, reply):
    ids = {
        "other-topic": add_reply("housing", "de", "Wohnung"),
        "other-language": add_reply("job", "en", "Job"),
        "missing": 999,
    }
    add_reply("job", "de", "Arbeit", "Guten Tag")
    request_id = make_request(topic="job", language="de")
    response = staff_client.get(f"/admin/requests/{request_id}?reply={ids.get(reply, reply)}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<li><a href="#reply">Wählen Sie eine der gespeicherten Antworten</a></li>' in html
    assert textarea(html, "answer-body") == ""
    assert options(html, "reply") == ["Arbeit"]


def test_saved_reply_pages_need_a_signed_in_member_of_staff(client, app, add_reply):
    reply_id = add_reply("job", "de", "Arbeit")
    for url in ("/admin/replies", "/admin/replies/new", f"/admin/replies/{reply_id}/edit"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login")
    assert client.post(f"/admin/replies/{reply_id}/delete").status_code in (302, 400)
    assert len(stored(app)) == 1


def test_the_staff_navigation_marks_the_section(staff_client, make_request):
    request_id = make_request()
    nav = re.compile(r'<nav class="staff-nav"[^>]*>(.*?)</nav>', re.S)
    html = staff_client.get("/admin/replies/new").get_data(as_text=True)
    links = nav.search(html).group(1)
    assert '<a href="/admin/replies" aria-current="true">Gespeicherte Antworten</a>' in links
    assert '<a href="/admin/overview">Übersicht</a>' in links
    html = staff_client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert '<a href="/admin/" aria-current="true">Anfragen</a>' in nav.search(html).group(1)
    html = staff_client.get("/admin/overview").get_data(as_text=True)
    assert '<a href="/admin/overview" aria-current="page">' in nav.search(html).group(1)


def test_an_expired_form_is_shown_again_with_the_input(app, staff_client, add_reply):
    reply_id = add_reply("job", "de", "Arbeit", "Alt")
    for url in ("/admin/replies/new", f"/admin/replies/{reply_id}/edit"):
        sent = {"topic": "job", "language": "pl", "title": "Praca", "body": "Długi tekst"}
        response = staff_client.post(url, data={"csrf_token": "expired", **sent})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Diese Seite war lange geöffnet. Bitte senden Sie es noch einmal." in html
        assert textarea(html, "body") == "Długi tekst"
        assert 'value="Praca"' in html and '<option lang="pl" selected value="pl">' in html
    assert stored(app) == [("job", "de", "Arbeit", "Alt")]
