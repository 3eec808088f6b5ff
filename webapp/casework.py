"""Casework on help requests: the list query, status, notes, audit, export, deletion, purge.

Every change a member of staff makes to a request goes through this module, so each
one leaves exactly one audit entry. Audit entries never hold the visitor's personal
data: only the reference, who acted, when, and what changed.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from .extensions import db
from .i18n import language_name
from .models import AuditEntry
from .models import ContactRequest
from .models import Initiative
from .models import Note
from .models import StaffUser
from .models import utcnow

PER_PAGE = 25
# The order staff work through a request; any step may be set again (to reopen one).
STATUSES = ("new", "in_progress", "answered", "closed")
STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}
TOPICS = ("job", "housing", "childcare", "moving", "barrier", "other")
TOPIC_LABELS = {
    "job": _l("Job"),
    "housing": _l("Housing"),
    "childcare": _l("Childcare"),
    "moving": _l("Moving to the region"),
    "barrier": _l("Barrier"),
    "other": _l("Something else"),
}
# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def status_label(status: str) -> str:
    """The status in the staff member's language (the raw value if unknown)."""
    return str(STATUS_LABELS.get(status, status))


def next_status(status: str) -> str:
    """The step after `status` (closed stays closed): what staff most likely set next."""
    if status not in STATUSES:
        return STATUSES[0]
    return STATUSES[min(STATUSES.index(status) + 1, len(STATUSES) - 1)]


def topic_label(item: ContactRequest, lang: str) -> str:
    """The topic of a request in a language: a fixed topic or an initiative's name."""
    if item.topic in TOPIC_LABELS:
        return str(TOPIC_LABELS[item.topic])
    if item.initiative is not None:
        return item.initiative.text(lang).name
    return item.topic


def topic_choices(lang: str) -> list[tuple[str, str]]:
    """Every topic a request can have, as (value, label) pairs for the filter."""
    choices = [(topic, str(TOPIC_LABELS[topic])) for topic in TOPICS]
    initiatives = db.session.scalars(select(Initiative).order_by(Initiative.sort_order))
    choices += [(i.slug, i.text(lang).name) for i in initiatives]
    return choices


@dataclass(frozen=True)
class Filters:
    """What the list shows: status, topic, a search text, spam or not, and the page."""

    status: str = ""
    topic: str = ""
    q: str = ""
    spam: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args, topics: set[str]) -> "Filters":
        """Read the query string; unknown values are dropped rather than refused."""
        status = args.get("status", "")
        topic = args.get("topic", "")
        try:
            # Capped: an absurd page number must not overflow the database's integers.
            page = min(max(1, int(args.get("page", 1))), 1_000_000)
        except ValueError:
            page = 1
        return cls(
            status=status if status in STATUSES else "",
            topic=topic if topic in topics else "",
            q=without_controls(args.get("q", "")).strip()[:200],
            spam=args.get("spam") in {"1", "y", "on", "true"},
            page=page,
        )

    def args(self, page: int | None = None) -> dict:
        """The filter as query arguments (empty ones left out), optionally for another page."""
        values = {
            "status": self.status,
            "topic": self.topic,
            "q": self.q,
            "spam": "1" if self.spam else "",
        }
        result = {key: value for key, value in values.items() if value}
        page = self.page if page is None else page
        if page > 1:
            result["page"] = page
        return result


def without_controls(text: str) -> str:
    """The text with control characters removed (PostgreSQL cannot even compare NUL)."""
    return "".join(char for char in text if char.isprintable() or char == " ")


def query(filters: Filters) -> Select:
    """The requests matching a filter, newest first."""
    stmt = select(ContactRequest).where(ContactRequest.is_spam.is_(filters.spam))
    if filters.status:
        stmt = stmt.where(ContactRequest.status == filters.status)
    if filters.topic:
        stmt = stmt.where(ContactRequest.topic == filters.topic)
    if filters.q:
        needle = filters.q.lower()
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (
                        ContactRequest.reference,
                        ContactRequest.name,
                        ContactRequest.email,
                        ContactRequest.message,
                    )
                )
            )
        )
    return stmt.order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())


def page_of(filters: Filters):
    """One page of the matching requests (a Flask-SQLAlchemy Pagination)."""
    pagination = db.paginate(query(filters), page=filters.page, per_page=PER_PAGE, error_out=False)
    if filters.page > 1 and filters.page > pagination.pages:
        # A page past the end (e.g. after deleting): show the last one instead.
        pagination = db.paginate(
            query(filters), page=max(1, pagination.pages), per_page=PER_PAGE, error_out=False
        )
    return pagination


def _audit(
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
    _audit(item, item.reference, actor, "status", f"{item.status} -> {status}")
    item.status = status
    db.session.commit()
    return True


def add_note(item: ContactRequest, body: str, author: StaffUser) -> Note:
    """Append an internal note; notes are never edited or removed one by one."""
    note = Note(request=item, author_id=author.id, body=body.strip(), created_at=utcnow())
    db.session.add(note)
    _audit(item, item.reference, author, "note")
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
    _audit(None, reference, actor, action)
    db.session.delete(item)  # notes go with it; earlier audit entries lose the link only
    db.session.commit()
    return reference


def purge(older_than_days: int, now: datetime | None = None) -> int:
    """Delete closed requests received more than `older_than_days` ago; return how many."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    stmt = select(ContactRequest).where(
        ContactRequest.status == "closed", ContactRequest.created_at < cutoff
    )
    items = list(db.session.scalars(stmt))
    for item in items:
        _audit(None, item.reference or f"#{item.id}", None, "purged")
        db.session.delete(item)
    db.session.commit()
    return len(items)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        # A leading apostrophe makes spreadsheet programs show the text, not run it.
        return "'" + text
    return text


def export_csv(filters: Filters, lang: str) -> str:
    """Every request matching the filter (all pages) as CSV text, with a BOM.

    Semicolons separate the cells: German spreadsheet programs expect them, and the
    byte order mark makes them read the file as UTF-8, so umlauts show correctly.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            str(h)
            for h in (
                _l("Reference"),
                _l("Received"),
                _l("Status"),
                _l("Topic"),
                _l("Name"),
                _l("E-mail"),
                _l("Organisation"),
                _l("Phone"),
                _l("Message"),
                _l("Language"),
            )
        ]
    )
    for item in db.session.scalars(query(filters)):
        received = to_user_timezone(item.created_at).strftime("%Y-%m-%d %H:%M")
        writer.writerow(
            [
                _cell(v)
                for v in (
                    item.reference,
                    received,
                    status_label(item.status),
                    topic_label(item, lang),
                    item.name,
                    item.email,
                    item.organisation,
                    item.phone,
                    item.message,
                    language_name(item.language),
                )
            ]
        )
    return out.getvalue()
