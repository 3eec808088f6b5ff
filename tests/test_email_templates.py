"""Every e-mail the site sends, rendered from its text templates in every language it
is sent in: translated through the catalogues, nothing left unrendered, and what people
typed (an initiative's name, a staff answer) put in literally, never escaped or run."""

import re
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from babel.support import Translations
from sqlalchemy import select

from tests.support.dates import LONG_DATES
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.helpdesk import assignment
from webapp.helpdesk import correspondence
from webapp.helpdesk import notifications
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.models import ContactRequest
from webapp.models import Initiative
from webapp.models import OutboxMessage

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
VISITOR_LANGUAGES = ["de", "en", "pl", "cs", "hu", "ro"]
STAFF_LANGUAGES = ["de", "en"]
HOSTILE = "<b>Bold</b> {{ 7*7 }} {% if x %}"
# Left-overs of a template or a translation that was not filled in.
UNRENDERED = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|%\([a-z_]+\)[sd]")


def words(lang: str) -> Translations:
    """The compiled catalogue of `lang`, read without the app."""
    return Translations.load(str(TRANSLATIONS), [lang])


def assert_rendered(*texts: str) -> None:
    for text in texts:
        without_typed = text.replace(HOSTILE, "")
        assert not UNRENDERED.search(without_typed), text


def new_request(lang: str, topic: str = "housing") -> ContactRequest:
    initiative = db.session.scalar(select(Initiative).filter_by(slug=topic))
    item = ContactRequest(
        reference=f"H-2026-{lang.upper()}0001",
        language=lang,
        topic=topic,
        initiative_id=initiative.id if initiative else None,
        name=HOSTILE,
        email=f"visitor-{lang}@example.org",
        message=HOSTILE,
        consent_at=datetime(2026, 12, 6, 10, tzinfo=UTC),
        created_at=datetime(2026, 12, 6, 10, tzinfo=UTC),
    )
    db.session.add(item)
    db.session.commit()
    return item


def queued_texts(item: ContactRequest) -> dict[str, tuple[str, str]]:
    """The help POST's two e-mails for `item`, as the sender writes them."""
    notifications.queue(notifications.prepare(item), item)
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).filter_by(request_id=item.id))
    return {row.kind: outbox.text_of(row) for row in rows}


@pytest.mark.parametrize("lang", VISITOR_LANGUAGES)
def test_the_confirmation_in_each_language(app, lang):
    t = words(lang)
    with app.app_context():
        item = new_request(lang)
        subject, body = queued_texts(item)[Kind.CONFIRMATION]
        reference = item.reference
    assert subject == t.gettext("Your request %(reference)s has been received") % {
        "reference": reference
    }
    for msgid in (
        "Hello,",
        "What happens next",
        "A member of our team will read your request and answer you by e-mail.",
        "You can check the status of your request here:",
    ):
        assert t.gettext(msgid) in body
    assert t.gettext("Topic: %(topic)s") % {"topic": t.gettext("Housing")} in body
    assert t.gettext("Received on: %(date)s") % {"date": LONG_DATES[lang]} in body
    promise = t.ngettext(
        "We answer within %(num)d working day.", "We answer within %(num)d working days.", 3
    )
    assert promise % {"num": 3} in body
    assert f"\n    {reference}\n" in body
    assert f"/{lang}/help/status?reference={reference}\n" in body
    # Nothing the visitor typed goes to the address they gave.
    assert HOSTILE not in body and "Bold" not in body
    assert "\n\n-- \n" in body  # the signature follows
    assert_rendered(subject, body)


def test_the_notice_to_staff_names_an_initiative_literally(app):
    """The initiative's name comes from the content file: markup and braces in it stay
    as written in the plain-text mail."""
    t = words("de")
    with app.app_context():
        initiative = db.session.scalars(select(Initiative).order_by(Initiative.id)).first()
        initiative.text("de").name = HOSTILE
        db.session.commit()
        item = new_request("pl", topic=initiative.slug)
        subject, body = queued_texts(item)[Kind.STAFF_NOTIFICATION]
        reference, request_id = item.reference, item.id
    assert subject == t.gettext("New help request %(reference)s: %(topic)s") % {
        "reference": reference,
        "topic": HOSTILE,
    }
    assert t.gettext("A new help request has arrived.") in body
    assert t.gettext("Topic: %(topic)s") % {"topic": HOSTILE} in body
    assert "&lt;" not in body and "49" not in body
    assert t.gettext("Language of the visitor: %(language)s") % {"language": "Polski"} in body
    assert f"/admin/requests/{request_id}\n" in body
    assert_rendered(subject, body)


@pytest.mark.parametrize("lang", VISITOR_LANGUAGES)
def test_a_staff_answer_keeps_its_text_as_typed(app, lang):
    t = words(lang)
    with app.app_context(), app.test_request_context():
        author = accounts.create("staff@example.org", "a long enough password 1")
        item = new_request(lang)
        subject = correspondence.answer_subject(item)
        message = correspondence.send_answer(item, subject, f"{HOSTILE}\r\nBye", author, None)
        reference, sent_subject, body = item.reference, message.subject, message.body
    confirmation = t.gettext("Your request %(reference)s has been received") % {
        "reference": reference
    }
    assert sent_subject == t.gettext("Re: %(subject)s") % {"subject": confirmation}
    assert body.startswith(f"{HOSTILE}\nBye\n\n-- \n")
    assert_rendered(sent_subject, body)


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_the_assignment_notice_in_each_staff_language(app, lang):
    t = words(lang)
    with app.app_context(), app.test_request_context():
        actor = accounts.create("actor@example.org", "a long enough password 1")
        assignee = accounts.create("colleague@example.org", "a long enough password 1")
        assignee.language = lang
        item = new_request("ro")
        assignment.assign(item, assignee, actor)
        message = db.session.scalar(select(OutboxMessage).filter_by(kind=Kind.ASSIGNMENT))
        reference, subject, body = item.reference, message.subject, message.body
    assert subject == t.gettext("Help request %(reference)s has been assigned to you") % {
        "reference": reference
    }
    lines = [
        t.gettext("%(email)s has assigned a help request to you.") % {"email": "actor@example.org"},
        t.gettext("Reference: %(reference)s") % {"reference": reference},
        t.gettext("Topic: %(topic)s") % {"topic": t.gettext("Housing")},
        t.gettext("Status: %(status)s") % {"status": t.gettext("New")},
        t.gettext("Open it in the admin area:"),
    ]
    for line in lines:
        assert f"{line}\n" in body
    assert_rendered(subject, body)


def test_text_templates_are_not_autoescaped(app):
    """Flask escapes only .html, .htm, .xml, .xhtml and .svg templates."""
    assert app.select_jinja_autoescape("email/confirmation.body.txt") is False
    assert app.select_jinja_autoescape("help/status.html") is True
