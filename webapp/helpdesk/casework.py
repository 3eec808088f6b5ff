"""Casework on help requests: status, assignment, spam, notes, audit, deletion.

Every change a member of staff makes to a request goes through this module, so each
one leaves exactly one audit entry. Audit entries never hold the visitor's personal
data: only the reference, who acted, when, and what changed. The list and its filters
live in request_list.py, the CSV export in csv_export.py, deletion after the retention
period in housekeeping.py.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp import database
from webapp.extensions import db
from webapp.helpdesk.vocabulary import STATUSES
from webapp.helpdesk.vocabulary import status_label
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import Note
from webapp.models import StaffUser
from webapp.models import utcnow


class Action(StrEnum):
    """What an audit entry records (stored as the value)."""

    STATUS = "status"  # detail: "old -> new"
    ASSIGNED = "assigned"  # detail: the assignee's address, empty when unassigned
    SPAM = "spam"
    NOT_SPAM = "not_spam"
    NOTE = "note"
    ANSWERED = "answered"
    RESENT = "resent"
    FORGOTTEN = "forgotten"
    DELETED = "deleted"
    PURGED = "purged"
    EMAIL_RECEIVED = "email_received"
    AUTOMATIC_RECEIVED = "automatic_received"
    REQUEST_BY_EMAIL = "request_by_email"
    REOPENED = "reopened"  # detail: "old -> new"
    BOUNCED = "bounced"


# Each action in words; %(old)s and %(new)s are status labels, %(email)s the assignee.
ACTION_LABELS = {
    Action.STATUS: _l("Status changed from “%(old)s” to “%(new)s”"),
    Action.ASSIGNED: _l("Assigned to %(email)s"),
    Action.SPAM: _l("Marked as spam"),
    Action.NOT_SPAM: _l("Marked as not spam"),
    Action.NOTE: _l("Note added"),
    Action.ANSWERED: _l("Answer sent by e-mail"),
    Action.RESENT: _l("E-mail queued to be sent again"),
    Action.FORGOTTEN: _l("All requests from one address deleted"),
    Action.DELETED: _l("Request deleted"),
    Action.PURGED: _l("Request removed after the retention period"),
    Action.EMAIL_RECEIVED: _l("E-mail from the visitor received"),
    Action.AUTOMATIC_RECEIVED: _l("Automatic e-mail received (e.g. an out-of-office reply)"),
    Action.REQUEST_BY_EMAIL: _l("Request received by e-mail"),
    Action.REOPENED: _l("Reopened by the visitor's e-mail: “%(old)s” to “%(new)s”"),
    Action.BOUNCED: _l("A delivery report came back: an e-mail bounced"),
}
# An assignment with no assignee: the assignment was taken away.
UNASSIGNED_LABEL = _l("Assignment removed")


def next_status(status: str) -> str:
    """The step after `status` (closed stays closed): what staff most likely set next."""
    if status not in STATUSES:
        return STATUSES[0]
    return STATUSES[min(STATUSES.index(status) + 1, len(STATUSES) - 1)]


def audit(
    item: ContactRequest | None,
    reference: str | None,
    actor: StaffUser | None,
    action: str,
    detail: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        request_id=item.id if item else None,
        reference=reference,
        actor_id=actor.id if actor else None,
        action=action,
        detail=detail,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


def change_status(item: ContactRequest, status: str, actor: StaffUser) -> bool:
    """Set a new status and record it; False (and nothing recorded) if it is unchanged."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if item.status == status:
        return False
    audit(item, item.reference, actor, Action.STATUS, status_change(item.status, status))
    item.status = status
    item.reply_waiting_since = None  # staff have seen the visitor's e-mail and acted
    db.session.commit()
    return True


def status_change(old: str, new: str) -> str:
    """The detail of a status entry: "old -> new"."""
    return f"{old} -> {new}"


def assign(item: ContactRequest, assignee: StaffUser | None, actor: StaffUser) -> bool:
    """Give a request to a member of staff (None: to nobody); False if it is unchanged.

    Does not commit: assignment.assign queues the notice to the assignee in the same
    transaction. The audit names the assignee by account address (staff, not visitor).
    """
    if item.assignee_id == (assignee.id if assignee else None):
        return False
    audit(item, item.reference, actor, Action.ASSIGNED, assignee.email if assignee else "")
    item.assignee = assignee
    return True


def mark_spam(item: ContactRequest, spam: bool, actor: StaffUser) -> bool:
    """Mark a request as spam (or as not spam again); False if it already was."""
    if item.is_spam == spam:
        return False
    audit(item, item.reference, actor, Action.SPAM if spam else Action.NOT_SPAM)
    item.is_spam = spam
    db.session.commit()
    return True


def add_note(item: ContactRequest, body: str, author: StaffUser) -> Note:
    """Append an internal note; notes are never edited or removed one by one."""
    note = Note(help_request=item, author_id=author.id, body=body.strip(), created_at=utcnow())
    db.session.add(note)
    audit(item, item.reference, author, Action.NOTE)
    db.session.commit()
    return note


def history(item: ContactRequest) -> list[AuditEntry]:
    """The audit trail of one request, oldest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.request_id == item.id)
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return list(db.session.scalars(stmt))


def describe(entry: AuditEntry) -> str:
    """An audit entry in words, in the staff member's language (ACTION_LABELS; an unknown
    action as stored)."""
    label = ACTION_LABELS.get(entry.action)
    if label is None:
        return entry.action
    if entry.action == Action.ASSIGNED and not entry.detail:
        return str(UNASSIGNED_LABEL)
    old, _, new = entry.detail.partition(" -> ")
    values = {"old": status_label(old), "new": status_label(new), "email": entry.detail}
    return str(label) % values


def delete(item: ContactRequest, actor: StaffUser | None, action: str = Action.DELETED) -> str:
    """Delete a request with its notes; the audit keeps only reference, actor and time."""
    reference = item.reference or f"#{item.id}"
    audit(None, reference, actor, action)
    db.session.delete(item)  # notes go with it; earlier audit entries lose the link only
    db.session.commit()
    database.truncate_wal()  # the visitor's text must not stay in SQLite's -wal file
    return reference
