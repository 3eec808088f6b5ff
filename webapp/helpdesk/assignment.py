"""Assigning a request to a member of staff, and the e-mail that tells them.

The notice goes through the outbox (webapp/outbox.py) in the same transaction as the
assignment and its audit entry: all three are stored, or none. Like the notice about a
new request it repeats nothing the visitor typed: the reference, the topic, the status
and a link to the request page, in the assignee's staff language. Nobody is told about
what they did themselves: assigning a request to yourself sends no e-mail.
"""

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from webapp.extensions import db
from webapp.helpdesk import casework
from webapp.helpdesk import vocabulary
from webapp.helpdesk.notifications import public_url
from webapp.mail import outbox
from webapp.mail import texts
from webapp.mail.kinds import Kind
from webapp.models import ContactRequest
from webapp.models import StaffUser
from webapp.web.i18n import staff_languages


def active_staff() -> list[StaffUser]:
    """The accounts a request can be assigned to, by e-mail address."""
    return list(
        db.session.scalars(
            select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.email)
        )
    )


def staff_language(user: StaffUser) -> str:
    """The language a member of staff reads the staff area in (the site's default if unset)."""
    if user.language in staff_languages():
        return user.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_notice(item: ContactRequest, assignee: StaffUser, actor: StaffUser) -> None:
    """Queue the e-mail telling `assignee` that `actor` gave them a request (no commit);
    its text: templates/email/assignment.*.txt."""
    lang = staff_language(assignee)
    with force_locale(lang):
        subject, body = texts.render(
            Kind.ASSIGNMENT,
            actor=actor.email,
            reference=item.reference,
            topic=vocabulary.topic_label(item.topic, lang, item.initiative),
            status=vocabulary.status_label(item.status),
            link=public_url("admin.detail", request_id=item.id),
        )
    outbox.queue(Kind.ASSIGNMENT, assignee.email, subject, body, request_id=item.id, author=actor)


def assign(item: ContactRequest, assignee: StaffUser | None, actor: StaffUser) -> bool:
    """Assign the request (None: to nobody), record it and tell the assignee; one commit.

    False, and nothing recorded or sent, when it was already assigned so.
    """
    if not casework.assign(item, assignee, actor):
        return False
    if assignee is not None and assignee.id != actor.id:
        queue_notice(item, assignee, actor)
    db.session.commit()
    return True
