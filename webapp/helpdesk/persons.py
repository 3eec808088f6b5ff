"""A person's data: everything held about an e-mail address, exported or forgotten.

For GDPR articles 15 (access) and 17 (erasure). Forgetting deletes every request sent
from the address with its notes and e-mails, deletes any other e-mail to it, and
removes the address from every other text the database holds (a note on another
request, say). The audit keeps only that a deletion happened: no address, no reference.
"""

import re
from datetime import datetime

from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from webapp import database
from webapp.extensions import db
from webapp.helpdesk import casework
from webapp.mail import outbox
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import OutboxMessage
from webapp.models import StaffUser
from webapp.models import utcnow

REMOVED = "[removed]"
# Staff accounts are not a visitor's data; the migrations' bookkeeping holds none.
NOT_SEARCHED = {"staff_user", "alembic_version"}


def normalise(email: str) -> str:
    """Addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def requests_from(email: str) -> list[ContactRequest]:
    """Every request sent from the address, oldest first."""
    stmt = (
        select(ContactRequest)
        .where(func.lower(ContactRequest.email) == normalise(email))
        .order_by(ContactRequest.created_at, ContactRequest.id)
    )
    return list(db.session.scalars(stmt))


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(email: str) -> dict:
    """Everything held about the address, as plain data for JSON."""
    items = []
    for item in requests_from(email):
        items.append(
            {
                "reference": item.reference,
                "received_at": _time(item.created_at),
                "language": item.language,
                "topic": item.topic,
                "name": item.name,
                "email": item.email,
                "organisation": item.organisation,
                "phone": item.phone,
                "message": item.message,
                "status": item.status,
                "consent_at": _time(item.consent_at),
                "marked_as_spam": item.is_spam,
                "notes": [{"at": _time(n.created_at), "text": n.body} for n in item.notes],
                "emails": [_message(m) for m in item.messages],
                "history": [
                    {"at": _time(e.created_at), "action": e.action, "detail": e.detail}
                    for e in casework.history(item)
                ],
            }
        )
    others = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.request_id.is_(None),
            func.lower(OutboxMessage.recipient) == normalise(email),
        )
    )
    return {
        "email": normalise(email),
        "exported_at": _time(utcnow()),
        "requests": items,
        "other_emails": [_message(m) for m in others],
    }


def _message(message: OutboxMessage) -> dict:
    subject, text = outbox.text_of(message)
    return {
        "kind": message.kind,
        "to": message.recipient,
        "subject": subject,
        "text": text,
        "queued_at": _time(message.created_at),
        "state": message.state,
        "sent_at": _time(message.sent_at),
    }


def _text_columns():
    for table in db.metadata.sorted_tables:
        if table.name in NOT_SEARCHED:
            continue
        keys = list(table.primary_key.columns)
        for column in table.columns:
            if isinstance(column.type, String | Text) and not column.primary_key:
                yield table, keys, column


def _scrub(email: str) -> int:
    """Replace the address in every remaining text column; return how many cells changed."""
    pattern = re.compile(re.escape(normalise(email)), re.IGNORECASE)
    changed = 0
    for table, keys, column in _text_columns():
        stmt = select(*keys, column).where(
            func.lower(column).contains(normalise(email), autoescape=True)
        )
        for row in db.session.execute(stmt).all():
            *key_values, value = row
            db.session.execute(
                update(table)
                .where(*(k == v for k, v in zip(keys, key_values, strict=True)))
                .values({column.name: pattern.sub(REMOVED, value)})
            )
            changed += 1
    return changed


def forget(email: str, actor: StaffUser | None = None) -> int:
    """Delete every request from the address and every trace of it; return how many requests.

    One transaction: either all of it is gone or nothing changed.
    """
    items = requests_from(email)
    for item in items:
        db.session.delete(item)  # its notes and e-mails go with it
    db.session.flush()
    db.session.execute(
        delete(OutboxMessage).where(func.lower(OutboxMessage.recipient) == normalise(email))
    )
    _scrub(email)
    db.session.add(
        AuditEntry(
            request_id=None,
            reference=None,
            actor_id=actor.id if actor else None,
            action="forgotten",
            detail="",
            created_at=utcnow(),
        )
    )
    db.session.commit()
    database.truncate_wal()  # what was deleted must not stay in SQLite's -wal file
    return len(items)
