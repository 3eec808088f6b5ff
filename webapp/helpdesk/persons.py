"""A person's data: everything held about an e-mail address, exported or forgotten.

For GDPR articles 15 (access) and 17 (erasure). Forgetting deletes every request sent
from the address with its notes and e-mails (sent and received, with attachments),
deletes any other e-mail to or from it, and
removes the address from every other text the database holds (a note on another
request, say). The audit keeps only that a deletion happened: no address, no reference.

Both act on exactly one address, compared normalised (addresses.normalise: any case,
any Unicode form): the request's and the e-mail's stored key must equal it, and in free
text only a whole address is replaced. So forgetting ana@example.org leaves
jana@example.org and ana+news@example.org as they are.
"""

import base64
from datetime import datetime

from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from webapp import database
from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.helpdesk import casework
from webapp.mail import outbox
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import IncomingMessage
from webapp.models import OutboxMessage
from webapp.models import StaffUser
from webapp.models import utcnow

REMOVED = "[removed]"
# Staff accounts are not a visitor's data; the migrations' bookkeeping holds none.
NOT_SEARCHED = {"staff_user", "alembic_version"}


def requests_from(email: str) -> list[ContactRequest]:
    """Every request sent from the address (in any case or Unicode form), oldest first."""
    stmt = (
        select(ContactRequest)
        .where(ContactRequest.email_key == addresses.normalise(email))
        .order_by(ContactRequest.created_at, ContactRequest.id)
    )
    return list(db.session.scalars(stmt))


def _to_address(email: str):
    """The condition "an e-mail to exactly this address" (the mailbox index finds them)."""
    return (
        OutboxMessage.recipient_mailbox == addresses.mailbox(email),
        OutboxMessage.recipient_key == addresses.normalise(email),
    )


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
                "emails_received": [_incoming(m) for m in item.incoming],
                "history": [
                    {"at": _time(e.created_at), "action": e.action, "detail": e.detail}
                    for e in casework.history(item)
                ],
            }
        )
    others = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.request_id.is_(None), *_to_address(email))
    )
    # E-mails from the address filed into someone else's request ("from another address").
    received = db.session.scalars(
        select(IncomingMessage)
        .join(ContactRequest)
        .where(
            IncomingMessage.from_key == addresses.normalise(email),
            ContactRequest.email_key != addresses.normalise(email),
        )
    )
    return {
        "email": addresses.normalise(email),
        "exported_at": _time(utcnow()),
        "requests": items,
        "other_emails": [_message(m) for m in others],
        "other_emails_received": [_incoming(m) for m in received],
    }


def _incoming(message: IncomingMessage) -> dict:
    return {
        "from": message.from_address,
        "subject": message.subject,
        "sent_at": _time(message.sent_at),
        "received_at": _time(message.received_at),
        "text": message.body,
        "quoted": message.quoted,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "kept": a.kept,
                "data_base64": base64.b64encode(a.data).decode("ascii") if a.kept else None,
            }
            for a in message.attachments
        ],
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
            # An address key is derived from its address column, never written on its own.
            if column.primary_key or column.info.get("address_key"):
                continue
            if isinstance(column.type, String | Text):
                yield table, keys, column


def _scrub(email: str) -> int:
    """Replace the address, where it stands as a whole address, in every remaining text
    column; return how many cells changed.

    The database only narrows the search to cells holding an "@": whether one holds this
    address, in whatever case or Unicode form, is decided here (SQLite's lower() would
    miss Ö and Ø, and a substring would find ana@… inside jana@…).
    """
    changed = 0
    for table, keys, column in _text_columns():
        stmt = select(*keys, column).where(column.contains("@", autoescape=True))
        for row in db.session.execute(stmt).all():
            *key_values, value = row
            scrubbed = addresses.replace_in_text(value, email, REMOVED)
            if scrubbed == value:
                continue
            db.session.execute(
                update(table)
                .where(*(k == v for k, v in zip(keys, key_values, strict=True)))
                .values({column.name: scrubbed})
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
    db.session.execute(delete(OutboxMessage).where(*_to_address(email)))
    # Its e-mails filed into other requests too, with their files (the database's cascade).
    db.session.execute(
        delete(IncomingMessage).where(IncomingMessage.from_key == addresses.normalise(email))
    )
    _scrub(email)
    db.session.add(
        AuditEntry(
            request_id=None,
            reference=None,
            actor_id=actor.id if actor else None,
            action=casework.Action.FORGOTTEN,
            detail="",
            created_at=utcnow(),
        )
    )
    db.session.commit()
    database.truncate_wal()  # what was deleted must not stay in SQLite's -wal file
    return len(items)
