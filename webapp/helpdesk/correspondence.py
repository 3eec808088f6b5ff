"""Correspondence with a visitor: staff answers by e-mail, one thread per request.

An answer is queued in the outbox (webapp/outbox.py) together with its audit entry and
the status change it brings, in one transaction. The confirmation and every answer of a
request form one thread: each new message carries the earlier Message-IDs in
`In-Reply-To` and `References`, and `Reply-To` is the help desk, so the visitor's reply
reaches the team and not the sending address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from webapp.extensions import db
from webapp.helpdesk import casework
from webapp.mail import incoming
from webapp.mail import outbox
from webapp.mail import texts
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import IncomingMessage
from webapp.models import OutboxMessage
from webapp.models import StaffUser

KIND_LABELS = {
    Kind.STAFF_NOTIFICATION: _l("Notice to staff"),
    Kind.CONFIRMATION: _l("Confirmation to the visitor"),
    Kind.ANSWER: _l("Answer"),
    Kind.ASSIGNMENT: _l("Assignment notice"),
    Kind.REPLY_NOTICE: _l("Notice of a new e-mail"),
}
# What a bounce of a visitor's e-mail means for staff, by kind.
BOUNCE_NOTICES = {
    Kind.CONFIRMATION: _l("The confirmation bounced: the address may be mistyped."),
    Kind.ANSWER: _l("An answer bounced: the visitor has not received it."),
}
# The messages that go to the visitor and so belong to the visitor's thread.
VISITOR_KINDS = (Kind.CONFIRMATION, Kind.ANSWER)


def kind_label(kind: str) -> str:
    """What a message is, in the staff member's language."""
    return str(KIND_LABELS.get(kind, kind))


def delivery_state(message: OutboxMessage, staff_time: Callable[[datetime | None], str]) -> str:
    """Where a message stands, in words: queued, sent (when), failed after N tries (why),
    or withheld (the address had its confirmations for the day).

    `staff_time` formats a time the way the page shows times.
    """
    if message.state == State.WITHHELD:
        return _("Not sent: this address had reached the daily limit of confirmations")
    if message.state == State.BOUNCED:
        return _("Bounced: %(error)s", error=message.last_error or "–")
    if message.state == State.SENT:
        return _("Sent on %(time)s", time=staff_time(message.sent_at))
    if message.state == State.FAILED:
        return ngettext(
            "Failed after %(num)d try: %(error)s",
            "Failed after %(num)d tries: %(error)s",
            message.attempts,
            error=message.last_error or "–",
        )
    if message.attempts:
        return ngettext(
            "Waiting to be sent; %(num)d try failed (%(error)s), next try %(time)s",
            "Waiting to be sent; %(num)d tries failed (%(error)s), next try %(time)s",
            message.attempts,
            error=message.last_error or "–",
            time=staff_time(message.next_attempt_at),
        )
    return _("Waiting to be sent")


@dataclass(frozen=True)
class Entry:
    """One e-mail of a request's conversation: sent by the site, or received."""

    at: datetime
    sent: OutboxMessage | None = None
    received: IncomingMessage | None = None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def conversation(item: ContactRequest) -> list[Entry]:
    """Every e-mail about a request, sent and received, in the order they happened."""
    entries = [Entry(_utc(m.created_at), sent=m) for m in item.messages]
    entries += [Entry(_utc(m.received_at), received=m) for m in item.incoming]
    return sorted(entries, key=lambda entry: entry.at)


def bounce_notices(item: ContactRequest) -> list[str]:
    """What staff must know about bounced e-mails to the visitor, one line per kind."""
    kinds = [m.kind for m in item.messages if m.state == State.BOUNCED and m.kind in BOUNCE_NOTICES]
    return [str(BOUNCE_NOTICES[kind]) for kind in dict.fromkeys(kinds)]


def thread_ids(item: ContactRequest) -> list[str]:
    """The Message-IDs of the visitor's thread so far, oldest first: the site's e-mails to
    the visitor and the visitor's own e-mails filed into the request.

    A withheld or bounced message never reached the visitor, and an automatic e-mail or
    one without a Message-ID of its own is no part of the conversation: an answer must
    not refer to them.
    """
    ids = []
    for entry in conversation(item):
        sent, received = entry.sent, entry.received
        if sent is not None:
            if sent.kind in VISITOR_KINDS and sent.state not in (State.WITHHELD, State.BOUNCED):
                ids.append(sent.message_id)
        elif not received.automatic and incoming.has_own_id(received.message_id):
            ids.append(received.message_id)
    return ids


def answer_subject(item: ContactRequest) -> str:
    """The prefilled subject, in the visitor's language: "Re: " and the confirmation's
    (templates/email/answer.subject.txt)."""
    with force_locale(item.language):
        return texts.subject(Kind.ANSWER, reference=item.reference)


def send_answer(
    item: ContactRequest, subject: str, body: str, author: StaffUser, status: str | None
) -> OutboxMessage:
    """Queue a staff answer to the visitor, threaded onto earlier mails; set the status.

    `status` is what the request becomes (usually "answered"); None or the current status
    leaves it. One commit for the message, the status and the audit entries.
    """
    earlier = thread_ids(item)
    text = body.replace("\r\n", "\n").strip()  # browsers send CRLF; store one kind of break
    with force_locale(item.language):
        # With the operator's signature, as under every e-mail the site sends.
        text = texts.body(Kind.ANSWER, text=text)
    message = outbox.queue(
        Kind.ANSWER,
        item.email,
        subject.strip(),
        text,
        request_id=item.id,
        author=author,
        reply_to=current_app.config["HELPDESK_EMAIL"],
        in_reply_to=earlier[-1] if earlier else None,
        references=earlier,
    )
    item.messages.append(message)
    item.reply_waiting_since = None  # the visitor's e-mail is answered
    casework.audit(item, item.reference, author, casework.Action.ANSWERED)
    if status and status != item.status:
        change = casework.status_change(item.status, status)
        casework.audit(item, item.reference, author, casework.Action.STATUS, change)
        item.status = status
    db.session.commit()
    return message


def resend(item: ContactRequest, message: OutboxMessage, actor: StaffUser) -> None:
    """Queue a sent or failed message again (same Message-ID) and record who asked.

    Raises ValueError for any other (outbox.can_send_again).
    """
    outbox.send_again(message)
    casework.audit(item, item.reference, actor, casework.Action.RESENT)
    db.session.commit()
