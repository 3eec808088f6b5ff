"""The help desk's rules: how a request is stored.

A request's `topic` is one of vocabulary.FIXED_TOPICS or the slug of an initiative; for
an initiative, `initiative_id` points at it too (the slug survives if the initiative
is ever removed). Nothing about the visitor is stored beyond what they typed.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.helpdesk import notifications
from webapp.helpdesk import vocabulary
from webapp.models import ContactRequest
from webapp.models import Initiative
from webapp.models import utcnow


class Unavailable(Exception):
    """The database could not be read or written; nothing was stored."""


@dataclass(frozen=True)
class Submission:
    """What a visitor sent, already validated by the form."""

    name: str
    email: str
    topic: str
    message: str
    organisation: str | None = None
    phone: str | None = None


def initiative_topics(lang: str) -> list[tuple[str, str]]:
    """(slug, name) of every initiative in display order, for the topic list.

    The form needs it on every POST. Raises Unavailable when the database fails.
    """
    try:
        return vocabulary.initiative_topics(lang)
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.error(
            "Help desk: cannot read the initiatives: %s", describe_failure(exc)
        )
        raise Unavailable from exc


def describe_failure(exc: SQLAlchemyError) -> str:
    """What went wrong, for the log, without the statement or anything the visitor typed.

    The driver's message can quote values (PostgreSQL's DETAIL lines do), so only the
    error's kinds are logged, e.g. "OperationalError (sqlite3.OperationalError)".
    """
    original = getattr(exc, "orig", None)
    if original is None:
        return type(exc).__name__
    kind = f"{type(original).__module__}.{type(original).__qualname__}"
    code = getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
    return f"{type(exc).__name__} ({kind}{', ' + code if code else ''})"


def reference_for(item: ContactRequest) -> str:
    """The visitor's reference number, e.g. H-2026-000123 (year in UTC, then the id)."""
    return f"H-{item.created_at.year}-{item.id:06d}"


@dataclass(frozen=True)
class Stored:
    """What the caller needs of a stored request (read before the commit expires it)."""

    id: int
    reference: str


def submit(data: Submission, lang: str, spam: bool = False) -> Stored:
    """Store a new request and queue its e-mails; return its id and reference once committed.

    A bot's request (`spam`, the honeypot was filled) is stored too, marked as spam and
    closed, and no e-mail is queued: its reference then comes from the same sequence as
    every real one, so the bot cannot tell it was caught, staff find it under "spam", and
    the purge removes it.

    Raises Unavailable (after rolling back) when the database fails, so the caller
    never confirms something that was not stored.
    """
    try:
        initiative = None
        if data.topic not in vocabulary.FIXED_TOPICS:
            initiative = db.session.scalar(select(Initiative).where(Initiative.slug == data.topic))
        now = utcnow()
        item = ContactRequest(
            created_at=now,
            language=lang,
            topic=data.topic,
            initiative=initiative,
            name=data.name,
            email=data.email,
            organisation=data.organisation or None,
            phone=data.phone or None,
            message=data.message,
            status=vocabulary.Status.CLOSED if spam else vocabulary.Status.NEW,
            consent_at=now,
            is_spam=spam,
        )
        # Which e-mails, decided before the INSERT, which on SQLite holds the write lock
        # until the commit; under the lock they are only inserted (the sender writes them).
        drafts = [] if spam else notifications.prepare(item)
        db.session.add(item)
        db.session.flush()  # assigns the id the reference is made of
        reference = item.reference = reference_for(item)
        stored = Stored(id=item.id, reference=reference)
        # The e-mails go into the outbox in the same transaction: both or neither.
        notifications.queue(drafts, item)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.error(
            "Help desk: a request could not be stored: %s", describe_failure(exc)
        )
        raise Unavailable from exc
    current_app.logger.info("Help desk: stored request %s", reference)
    return stored
