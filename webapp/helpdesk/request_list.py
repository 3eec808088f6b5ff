"""The staff list of help requests: its filters, the query behind them, paging, and the
age of each open request in working days.

The CSV export (csv_export.py) takes the same filters, so a download holds what the
list shows.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from webapp import plain_text
from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.helpdesk import workdays
from webapp.helpdesk.vocabulary import OPEN_STATUSES
from webapp.helpdesk.vocabulary import STATUSES
from webapp.models import ContactRequest

PER_PAGE = 25
# The "assigned" filter: to the member of staff looking at the list, or to nobody.
ASSIGNED_CHOICES = ("me", "nobody")
TRUE_VALUES = {"1", "y", "on", "true"}


@dataclass(frozen=True)
class Filters:
    """What the list shows: status, topic, a search text, assignment, overdue only, spam
    or not, a visitor's e-mail waiting ("reply waiting"), and the page. `me` is the staff
    member looking (for "assigned to me")."""

    status: str = ""
    topic: str = ""
    q: str = ""
    assigned: str = ""
    overdue: bool = False
    spam: bool = False
    reply: bool = False
    page: int = 1
    me: int | None = None

    @classmethod
    def from_args(cls, args, topics: set[str], me: int | None = None) -> "Filters":
        """Read the query string; unknown values are dropped rather than refused."""
        status = args.get("status", "")
        topic = args.get("topic", "")
        assigned = args.get("assigned", "")
        try:
            # Capped: an absurd page number must not overflow the database's integers.
            page = min(max(1, int(args.get("page", 1))), 1_000_000)
        except ValueError:
            page = 1
        return cls(
            status=status if status in STATUSES else "",
            topic=topic if topic in topics else "",
            q=plain_text.without_controls(args.get("q", "")).strip()[:200],
            assigned=assigned if assigned in ASSIGNED_CHOICES else "",
            overdue=args.get("overdue") in TRUE_VALUES,
            spam=args.get("spam") in TRUE_VALUES,
            reply=args.get("reply") in TRUE_VALUES,
            page=page,
            me=me,
        )

    def args(self, page: int | None = None) -> dict:
        """The filter as query arguments (empty ones left out), optionally for another page."""
        values = {
            "status": self.status,
            "topic": self.topic,
            "q": self.q,
            "assigned": self.assigned,
            "overdue": "1" if self.overdue else "",
            "spam": "1" if self.spam else "",
            "reply": "1" if self.reply else "",
        }
        result = {key: value for key, value in values.items() if value}
        page = self.page if page is None else page
        if page > 1:
            result["page"] = page
        return result


def reply_days() -> int:
    """The working days within which the help desk promises an answer."""
    return int(current_app.config["HELP_REPLY_DAYS"])


def query(filters: Filters, now: datetime | None = None) -> Select:
    """The requests matching a filter, newest first."""
    stmt = select(ContactRequest).where(ContactRequest.is_spam.is_(filters.spam))
    if filters.status:
        stmt = stmt.where(ContactRequest.status == filters.status)
    if filters.topic:
        stmt = stmt.where(ContactRequest.topic == filters.topic)
    if filters.assigned == "me":
        stmt = stmt.where(ContactRequest.assignee_id == filters.me)
    elif filters.assigned == "nobody":
        stmt = stmt.where(ContactRequest.assignee_id.is_(None))
    if filters.overdue:
        stmt = stmt.where(
            ContactRequest.status.in_(OPEN_STATUSES),
            ContactRequest.created_at < workdays.overdue_before(reply_days(), now),
        )
    if filters.reply:
        stmt = stmt.where(ContactRequest.reply_waiting_since.is_not(None))
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
                ),
                # The address in any case or Unicode form (lower() folds ASCII only).
                ContactRequest.email_key.contains(addresses.normalise(filters.q), autoescape=True),
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


@dataclass(frozen=True)
class Age:
    """How long an open request has waited, in working days, and whether that is too long."""

    days: int
    overdue: bool


def age_of(item: ContactRequest, now: datetime | None = None) -> Age | None:
    """The age of an open request (None once it is answered or closed)."""
    if item.status not in OPEN_STATUSES:
        return None
    days = workdays.age(item.created_at, now)
    return Age(days=days, overdue=days > reply_days())
