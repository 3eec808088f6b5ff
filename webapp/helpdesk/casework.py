"""Casework on help requests: status, assignment, spam, notes, audit, deletion.

Every change a member of staff makes to a request goes through this module, so each
one leaves exactly one audit entry. Audit entries never hold the visitor's personal
data: only the reference, who acted, when, and what changed. The list and its filters
live in request_list.py, the CSV export in csv_export.py, deletion after the retention
period in housekeeping.py.
"""

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
    audit(item, item.reference, actor, "status", f"{item.status} -> {status}")
    item.status = status
    db.session.commit()
    return True


def assign(item: ContactRequest, assignee: StaffUser | None, actor: StaffUser) -> bool:
    """Give a request to a member of staff (None: to nobody); False if it is unchanged.

    Does not commit: assignment.assign queues the notice to the assignee in the same
    transaction. The audit names the assignee by account address (staff, not visitor).
    """
    if item.assignee_id == (assignee.id if assignee else None):
        return False
    audit(item, item.reference, actor, "assigned", assignee.email if assignee else "")
    item.assignee = assignee
    return True


def mark_spam(item: ContactRequest, spam: bool, actor: StaffUser) -> bool:
    """Mark a request as spam (or as not spam again); False if it already was."""
    if item.is_spam == spam:
        return False
    audit(item, item.reference, actor, "spam" if spam else "not_spam")
    item.is_spam = spam
    db.session.commit()
    return True


def add_note(item: ContactRequest, body: str, author: StaffUser) -> Note:
    """Append an internal note; notes are never edited or removed one by one."""
    note = Note(help_request=item, author_id=author.id, body=body.strip(), created_at=utcnow())
    db.session.add(note)
    audit(item, item.reference, author, "note")
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
    """An audit entry in words, in the staff member's language."""
    if entry.action == "status":
        old, _, new = entry.detail.partition(" -> ")
        return str(
            _l(
                "Status changed from “%(old)s” to “%(new)s”",
                old=status_label(old),
                new=status_label(new),
            )
        )
    if entry.action == "assigned":
        if entry.detail:
            return str(_l("Assigned to %(email)s", email=entry.detail))
        return str(_l("Assignment removed"))
    if entry.action == "spam":
        return str(_l("Marked as spam"))
    if entry.action == "not_spam":
        return str(_l("Marked as not spam"))
    if entry.action == "note":
        return str(_l("Note added"))
    if entry.action == "answered":
        return str(_l("Answer sent by e-mail"))
    if entry.action == "resent":
        return str(_l("E-mail queued to be sent again"))
    if entry.action == "forgotten":
        return str(_l("All requests from one address deleted"))
    if entry.action == "deleted":
        return str(_l("Request deleted"))
    if entry.action == "purged":
        return str(_l("Request removed after the retention period"))
    return entry.action


def delete(item: ContactRequest, actor: StaffUser | None, action: str = "deleted") -> str:
    """Delete a request with its notes; the audit keeps only reference, actor and time."""
    reference = item.reference or f"#{item.id}"
    audit(None, reference, actor, action)
    db.session.delete(item)  # notes go with it; earlier audit entries lose the link only
    db.session.commit()
    database.truncate_wal()  # the visitor's text must not stay in SQLite's -wal file
    return reference
