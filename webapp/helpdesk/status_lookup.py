"""Status lookup without an account: a reference and an e-mail address give status and dates.

It tells nothing else (no message, notes or answers), and it answers a wrong address
exactly as it answers an unknown reference: the same result, after the same work (one
query by reference, one constant-time comparison against a stand-in address when there
is no such request, one query for the last answer either way). So the lookup cannot be
used to find out which references exist or whose they are. The route is rate-limited.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.helpdesk import vocabulary
from webapp.mail.kinds import Kind
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

STAND_IN = "nobody@invalid.invalid"


@dataclass(frozen=True)
class Found:
    """What the visitor may see of their request."""

    reference: str
    status: str
    received_at: datetime
    answered_at: datetime | None

    @property
    def status_label(self) -> str:
        """The status in the visitor's language."""
        return vocabulary.visitor_status_label(self.status)


def normalise_reference(value: str) -> str:
    """A reference as typed, made comparable: no spaces, upper case (h-2026-1 → H-2026-1)."""
    return "".join(value.split()).upper()


def lookup(reference: str, email: str) -> Found | None:
    """The request with this reference if it was sent from this address, else None."""
    row = db.session.execute(
        select(
            ContactRequest.id,
            ContactRequest.email_key,
            ContactRequest.status,
            ContactRequest.created_at,
            ContactRequest.is_spam,
        ).where(ContactRequest.reference == normalise_reference(reference))
    ).first()
    # Compared normalised (addresses.normalise): any case or Unicode form; another +tag is
    # another address.
    stored = row.email_key if row else STAND_IN
    matches = hmac.compare_digest(
        stored.encode("utf-8"), addresses.normalise(email).encode("utf-8")
    )
    answered_at = db.session.scalar(
        select(func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.request_id == (row.id if row else -1), OutboxMessage.kind == Kind.ANSWER
        )
    )
    if row is None or not matches:
        return None
    # A request marked as spam looks like any other received one.
    status = vocabulary.Status.NEW if row.is_spam else row.status
    return Found(normalise_reference(reference), status, row.created_at, answered_at)
